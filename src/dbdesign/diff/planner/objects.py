"""Schemas (namespaces), extensions, collations and sequences (with the column that owns
one).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from dbdesign.diff import operations as op
from dbdesign.diff.planner.order import Res
from dbdesign.diff.planner.state import PlanState, column_res, relname_res
from dbdesign.emit.pg_builder import PUBLIC_DEFAULT_COMMENT, PUBLIC_DEFAULT_GRANTS
from dbdesign.model import Namespace, Schema, Sequence

# The ``public`` schema every new PostgreSQL database has: a side without it has this one.
DEFAULT_PUBLIC = Namespace(
    name="public", grants=PUBLIC_DEFAULT_GRANTS, comment=PUBLIC_DEFAULT_COMMENT
)


def owner_table(owned_by: str | None, sch: Schema) -> tuple[str, str] | None:
    """The table and column of ``sch`` that own a sequence (``owned_by``: table key and column)."""
    if not owned_by:
        return None
    table, _, column = owned_by.rpartition(".")
    if table in sch.tables:
        return table, column
    for tk in sch.tables:
        if owned_by.startswith(tk + "."):
            return tk, owned_by[len(tk) + 1 :]
    return None


class SchemaObjectSteps(PlanState):
    """Create, drop and alter schemas, extensions, collations and sequences."""

    def _emit_namespaces(self) -> None:
        s, t = self.s, self.t
        for name, ns in t.namespaces.items():
            if name not in s.namespaces and name != "public":
                self.create_object("schema", name, op.CreateSchema(namespace=ns))
        for name, ns in s.namespaces.items():
            if name not in t.namespaces and name != "public":
                self.drop_object("schema", name, op.DropSchema(namespace=ns))
        both = s.namespaces.keys() & t.namespaces.keys()
        if "public" in s.namespaces.keys() ^ t.namespaces.keys():
            both |= {"public"}  # the other side has the default one, which it cannot drop
        for name in both:
            a = s.namespaces.get(name, DEFAULT_PUBLIC)
            b = t.namespaces.get(name, DEFAULT_PUBLIC)
            self.comment("SCHEMA", name, a.comment, b.comment, owner=("schema", name))
            self.grants("SCHEMA", name, a.grants, b.grants, ("schema", name))

    def _emit_extensions(self) -> None:
        s, t = self.s, self.t
        for name, ext in t.extensions.items():
            old = s.extensions.get(name)
            if old is None:
                self.create_object("extension", name, op.CreateExtension(extension=ext))
                continue
            if old.schema != ext.schema and ext.schema is not None:
                self.add(
                    op.AlterExtensionSchema(
                        name=name, old_schema=old.schema, new_schema=ext.schema
                    ),
                    uses_new={("schema", ext.schema)},
                    uses_old={("schema", old.schema or "public")},
                )
            # A version counts when both sides state one (a catalog always does; a DDL file
            # when its CREATE EXTENSION says VERSION): it is not part of the model's equality.
            if old.version and ext.version and old.version != ext.version:
                self.add(
                    op.AlterExtensionVersion(
                        name=name, old_version=old.version, new_version=ext.version
                    )
                )
        for name, ext in s.extensions.items():
            if name not in t.extensions:
                self.drop_object("extension", name, op.DropExtension(extension=ext))

    def _emit_collations(self) -> None:
        """Create and drop collations. PostgreSQL cannot alter one: a changed collation that
        nothing uses is dropped and re-created; one in use is noted and left as it is."""
        s, t = self.s, self.t
        for key, coll in t.collations.items():
            old = s.collations.get(key)
            if old is not None and dataclasses.replace(old, comment=None) != dataclasses.replace(
                coll, comment=None
            ):
                users = _collation_users(s, key)
                if users:
                    self.notes.append(
                        f"collation {key} differs and PostgreSQL cannot alter a collation: "
                        f"{', '.join(users[:3])}{' ...' if len(users) > 3 else ''} use it; "
                        "create a new collation and move them to it"
                    )
                    continue
                self.drop_object("collation", key, op.DropCollation(collation=old))
                old = None
            if old is None:
                self.create_object("collation", key, op.CreateCollation(collation=coll))
            else:
                self.comment("COLLATION", key, old.comment, coll.comment, owner=("collation", key))
        for key, coll in s.collations.items():
            if key not in t.collations:
                self.drop_object("collation", key, op.DropCollation(collation=coll))

    def _owner_gone(self, owned_by: str | None) -> bool:
        """Whether the column owning a sequence is dropped (which drops the sequence)."""
        owner = owner_table(owned_by, self.s)
        if owner is None:
            return False
        tk, column = owner
        if tk in self.dropped_tables:
            return True
        tb = self.t.tables.get(tk)
        return tb is None or tb.column(column) is None

    def _owner_res(self, owned_by: str | None, side: str) -> set[Res]:
        owner = owner_table(owned_by, self._schema(side))
        return {("table", owner[0]), column_res(*owner)} if owner else set()

    def _emit_sequences(self) -> None:
        s, t = self.s, self.t
        for key, seq in t.sequences.items():
            if key not in s.sequences:
                self._create_sequence(key, seq)
        for key, seq in s.sequences.items():
            if key not in t.sequences:
                self._drop_sequence(key, seq)
        for key in s.sequences.keys() & t.sequences.keys():
            a, b = s.sequences[key], t.sequences[key]
            if a != b:
                self._diff_sequence(key, a, b)
            if a.owned_by and a.owned_by == b.owned_by:
                self._keep_sequence(key, a, b)

    def _create_sequence(self, key: str, seq: Sequence) -> None:
        self.create_object(
            "sequence",
            key,
            op.CreateSequence(sequence=seq),
            provides={relname_res(seq.schema, seq.name)},
        )
        if seq.owned_by:
            self._set_owner(key, None, seq.owned_by)

    def _drop_sequence(self, key: str, seq: Sequence) -> None:
        implied = self._owner_gone(seq.owned_by)
        step = self.drop_object(
            "sequence",
            key,
            op.DropSequence(sequence=seq, implied=implied),
            removes={relname_res(seq.schema, seq.name)},
        )
        if implied:  # after the column or table that takes it along (IF EXISTS)
            self.steps[step].after_removal |= self._owner_res(seq.owned_by, "s")

    def _diff_sequence(self, key: str, a: Sequence, b: Sequence) -> None:
        """A kept sequence: its options, its owning column, comment and grants."""
        res = ("sequence", key)
        strip: dict[str, Any] = {"owned_by": None, "grants": frozenset(), "comment": None}
        if dataclasses.replace(a, **strip) != dataclasses.replace(b, **strip):
            self.add(op.AlterSequence(old=a, new=b), uses_new={res})
        if a.owned_by != b.owned_by:
            if a.owned_by and b.owned_by:
                self._set_owner(key, a.owned_by, None)
                self._set_owner(key, None, b.owned_by)
            else:
                self._set_owner(key, a.owned_by, b.owned_by)
        self.comment("SEQUENCE", key, a.comment, b.comment, owner=res)
        self.grants("SEQUENCE", key, a.grants, b.grants, res)

    def _keep_sequence(self, key: str, a: Sequence, b: Sequence) -> None:
        """A sequence whose owning table is re-created: kept alive across DROP TABLE (owned by
        nothing until the new table is there)."""
        owner = owner_table(a.owned_by, self.s)
        if owner is not None and owner[0] in self.dropped_tables & self.new_tables:
            self._set_owner(key, a.owned_by, None)
            self._set_owner(key, None, b.owned_by)

    def _set_owner(self, key: str, old: str | None, new: str | None) -> int:
        if new is None:
            # before the owner's table or column goes (it would take the sequence with it)
            return self.add(
                op.SetSequenceOwner(sequence=key, old=old, new=None),
                uses_old=self._owner_res(old, "s") | {("owner-of", key)},
                removes={("owned", key)},
            )
        return self.add(
            op.SetSequenceOwner(sequence=key, old=old, new=new),
            uses_new={("sequence", key)} | self._owner_res(new, "t"),
            provides={("owned", key)},
        )


def _collation_users(schema: Schema, key: str) -> list[str]:
    """The columns, domains and indexes of ``schema`` that use the collation ``key``."""
    out = [
        f"{t.key}.{c.name}" for t in schema.tables.values() for c in t.columns if c.collation == key
    ]
    out += [d.key for d in schema.domains.values() if d.collation == key]
    out += [i.key for i in schema.indexes.values() if any(e.collation == key for e in i.elements)]
    return out
