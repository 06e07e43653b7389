"""Constraint-aware synthetic data: rows that satisfy a schema, loaded fast.

    >>> from dbdesign import datagen
    >>> for table, columns, rows in datagen.generate(schema, {"*": 100}, seed=1): ...
    >>> report = datagen.load("postgresql://localhost/app", schema, {"public.orders": 10**6})

Types, NOT NULL, primary keys, unique constraints and indexes (composite and partial), foreign
keys (composite, self-referencing, in cycles), check constraints of the common forms, domains,
enums and partition bounds are respected; values look real where a column's name says what it
holds (email, name, price, created_at, status ...). See docs/datagen.md.
"""

from dbdesign.datagen.generate import Batch, generate, plan
from dbdesign.datagen.load import LoadReport, TableLoad, load
from dbdesign.datagen.plan import CapacityError

__all__ = ["Batch", "CapacityError", "LoadReport", "TableLoad", "generate", "load", "plan"]
