"""Expression normalisers, one per dialect, registered with the model on import."""

from dbdesign.model import register_normaliser
from dbdesign.normalize.postgres import normalize as _postgres

register_normaliser("postgres", _postgres)

try:  # SQLite's normaliser is optional until its module exists
    from dbdesign.normalize import sqlite as _sqlite  # noqa: F401
except ImportError:  # pragma: no cover
    pass
