"""Operations on what is attached to any object: comments, and privileges granted or revoked.
:class:`ObjectRef` names the object they are attached to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dbdesign.diff.ops_base import Operation
from dbdesign.model import Grant

ObjectKind = Literal[
    "SCHEMA",
    "COLLATION",
    "TABLE",
    "VIEW",
    "MATERIALIZED VIEW",
    "COLUMN",
    "INDEX",
    "SEQUENCE",
    "TYPE",
    "DOMAIN",
    "FUNCTION",
    "PROCEDURE",
    "AGGREGATE",
    "TRIGGER",
    "POLICY",
    "RULE",
    "CONSTRAINT",
    "DOMAIN CONSTRAINT",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectRef:
    """What a comment or a grant is attached to: a kind, the object's key and, for columns,
    constraints, triggers, policies and rules, the member's name (``key`` is then the table's
    or domain's key)."""

    kind: ObjectKind
    key: str
    member: str | None = None

    def __str__(self) -> str:
        return f"{self.key}.{self.member}" if self.member is not None else self.key


@dataclass(frozen=True, slots=True, kw_only=True)
class SetComment(Operation):
    target: ObjectRef
    old: str | None
    new: str | None

    @property
    def subject(self) -> str:
        return str(self.target)

    def describe(self) -> str:
        verb = "drop comment on" if self.new is None else "comment on"
        return f"{verb} {self.target.kind.lower()} {self.target}"

    def inverse(self) -> Operation:
        return SetComment(target=self.target, old=self.new, new=self.old)


@dataclass(frozen=True, slots=True, kw_only=True)
class GrantPrivilege(Operation):
    """GRANT priv ON object TO grantee [WITH GRANT OPTION]; with ``option_only`` the privilege
    is already held and only the grant option is added."""

    target: ObjectRef
    grant: Grant
    option_only: bool = False

    @property
    def subject(self) -> str:
        return str(self.target)

    def describe(self) -> str:
        opt = " with grant option" if self.grant.grantable else ""
        return f"grant {self.grant.privilege} on {self.target} to {self.grant.grantee}{opt}"

    def inverse(self) -> Operation:
        return RevokePrivilege(target=self.target, grant=self.grant, option_only=self.option_only)


@dataclass(frozen=True, slots=True, kw_only=True)
class RevokePrivilege(Operation):
    """REVOKE priv ON object FROM grantee; with ``option_only``: REVOKE GRANT OPTION FOR."""

    target: ObjectRef
    grant: Grant
    option_only: bool = False

    @property
    def subject(self) -> str:
        return str(self.target)

    def describe(self) -> str:
        what = (
            f"grant option for {self.grant.privilege}"
            if self.option_only
            else (self.grant.privilege)
        )
        return f"revoke {what} on {self.target} from {self.grant.grantee}"

    def inverse(self) -> Operation:
        return GrantPrivilege(target=self.target, grant=self.grant, option_only=self.option_only)
