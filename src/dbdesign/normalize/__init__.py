"""Expression normalisers, one per dialect; each module registers itself with the model."""

from dbdesign.model import register_normaliser
from dbdesign.normalize import mysql as _mysql  # noqa: F401 - registers "mysql"
from dbdesign.normalize import sqlite as _sqlite  # noqa: F401 - registers "sqlite"
from dbdesign.normalize.postgres import normalize as _postgres

register_normaliser("postgres", _postgres)
