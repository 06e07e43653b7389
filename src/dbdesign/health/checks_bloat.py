"""Bloat checks: estimated wasted space in tables and B-tree indexes, and indexes on a column
with one distinct value."""

from __future__ import annotations
