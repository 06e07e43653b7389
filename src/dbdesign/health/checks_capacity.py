"""Capacity checks: connections, the applications' pools, cache hit rate, replication."""

from __future__ import annotations
