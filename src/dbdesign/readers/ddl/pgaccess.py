"""Access control for the PostgreSQL DDL reader: ALTER ... OWNER TO, GRANT / REVOKE and row
security policies. (Owners are kept by :class:`~dbdesign.readers.ddl.pgstate.ReaderState`, since
every CREATE records one.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from dbdesign.model import Function, Grant, Policy
from dbdesign.readers.ddl.pgbuild import TableBuilder, Tree, role_of
from dbdesign.readers.ddl.pgstate import ReaderState

_ALL_PRIVILEGES = {
    "OBJECT_TABLE": ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"),
    "OBJECT_SEQUENCE": ("USAGE", "SELECT", "UPDATE"),
    "OBJECT_SCHEMA": ("USAGE", "CREATE"),
    "OBJECT_FUNCTION": ("EXECUTE",),
    "OBJECT_PROCEDURE": ("EXECUTE",),
    "OBJECT_ROUTINE": ("EXECUTE",),
    "OBJECT_TYPE": ("USAGE",),
    "OBJECT_DOMAIN": ("USAGE",),
}


class AccessStatements(ReaderState):
    """ALTER ... OWNER TO, GRANT, REVOKE, CREATE POLICY."""

    def _on_AlterOwnerStmt(self, s: Tree) -> None:
        kind = s.get("objectType")
        obj = s.get("object") or {}
        if kind in ("OBJECT_FUNCTION", "OBJECT_PROCEDURE", "OBJECT_ROUTINE", "OBJECT_AGGREGATE"):
            self._change_owner("fn:" + self._function_key(obj["ObjectWithArgs"]), s["newowner"])
        elif kind == "OBJECT_SCHEMA":
            self._change_owner("ns:" + obj["String"]["sval"], s["newowner"])

    def _on_GrantStmt(self, s: Tree) -> None:
        objtype = s.get("objtype", "OBJECT_TABLE")
        if s.get("targtype", "ACL_TARGET_OBJECT") != "ACL_TARGET_OBJECT":
            self._warn("GRANT ... ON ALL ... IN SCHEMA is not modelled; skipped")
            return
        privs = self._object_privileges(s.get("privileges") or ())
        if s.get("privileges") and not privs:
            return
        grantees = [
            self._role_name(g["RoleSpec"]) or "CURRENT_USER" for g in s.get("grantees") or ()
        ]
        for obj in s.get("objects") or ():
            target = self._grant_target(objtype, obj)
            if target is not None:
                self._grant(s, *target, privs, grantees)

    def _object_privileges(self, privileges: Iterable[Tree]) -> list[str]:
        """The privileges a GRANT or REVOKE names (none: ALL of them); those on columns are
        not modelled (a warning each)."""
        privs = []
        for p in privileges:
            ap = p["AccessPriv"]
            if ap.get("cols"):
                self._warn(
                    f"column-level privilege {ap['priv_name'].upper()} is not modelled; skipped"
                )
                continue
            privs.append(ap["priv_name"].upper())
        return privs

    def _grant(
        self,
        s: Tree,
        store: dict[str, Any],
        key: str,
        kind: str,
        privs: list[str],
        grantees: list[str],
    ) -> None:
        """One object's grants after the GRANT or REVOKE ``s``."""
        is_grant, option = bool(s.get("is_grant")), bool(s.get("grant_option"))
        all_privs = privs or list(_ALL_PRIVILEGES.get(kind, ()))
        item = store[key]
        prefix = {"OBJECT_SCHEMA": "ns:", "OBJECT_TABLE": "rel:", "OBJECT_SEQUENCE": "rel:"}
        owner = self._owner(prefix.get(kind, "fn:") + key)
        if not is_grant and owner in grantees:
            self._warn(
                f"REVOKE ... FROM {owner} on {key}: the owner's own privileges are not "
                "modelled (the owner holds them all); skipped for the owner"
            )
        grants = _regranted(set(item.grants), grantees, all_privs, is_grant, option)
        if isinstance(item, TableBuilder):
            item.grants = grants
        elif isinstance(item, Function):
            # PUBLIC's EXECUTE is the server's default: kept as public_execute
            public = "PUBLIC" in grantees and "EXECUTE" in all_privs
            default = Grant(grantee="PUBLIC", privilege="EXECUTE")
            execute = item.public_execute or default in grants
            if public and not is_grant and not option:
                execute = False
            grants.discard(default)
            store[key] = dataclasses.replace(item, grants=frozenset(grants), public_execute=execute)
        else:
            # an object the file never creates (schema public) is placed at its GRANT
            origin = item.origin if item.origin is not None else self._origin()
            store[key] = dataclasses.replace(item, grants=frozenset(grants), origin=origin)

    def _grant_target(self, objtype: str, obj: Tree) -> tuple[dict[str, Any], str, str] | None:
        if objtype == "OBJECT_SCHEMA":
            name = obj["String"]["sval"]
            return (self.namespaces, name, objtype) if name in self.namespaces else None
        if objtype in ("OBJECT_FUNCTION", "OBJECT_PROCEDURE", "OBJECT_ROUTINE"):
            key = self._function_key(obj["ObjectWithArgs"])
            return (self.functions, key, objtype) if key in self.functions else None
        if "RangeVar" in obj:
            schema, name = self._qual(obj["RangeVar"])
            key = f"{schema}.{name}"
            if key in self.tables:
                return self.tables, key, "OBJECT_TABLE"
            if key in self.views:
                return self.views, key, "OBJECT_TABLE"
            if key in self.sequences:
                return self.sequences, key, "OBJECT_SEQUENCE"
        self._warn(f"GRANT on {objtype.removeprefix('OBJECT_')}: object not modelled; skipped")
        return None

    def _on_CreatePolicyStmt(self, s: Tree) -> None:
        schema, table = self._qual(s["table"])
        roles = tuple(role_of(r["RoleSpec"]) for r in s.get("roles") or ()) or ("PUBLIC",)
        pol = Policy(
            schema=schema,
            table=table,
            name=s["policy_name"],
            command=s.get("cmd_name", "all").upper(),
            permissive=bool(s.get("permissive", False)),
            roles=tuple(sorted(roles)),
            using=self._expr(s["qual"]) if s.get("qual") else None,
            with_check=self._expr(s["with_check"]) if s.get("with_check") else None,
            origin=self._origin(),
        )
        self.policies[pol.key] = pol


def _regranted(
    grants: set[Grant], grantees: list[str], privs: list[str], is_grant: bool, option: bool
) -> set[Grant]:
    """``grants`` after GRANT (``option``: WITH GRANT OPTION) or REVOKE (``option``: GRANT
    OPTION FOR, which leaves the privilege itself) of ``privs`` to or from ``grantees``."""
    for g in grantees:
        for p in privs:
            if is_grant:
                grants.discard(Grant(grantee=g, privilege=p, grantable=not option))
                grants.add(Grant(grantee=g, privilege=p, grantable=option))
            else:
                grants.discard(Grant(grantee=g, privilege=p, grantable=True))
                if not option:
                    grants.discard(Grant(grantee=g, privilege=p, grantable=False))
                else:
                    grants.add(Grant(grantee=g, privilege=p, grantable=False))
    return grants
