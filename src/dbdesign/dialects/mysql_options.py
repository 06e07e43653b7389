"""MySQL / MariaDB table options beyond engine, character set and comment: the ones the server
lists in ``information_schema.TABLES.CREATE_OPTIONS`` when a CREATE or ALTER TABLE gives them.

The DDL reader keeps them in a table's ``dialect_options``, the catalog reader reads them back
from ``CREATE_OPTIONS``, and the writer writes them out again.
"""

from __future__ import annotations

CREATE_OPTIONS = frozenset(
    (
        "row_format",
        "key_block_size",
        "stats_persistent",
        "stats_auto_recalc",
        "stats_sample_pages",
        "checksum",
        "pack_keys",
        "max_rows",
        "min_rows",
        "delay_key_write",
        "page_checksum",
        "transactional",
        "page_compressed",
        "page_compression_level",
        "encrypted",
        "encryption_key_id",
        "avg_row_length",
    )
)
