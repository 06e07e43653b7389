"""COMMENT ON for the PostgreSQL DDL reader: every kind of object the model keeps a comment on."""

from __future__ import annotations

import dataclasses
from typing import Any

from dbdesign.model import FrozenMap
from dbdesign.readers.ddl.pgast import names as _names
from dbdesign.readers.ddl.pgbuild import Tree
from dbdesign.readers.ddl.pgstate import ReaderState


class CommentStatements(ReaderState):
    """COMMENT ON."""

    def _on_CommentStmt(self, s: Tree) -> None:
        objtype = s["objtype"]
        obj: Any = s.get("object")
        comment: str | None = s.get("comment")
        if objtype in ("OBJECT_SCHEMA", "OBJECT_EXTENSION"):
            name = obj["String"]["sval"]
            if objtype == "OBJECT_SCHEMA" and name in self.namespaces:
                self.namespaces[name] = dataclasses.replace(self.namespaces[name], comment=comment)
            elif objtype == "OBJECT_EXTENSION" and name in self.extensions:
                self.extensions[name] = dataclasses.replace(self.extensions[name], comment=comment)
            return
        if objtype in ("OBJECT_FUNCTION", "OBJECT_PROCEDURE", "OBJECT_AGGREGATE", "OBJECT_ROUTINE"):
            key = self._function_key(obj["ObjectWithArgs"])
            if key in self.functions:
                self.functions[key] = dataclasses.replace(self.functions[key], comment=comment)
            return
        names = _names(
            obj["List"]["items"]
            if "List" in obj
            else obj.get("TypeName", {}).get("names")
            if "TypeName" in obj
            else [obj]
        )
        if objtype == "OBJECT_COLUMN":
            *rel, col = names
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
            return
        if objtype == "OBJECT_DOMCONSTRAINT":  # object: [TypeName, String]
            type_node, con_node = obj["List"]["items"]
            key = "{}.{}".format(*self._qual_names(_names(type_node["TypeName"]["names"])))
            cname = con_node["String"]["sval"]
            if key in self.domains and cname in self.domains[key].checks:
                d = self.domains[key]
                checks = dict(d.checks)
                checks[cname] = dataclasses.replace(checks[cname], comment=comment)
                self.domains[key] = dataclasses.replace(d, checks=FrozenMap(checks))
            return
        if objtype in ("OBJECT_TABCONSTRAINT", "OBJECT_TRIGGER", "OBJECT_POLICY", "OBJECT_RULE"):
            *rel, oname = names
            schema, table = self._qual_names(rel)
            key = f"{schema}.{table}"
            if objtype == "OBJECT_TABCONSTRAINT" and key in self.tables:
                t = self.tables[key]
                if t.primary_key is not None and t.primary_key.name == oname:
                    t.primary_key = dataclasses.replace(t.primary_key, comment=comment)
                for coll in t.constraint_maps():
                    if oname in coll:
                        coll[oname] = dataclasses.replace(coll[oname], comment=comment)
            else:
                store = self._named_stores().get(objtype, {})
                k = f"{key}.{oname}"
                if k in store:
                    store[k] = dataclasses.replace(store[k], comment=comment)
            return
        schema, name = self._qual_names(names)
        key = f"{schema}.{name}"
        stores: dict[str, dict[str, Any]] = {
            "OBJECT_TABLE": self.tables,
            "OBJECT_VIEW": self.views,
            "OBJECT_MATVIEW": self.views,
            "OBJECT_INDEX": self.indexes,
            "OBJECT_SEQUENCE": self.sequences,
            "OBJECT_TYPE": {**self.enums, **self.composites},
            "OBJECT_DOMAIN": self.domains,
            "OBJECT_COLLATION": self.collations,
        }
        if objtype == "OBJECT_TABLE" and key in self.tables:
            self.tables[key].comment = comment
        elif objtype == "OBJECT_TYPE":
            for store in (self.enums, self.composites, self.domains):
                if key in store:
                    store[key] = dataclasses.replace(store[key], comment=comment)  # type: ignore
        elif objtype in stores and key in stores[objtype]:
            store = stores[objtype]
            store[key] = dataclasses.replace(store[key], comment=comment)
        else:
            self._warn(f"COMMENT ON {objtype.removeprefix('OBJECT_')} {key}: object not found")
