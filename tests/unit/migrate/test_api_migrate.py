"""The migration functions of dbdesign.api, the ones `dbdesign migrate` calls, on SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dbdesign import api
from dbdesign.errors import MigrationError
from dbdesign.migrate.runner import Settings


def test_new_up_status_test_down(tmp_path: Path) -> None:
    settings = Settings(dir=tmp_path / "migrations")
    settings.dir.mkdir()
    up, down = api.migrate_new(settings, "customers")
    assert (up.name, down.name) == ("0001_customers.up.sql", "0001_customers.down.sql")
    up.write_text("CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n")
    down.write_text("DROP TABLE customer;\n")
    db = tmp_path / "app.db"
    url = f"sqlite:///{db}"

    with pytest.raises(MigrationError, match="no such SQLite database"):
        api.migrate_up(url, settings, dry_run=True)  # a dry run creates no database file
    assert not db.exists()
    said: list[str] = []
    api.migrate_up(url, settings, echo=said.append)
    assert said and "0001" in said[0]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM customer").fetchone() == (0,)
    status = api.migrate_status(url, settings)
    assert [e.status for e in status.entries] == ["applied"] and not status.drift

    assert api.migrate_test(url, settings).ok
    planned = api.migrate_down(url, settings, dry_run=True)
    assert [(s.migration.version, s.direction) for s in planned] == [("0001", "down")]
    assert [e.status for e in api.migrate_status(url, settings).entries] == ["applied"]
    api.migrate_down(url, settings)
    assert [e.status for e in api.migrate_status(url, settings).entries] == ["pending"]
