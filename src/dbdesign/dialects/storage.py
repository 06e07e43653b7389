"""How many bytes a server stores for a row and an index entry: the model behind DESIGN.md's
storage estimate. Each dialect's :class:`StorageModel` holds its page size, per-row and
per-entry overheads and alignment; :func:`value_bytes` the average width of a value of a
column type (text at half its declared length, at most 32 characters, and 32 without one).
Estimates, stated as such: within about ±50 % of what the server reports for generated data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from dbdesign.model import Column

_FIXED = {
    "bigint": 8,
    "integer": 4,
    "int": 4,
    "smallint": 2,
    "tinyint": 1,
    "boolean": 1,
    "real": 4,
    "double precision": 8,
    "double": 8,
    "float": 8,
    "date": 4,
    "timestamp with time zone": 8,
    "timestamp without time zone": 8,
    "timestamp": 8,
    "datetime": 8,
    "time without time zone": 8,
    "uuid": 16,
    "binary": 16,
    "inet": 8,
    "interval": 16,
}
TEXT_AVERAGE = 32  # characters of a text value without a declared length
INVERTED_ROW_BYTES = 32  # a full-text index, per row (posting lists compress)
TEXT_CAP = 32  # at most this many characters on average, whatever the declared length


def value_bytes(c: Column, chars: int | None = None) -> int:
    """The average stored width of a value of ``c`` (its varlena/length header included);
    ``chars``: the average length of its text where more is known than its type (an enum's
    values, a length CHECK)."""
    t = c.type
    if chars is not None and t.name not in _FIXED:
        return 1 + chars
    if t.name in _FIXED:
        return _FIXED[t.name]
    if t.name in ("numeric", "decimal"):
        precision = int(t.args[0]) if t.args else 12
        return 3 + 2 * math.ceil(precision / 4)
    if t.name in ("vector", "halfvec"):
        dims = int(t.args[0]) if t.args else 768
        return 8 + dims * (4 if t.name == "vector" else 2)
    if t.name in ("jsonb", "json"):
        return 120
    if t.name == "tsvector":
        return 64
    length = int(t.args[0]) if t.args and str(t.args[0]).isdigit() else 2 * TEXT_AVERAGE
    return 1 + min(length // 2, TEXT_CAP)


@dataclass(frozen=True, slots=True)
class StorageModel:
    """A server's storage layout, as far as the estimate needs it."""

    page_bytes: int  # a page (block) of table or index data
    page_header: int
    row_overhead: int  # per row beside its values (tuple header, transaction ids, line pointer)
    align: int  # a row's size rounds up to this
    entry_overhead: int  # per index entry beside its key (header, line pointer, row pointer)
    fill: float  # how full pages are after a load (fillfactor, page splits)
    index_pk: bool  # a secondary index entry holds the primary key (InnoDB)
    pk_index: bool  # the primary key is an index of its own (not the table's order, the rowid)

    def _pages(self, rows: int, width: int) -> int:
        per_page = max(1, int((self.page_bytes - self.page_header) * self.fill // width))
        return math.ceil(rows / per_page) if rows else 0

    def row_bytes(self, columns: list[Column], chars: Mapping[str, int]) -> int:
        data = sum(
            value_bytes(c, chars.get(c.name))
            for c in columns
            if c.generated is None or c.generated.stored
        )
        size = self.row_overhead + data
        return size + (-size) % self.align

    def table_bytes(self, rows: int, columns: list[Column], chars: Mapping[str, int]) -> int:
        return self._pages(rows, self.row_bytes(columns, chars)) * self.page_bytes

    def index_bytes(
        self, rows: int, key: list[Column], pk: list[Column], chars: Mapping[str, int]
    ) -> int:
        width = self.entry_overhead + sum(value_bytes(c, chars.get(c.name)) for c in key)
        if self.index_pk:
            width += sum(value_bytes(c, chars.get(c.name)) for c in pk)
        width += (-width) % self.align
        leaves = self._pages(rows, width)
        return math.ceil(leaves * 1.01) * self.page_bytes  # and about 1 % of inner pages

    def inverted_bytes(self, rows: int) -> int:
        """A full-text (GIN, FULLTEXT) index: compressed posting lists, about 32 bytes a row."""
        return self._pages(rows, INVERTED_ROW_BYTES) * self.page_bytes


POSTGRES = StorageModel(
    page_bytes=8192,
    page_header=24,
    row_overhead=24 + 4,  # heap tuple header (23, aligned) and its line pointer
    align=8,
    entry_overhead=8 + 4,  # index tuple header (with the heap pointer) and line pointer
    fill=1.0,  # a heap loaded in one go; B-tree leaves are built 90 % full: in entry_overhead
    index_pk=False,
    pk_index=True,
)
MYSQL = StorageModel(
    page_bytes=16384,
    page_header=120,
    row_overhead=5 + 6 + 7 + 2,  # record header, transaction id, roll pointer, directory slot
    align=1,
    entry_overhead=5 + 2,
    fill=15 / 16,  # InnoDB leaves 1/16 of each page free for updates
    index_pk=True,
    pk_index=False,  # the table is clustered on it
)
SQLITE = StorageModel(
    page_bytes=4096,
    page_header=12,
    row_overhead=4 + 2,  # record header and cell pointer (varints, about)
    align=1,
    entry_overhead=4 + 2 + 4,  # record header, cell pointer, the rowid
    fill=0.9,
    index_pk=False,
    pk_index=False,  # an integer primary key is the rowid the table is ordered by
)

__all__ = ["MYSQL", "POSTGRES", "SQLITE", "TEXT_CAP", "StorageModel", "value_bytes"]
