"""Renames from explicit hints: ``{"public.old": "new"}`` (a table, view, index, sequence or
type) and ``{"public.t.old": "new"}`` (a column). Never guessed.

:func:`apply_renames` returns the source schema as the server would show it after the
``ALTER ... RENAME`` statements, and those statements as operations: the rest of the diff then
compares objects under their new names. The server follows a renamed table in foreign keys,
indexes, triggers, policies, rules, partitions, inheritance and owned sequences, a renamed
sequence in the defaults that call it (``nextval('s')`` is stored as ``nextval(oid)``), and a
renamed column in keys, indexes and expressions; so does this function. View definitions and
function bodies are not rewritten: a view over a renamed object compares different and is
re-created, and a function body names a sequence by text, resolved when it runs.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Mapping
from typing import Any

from dbdesign.diff import operations as op
from dbdesign.errors import ConfigError
from dbdesign.model import DataType, FrozenMap, Schema, Table

__all__ = ["apply_renames", "invert_renames", "parse_rename"]


def parse_rename(text: str) -> tuple[str, str]:
    """``public.old=new`` or ``public.t.old=new`` -> (old key, new name)."""
    old, eq, new = text.partition("=")
    old, new = old.strip(), new.strip()
    if not eq or not old or not new or "." not in old:
        raise ConfigError(
            f"--rename {text!r}: expected schema.old=new (a table, view, index, sequence or type) "
            "or schema.table.old=new (a column)"
        )
    if "." in new:
        raise ConfigError(f"--rename {text!r}: the new name is a bare name, without a schema")
    return old, new


def _split(key: str, schema: Schema) -> tuple[str, str | None, str]:
    """(schema, table or None, name). Table keys may not contain dots; a column hint has three
    parts whose first two name a table."""
    parts = key.split(".")
    if len(parts) == 2:
        return parts[0], None, parts[1]
    for i in range(len(parts) - 1, 1, -1):
        table = ".".join(parts[:i])
        if table in schema.tables:
            return parts[0], table, ".".join(parts[i:])
    if len(parts) == 3:
        return parts[0], f"{parts[0]}.{parts[1]}", parts[2]
    raise ConfigError(f"--rename {key}: no such object")


def apply_renames(source: Schema, renames: Mapping[str, str]) -> tuple[Schema, list[op.Operation]]:
    """The source schema after the renames, and the rename operations (tables first)."""
    ops: list[op.Operation] = []
    objects = [(k, v) for k, v in renames.items() if k.count(".") == 1]
    columns = [(k, v) for k, v in renames.items() if k.count(".") >= 2]
    s = source
    table_map: dict[str, str] = {}
    for old_key, new in sorted(objects):
        schema_name = old_key.split(".")[0]
        new_key = f"{schema_name}.{new}"
        if old_key not in _relation_keys(s):
            hint = ""
            tables = [k for k in s.tables if k.split(".", 1)[1] == schema_name]
            column = old_key.split(".", 1)[1]
            if any(s.tables[k].column(column) is not None for k in tables):
                hint = f" (a column? write {tables[0]}.{column}={new})"
            raise ConfigError(
                f"--rename {old_key}={new}: {old_key} is not in the source schema{hint}"
            )
        if new_key in _relation_keys(s):
            raise ConfigError(f"--rename {old_key}={new}: {new_key} already exists")
        if old_key in s.tables:
            s = _rename_table(s, old_key, new)
            table_map[old_key] = new_key
            ops.append(op.RenameTable(old_key=old_key, new_name=new, relation="TABLE"))
        elif old_key in s.views:
            v = s.views[old_key]
            s = dataclasses.replace(
                s, views=_rekey(s.views, old_key, dataclasses.replace(v, name=new))
            )
            ops.append(
                op.RenameTable(
                    old_key=old_key,
                    new_name=new,
                    relation="MATERIALIZED VIEW" if v.materialized else "VIEW",
                )
            )
        elif old_key in s.indexes:
            ix = s.indexes[old_key]
            s = dataclasses.replace(
                s, indexes=_rekey(s.indexes, old_key, dataclasses.replace(ix, name=new))
            )
            ops.append(op.RenameTable(old_key=old_key, new_name=new, relation="INDEX"))
        elif old_key in s.sequences:
            s = _rename_sequence(s, old_key, new)
            ops.append(op.RenameTable(old_key=old_key, new_name=new, relation="SEQUENCE"))
        else:
            s = _rename_type(s, old_key, new)
            ops.append(op.RenameType(old_key=old_key, new_name=new, domain=old_key in s.domains))
    for old_key, new in sorted(columns):
        _, table, col = _split(old_key, s)
        assert table is not None
        table = table_map.get(table, table)
        t = s.tables.get(table)
        if t is None or t.column(col) is None:
            raise ConfigError(f"--rename {old_key}={new}: no column {col} in table {table}")
        if t.column(new) is not None:
            raise ConfigError(f"--rename {old_key}={new}: {table} already has a column {new}")
        s = _rename_column(s, table, col, new)
        ops.append(op.RenameColumn(table=table, old=col, new=new))
    return s, ops


def invert_renames(renames: Mapping[str, str]) -> dict[str, str]:
    """Hints for the reverse diff: new names back to old ones."""
    out: dict[str, str] = {}
    tables: dict[str, str] = {}
    for k, v in renames.items():
        if k.count(".") == 1:
            schema, old = k.split(".")
            out[f"{schema}.{v}"] = old
            tables[k] = f"{schema}.{v}"
    for k, v in renames.items():
        if k.count(".") >= 2:
            table, _, old = k.rpartition(".")
            out[f"{tables.get(table, table)}.{v}"] = old
    return out


# --------------------------------------------------------------------------- model edits


def _relation_keys(s: Schema) -> set[str]:
    return (
        set(s.tables)
        | set(s.views)
        | set(s.indexes)
        | set(s.sequences)
        | set(s.enums)
        | set(s.domains)
        | set(s.composite_types)
    )


def _rekey(coll: FrozenMap, old_key: str, new_obj: object) -> FrozenMap:  # type: ignore[type-arg]
    items = {k: v for k, v in coll.items() if k != old_key}
    items[new_obj.key] = new_obj  # type: ignore[attr-defined]
    return FrozenMap(items)


def _rename_table(s: Schema, old_key: str, new: str) -> Schema:
    t = s.tables[old_key]
    new_key = f"{t.schema}.{new}"
    tables = {}
    for k, x in s.tables.items():
        if k == old_key:
            x = dataclasses.replace(x, name=new)
        fks = FrozenMap(
            {
                n: dataclasses.replace(f, ref_table=new_key) if f.ref_table == old_key else f
                for n, f in x.foreign_keys.items()
            }
        )
        x = dataclasses.replace(
            x,
            foreign_keys=fks,
            partition_of=new_key if x.partition_of == old_key else x.partition_of,
            inherits=tuple(new_key if p == old_key else p for p in x.inherits),
        )
        tables[x.key] = x
    indexes = FrozenMap(
        {
            k: dataclasses.replace(i, table=new) if i.table_key == old_key else i
            for k, i in s.indexes.items()
        }
    )

    def member(coll: FrozenMap) -> FrozenMap:  # type: ignore[type-arg]
        out = {}
        for x in coll.values():
            if f"{x.schema}.{x.table}" == old_key:
                x = dataclasses.replace(x, table=new)
            out[x.key] = x
        return FrozenMap(out)

    sequences = FrozenMap(
        {
            k: dataclasses.replace(q, owned_by=new_key + q.owned_by[len(old_key) :])
            if q.owned_by and q.owned_by.startswith(old_key + ".")
            else q
            for k, q in s.sequences.items()
        }
    )
    return dataclasses.replace(
        s,
        tables=FrozenMap(tables),
        indexes=indexes,
        triggers=member(s.triggers),
        policies=member(s.policies),
        rules=member(s.rules),
        sequences=sequences,
    )


def _rename_sequence(s: Schema, old_key: str, new: str) -> Schema:
    """The sequence under its new name, and the defaults (of columns and domains) that call it
    naming it so, as the server shows them after ALTER SEQUENCE ... RENAME: it stores the
    sequence's oid in the default, so only the name shown changes."""
    from dbdesign.readers.ddl.pgrename import sequence_in_expr  # (pglast: PostgreSQL only)

    q = s.sequences[old_key]
    new_key = f"{q.schema}.{new}"

    def default(x: Any) -> Any:
        """``x`` (a column or domain) with its default following the rename; ``x`` itself
        when the default does not call the sequence."""
        e = x.default and sequence_in_expr(x.default, old_key, new_key)
        return x if e is x.default else dataclasses.replace(x, default=e)

    tables = FrozenMap(
        {
            # by identity: comparing expressions would normalise every default
            k: t
            if all(map(operator.is_, cols, t.columns))
            else dataclasses.replace(t, columns=cols)
            for k, t in s.tables.items()
            for cols in [tuple(default(c) for c in t.columns)]
        }
    )
    domains = FrozenMap({k: default(d) for k, d in s.domains.items()})
    return dataclasses.replace(
        s,
        sequences=_rekey(s.sequences, old_key, dataclasses.replace(q, name=new)),
        tables=tables,
        domains=domains,
    )


