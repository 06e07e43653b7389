"""MySQL and MariaDB checks."""

from __future__ import annotations
