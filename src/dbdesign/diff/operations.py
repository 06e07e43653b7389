"""Schema changes as data: one frozen dataclass per kind of change.

An operation holds the model values it changes (before and after where both exist), so it knows
its inverse (:meth:`Operation.inverse`) and whether it deletes data (:attr:`destructive`). It does
not render SQL: :mod:`dbdesign.diff.postgres_sql` turns operations into statements, each with its
:class:`Hazard` list (locks, rewrites, scans, index builds, data loss).

Keys follow the model (``docs/model.md``): ``schema.name`` for relations and types,
``schema.name(argtypes)`` for routines, ``schema.table`` plus a name for columns, constraints,
triggers, policies and rules.

The operations are defined beside this module, one module per kind of object, and gathered
here, so that the rest of the code names them ``op.CreateTable`` after ``from dbdesign.diff
import operations as op``:

- :mod:`~dbdesign.diff.ops_base`: :class:`Operation`, :class:`Hazard`;
- :mod:`~dbdesign.diff.ops_schema`: schemas, extensions, collations, sequences;
- :mod:`~dbdesign.diff.ops_types`: types and domains;
- :mod:`~dbdesign.diff.ops_tables`: whole tables (rebuilds, partitions, inheritance);
- :mod:`~dbdesign.diff.ops_columns`: columns (and :func:`lossless` type changes);
- :mod:`~dbdesign.diff.ops_constraints`: constraints and indexes;
- :mod:`~dbdesign.diff.ops_code`: views, routines, triggers, rules, policies;
- :mod:`~dbdesign.diff.ops_grants`: comments and grants.
"""

from __future__ import annotations

# A name imported as itself is not in __all__ but is named through this module elsewhere (the
# planner, the SQL writers, the tests).
from dbdesign.diff.ops_base import Hazard, Operation
from dbdesign.diff.ops_code import (
    AlterPolicy,
    CreateFunction,
    CreatePolicy,
    CreateRule,
    CreateTrigger,
    CreateView,
    DropFunction,
    DropPolicy,
    DropRule,
    DropTrigger,
    DropView,
    ReplaceFunction,
    ReplaceView,
    SetTriggerEnabled,
)
from dbdesign.diff.ops_columns import (
    AddColumn,
    AddIdentity,
    AlterColumnType,
    AlterIdentity,
    DropColumn,
    DropDefault,
    DropExpression,
    DropIdentity,
    DropNotNull,
    RenameColumn,
    ReplaceColumn,
    SetDefault,
    SetNotNull,
    lossless,
)
from dbdesign.diff.ops_constraints import (
    AddConstraint,
    Constraint,
    CreateIndex,
    DropConstraint,
    DropIndex,
    InvalidateConstraint,
    RenameConstraint,
    ValidateConstraint,
)
from dbdesign.diff.ops_constraints import ConstraintForm as ConstraintForm
from dbdesign.diff.ops_grants import (
    GrantPrivilege,
    ObjectRef,
    RevokePrivilege,
    SetComment,
)
from dbdesign.diff.ops_grants import ObjectKind as ObjectKind
from dbdesign.diff.ops_schema import (
    AlterExtensionSchema,
    AlterExtensionVersion,
    AlterSequence,
    CreateCollation,
    CreateExtension,
    CreateSchema,
    CreateSequence,
    DropCollation,
    DropExtension,
    DropSchema,
    DropSequence,
    SetSequenceOwner,
)
from dbdesign.diff.ops_tables import (
    AddInherit,
    AttachPartition,
    ColumnLoss,
    CreateTable,
    CreateVirtualTable,
    DetachPartition,
    DropInherit,
    DropTable,
    DropVirtualTable,
    ProvePartitionBound,
    RebuildTable,
    RenameTable,
    SetLogged,
    SetRowSecurity,
    SetTableAside,
    SetTableOptions,
)
from dbdesign.diff.ops_tables import RestoreTable as RestoreTable
from dbdesign.diff.ops_tables import rebuild_name as rebuild_name
from dbdesign.diff.ops_types import (
    AddDomainConstraint,
    AddEnumValue,
    AlterDomainDefault,
    AlterDomainNotNull,
    CreateEnum,
    CreateType,
    DropDomainConstraint,
    DropEnum,
    DropType,
    RenameDomainConstraint,
    RenameType,
    ReplaceType,
    TypeUse,
)
from dbdesign.diff.ops_types import TypeDef as TypeDef
from dbdesign.model import Extension as Extension
from dbdesign.model import Function as Function
from dbdesign.model import Policy as Policy
from dbdesign.model import Rule as Rule
from dbdesign.model import Trigger as Trigger

__all__ = [
    "AddColumn",
    "AddConstraint",
    "AddDomainConstraint",
    "AddEnumValue",
    "AddIdentity",
    "AddInherit",
    "AlterColumnType",
    "AlterDomainDefault",
    "AlterDomainNotNull",
    "AlterExtensionSchema",
    "AlterExtensionVersion",
    "AlterIdentity",
    "AlterPolicy",
    "AlterSequence",
    "AttachPartition",
    "ColumnLoss",
    "Constraint",
    "CreateCollation",
    "CreateEnum",
    "CreateExtension",
    "CreateFunction",
    "CreateIndex",
    "CreatePolicy",
    "CreateRule",
    "CreateSchema",
    "CreateSequence",
    "CreateTable",
    "CreateTrigger",
    "CreateType",
    "CreateView",
    "CreateVirtualTable",
    "DetachPartition",
    "DropCollation",
    "DropColumn",
    "DropConstraint",
    "DropDefault",
    "DropDomainConstraint",
    "DropEnum",
    "DropExpression",
    "DropExtension",
    "DropFunction",
    "DropIdentity",
    "DropIndex",
    "DropInherit",
    "DropNotNull",
    "DropPolicy",
    "DropRule",
    "DropSchema",
    "DropSequence",
    "DropTable",
    "DropTrigger",
    "DropType",
    "DropView",
    "DropVirtualTable",
    "GrantPrivilege",
    "Hazard",
    "InvalidateConstraint",
    "ObjectRef",
    "Operation",
    "ProvePartitionBound",
    "RebuildTable",
    "RenameColumn",
    "RenameConstraint",
    "RenameDomainConstraint",
    "RenameTable",
    "RenameType",
    "ReplaceColumn",
    "ReplaceFunction",
    "ReplaceType",
    "ReplaceView",
    "RevokePrivilege",
    "SetComment",
    "SetDefault",
    "SetLogged",
    "SetNotNull",
    "SetRowSecurity",
    "SetSequenceOwner",
    "SetTableAside",
    "SetTableOptions",
    "SetTriggerEnabled",
    "TypeUse",
    "ValidateConstraint",
    "lossless",
]