def _retype(t: DataType, old_key: str, new_key: str) -> DataType:
    return dataclasses.replace(t, name=new_key) if t.name == old_key else t


def _rename_type(s: Schema, old_key: str, new: str) -> Schema:
    schema_name = old_key.split(".")[0]
    new_key = f"{schema_name}.{new}"
    enums, domains, comps = s.enums, s.domains, s.composite_types
    if old_key in enums:
        enums = _rekey(enums, old_key, dataclasses.replace(enums[old_key], name=new))
    elif old_key in domains:
        domains = _rekey(domains, old_key, dataclasses.replace(domains[old_key], name=new))
    else:
        comps = _rekey(comps, old_key, dataclasses.replace(comps[old_key], name=new))
    tables = FrozenMap(
        {
            k: dataclasses.replace(
                t,
                columns=tuple(
                    dataclasses.replace(c, type=_retype(c.type, old_key, new_key))
                    for c in t.columns
                ),
            )
            for k, t in s.tables.items()
        }
    )
    return dataclasses.replace(
        s, enums=enums, domains=domains, composite_types=comps, tables=tables
    )


def _rename_column(s: Schema, table_key: str, old: str, new: str) -> Schema:
    from dbdesign.readers.ddl.pgrename import ColumnRename

    r = ColumnRename(old, new)
    t = s.tables[table_key]
    t = dataclasses.replace(
        t,
        columns=tuple(r.column(c) for c in t.columns),
        primary_key=r.primary_key(t.primary_key) if t.primary_key else None,
        uniques=FrozenMap({n: r.unique(u) for n, u in t.uniques.items()}),
        checks=FrozenMap({n: r.check(c) for n, c in t.checks.items()}),
        foreign_keys=FrozenMap({n: r.foreign_key(f) for n, f in t.foreign_keys.items()}),
    )
    tables: dict[str, Table] = {}
    for k, x in s.tables.items():
        if k == table_key:
            x = t
        fks = {
            n: r.referencing(f) if f.ref_table == table_key else f
            for n, f in x.foreign_keys.items()
        }
        tables[k] = dataclasses.replace(x, foreign_keys=FrozenMap(fks))
    owned, renamed = f"{table_key}.{old}", f"{table_key}.{new}"
    return dataclasses.replace(
        s,
        tables=FrozenMap(tables),
        indexes=FrozenMap(
            {k: r.index(ix) if ix.table_key == table_key else ix for k, ix in s.indexes.items()}
        ),
        sequences=FrozenMap(
            {
                k: dataclasses.replace(q, owned_by=renamed) if q.owned_by == owned else q
                for k, q in s.sequences.items()
            }
        ),
        triggers=FrozenMap(
            {
                k: r.trigger(tr) if f"{tr.schema}.{tr.table}" == table_key else tr
                for k, tr in s.triggers.items()
            }
        ),
        policies=FrozenMap(
            {
                k: r.policy(p) if f"{p.schema}.{p.table}" == table_key else p
                for k, p in s.policies.items()
            }
        ),
    )
