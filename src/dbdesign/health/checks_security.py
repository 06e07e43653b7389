"""Security checks: roles, grants, row-level security, functions, secrets, extensions."""

from __future__ import annotations
