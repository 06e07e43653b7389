"""Schema diff: compare two models, plan operations, order them, name their hazards.

    >>> from dbdesign.diff import diff_schemas
    >>> plan = diff_schemas(source, target)          # safe forms by default
    >>> print(plan.sql())                             # the migration
    >>> plan.reverse().sql()                          # the down migration

See docs/diff.md.
"""

from dbdesign.diff.operations import Hazard, Operation
from dbdesign.diff.plan import Plan, Statement, diff_schemas

__all__ = ["Hazard", "Operation", "Plan", "Statement", "diff_schemas"]
