"""Read a live PostgreSQL catalog into a :class:`dbdesign.model.Schema`.

The catalog queries live next to this module as ``.sql`` files, one per object kind
(migra/schemainspect style). :func:`read_catalog` runs them all in one read-only
REPEATABLE READ transaction with ``search_path = ''`` (so ``pg_get_expr``, ``pg_get_viewdef`` and
``format_type`` qualify every name), ``TimeZone = 'UTC'`` and ``client_encoding = 'UTF8'``, then
rolls back. One query per object kind, so the number of round trips does not grow with the
number of tables.

The result follows ``docs/model.md``: only own objects (no extension members, no indexes that
back constraints, nothing the server clones onto partitions), canonical types, expressions as the
server prints them.
"""

from dbdesign.readers.catalog.postgres.printed import split_top_level, trigger_when
from dbdesign.readers.catalog.postgres.read import QUERIES, read_catalog

__all__ = ["QUERIES", "read_catalog", "split_top_level", "trigger_when"]
