"""COMMENT ON for the PostgreSQL DDL reader: every kind of object the model keeps a comment on."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from dbdesign.model import FrozenMap
from dbdesign.readers.ddl.pgast import names as _names
from dbdesign.readers.ddl.pgbuild import Tree
from dbdesign.readers.ddl.pgstate import ReaderState


class CommentStatements(ReaderState):
    """COMMENT ON."""

    def _on_CommentStmt(self, s: Tree) -> None:
        objtype = s["objtype"]
        comment_on = _COMMENT_ON.get(objtype, CommentStatements._comment_on_relation)
        comment_on(self, objtype, s.get("object"), s.get("comment"))

    # COMMENT ON by the kind of object: (its kind, the object as the statement names it, the
    # comment or None); see _COMMENT_ON.

    def _comment_on_schema(self, objtype: str, obj: Any, comment: str | None) -> None:
        name = obj["String"]["sval"]
        if name in self.namespaces:
            self.namespaces[name] = dataclasses.replace(self.namespaces[name], comment=comment)

    def _comment_on_extension(self, objtype: str, obj: Any, comment: str | None) -> None:
        name = obj["String"]["sval"]
        if name in self.extensions:
            self.extensions[name] = dataclasses.replace(self.extensions[name], comment=comment)

    def _comment_on_routine(self, objtype: str, obj: Any, comment: str | None) -> None:
        key = self._function_key(obj["ObjectWithArgs"])
        if key in self.functions:
            self.functions[key] = dataclasses.replace(self.functions[key], comment=comment)

    def _comment_on_column(self, objtype: str, obj: Any, comment: str | None) -> None:
        """A table's column, or a view's (kept apart from the view's query)."""
        *rel, col = _object_names(obj)
        schema, table = self._qual_names(rel)
        key = f"{schema}.{table}"
        if key in self.tables:
            self.tables[key].set_col(col, comment=comment)
        elif key in self.views:
            v = self.views[key]
            cc = dict(v.column_comments)
            if comment is None:
                cc.pop(col, None)
            else:
                cc[col] = comment
            self.views[key] = dataclasses.replace(v, column_comments=FrozenMap(cc))

    def _comment_on_domain_constraint(self, objtype: str, obj: Any, comment: str | None) -> None:
        type_node, con_node = obj["List"]["items"]  # [TypeName, String]
        key = "{}.{}".format(*self._qual_names(_names(type_node["TypeName"]["names"])))
        cname = con_node["String"]["sval"]
        if key in self.domains and cname in self.domains[key].checks:
            d = self.domains[key]
            checks = dict(d.checks)
            checks[cname] = dataclasses.replace(checks[cname], comment=comment)
            self.domains[key] = dataclasses.replace(d, checks=FrozenMap(checks))

    def _comment_on_table_constraint(self, objtype: str, obj: Any, comment: str | None) -> None:
        *rel, oname = _object_names(obj)
        schema, table = self._qual_names(rel)
        t = self.tables.get(f"{schema}.{table}")
        if t is None:
            return
        if t.primary_key is not None and t.primary_key.name == oname:
            t.primary_key = dataclasses.replace(t.primary_key, comment=comment)
        for coll in t.constraint_maps():
            if oname in coll:
                coll[oname] = dataclasses.replace(coll[oname], comment=comment)

    def _comment_on_table_object(self, objtype: str, obj: Any, comment: str | None) -> None:
        """A trigger, policy or rule: named ``[schema.]table.name``."""
        *rel, oname = _object_names(obj)
        schema, table = self._qual_names(rel)
        store = self._named_stores()[objtype]
        k = f"{schema}.{table}.{oname}"
        if k in store:
            store[k] = dataclasses.replace(store[k], comment=comment)

    def _comment_on_table(self, objtype: str, obj: Any, comment: str | None) -> None:
        key = "{}.{}".format(*self._qual_names(_object_names(obj)))
        if key in self.tables:
            self.tables[key].comment = comment
        else:
            self._warn(f"COMMENT ON {objtype.removeprefix('OBJECT_')} {key}: object not found")

    def _comment_on_type(self, objtype: str, obj: Any, comment: str | None) -> None:
        """COMMENT ON TYPE: an enum, a composite type, or a domain named as a type."""
        key = "{}.{}".format(*self._qual_names(_object_names(obj)))
        for store in (self.enums, self.composites, self.domains):
            if key in store:
                store[key] = dataclasses.replace(store[key], comment=comment)  # type: ignore

    def _comment_on_relation(self, objtype: str, obj: Any, comment: str | None) -> None:
        """Any other object keyed ``schema.name``: view, index, sequence, domain, collation."""
        key = "{}.{}".format(*self._qual_names(_object_names(obj)))
        stores: dict[str, dict[str, Any]] = {
            "OBJECT_VIEW": self.views,
            "OBJECT_MATVIEW": self.views,
            "OBJECT_INDEX": self.indexes,
            "OBJECT_SEQUENCE": self.sequences,
            "OBJECT_DOMAIN": self.domains,
            "OBJECT_COLLATION": self.collations,
        }
        store = stores.get(objtype)
        if store is not None and key in store:
            store[key] = dataclasses.replace(store[key], comment=comment)
        else:
            self._warn(f"COMMENT ON {objtype.removeprefix('OBJECT_')} {key}: object not found")


_COMMENT_ON: dict[str, Callable[[CommentStatements, str, Any, str | None], None]] = {
    "OBJECT_SCHEMA": CommentStatements._comment_on_schema,
    "OBJECT_EXTENSION": CommentStatements._comment_on_extension,
    "OBJECT_FUNCTION": CommentStatements._comment_on_routine,
    "OBJECT_PROCEDURE": CommentStatements._comment_on_routine,
    "OBJECT_AGGREGATE": CommentStatements._comment_on_routine,
    "OBJECT_ROUTINE": CommentStatements._comment_on_routine,
    "OBJECT_COLUMN": CommentStatements._comment_on_column,
    "OBJECT_DOMCONSTRAINT": CommentStatements._comment_on_domain_constraint,
    "OBJECT_TABCONSTRAINT": CommentStatements._comment_on_table_constraint,
    "OBJECT_TRIGGER": CommentStatements._comment_on_table_object,
    "OBJECT_POLICY": CommentStatements._comment_on_table_object,
    "OBJECT_RULE": CommentStatements._comment_on_table_object,
    "OBJECT_TABLE": CommentStatements._comment_on_table,
    "OBJECT_TYPE": CommentStatements._comment_on_type,
}


def _object_names(obj: Any) -> list[str]:
    """The name a COMMENT gives an object: a name list, a TypeName, or one name."""
    return _names(
        obj["List"]["items"]
        if "List" in obj
        else obj.get("TypeName", {}).get("names")
        if "TypeName" in obj
        else [obj]
    )
