"""``dbdesign migrate`` commands other than ``up`` on a SQLite file that is not there: a typo in
``--db`` must not leave an empty database behind (nor read as one with nothing applied). Each
refuses with exit 2 and one line naming the file and the command, and the file is not created;
``migrate up`` still creates the database, after which the same commands work."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbdesign.errors import MigrationError
from dbdesign.migrate.runner import Settings, migrate, status
from tests.integration.test_migrate_helpers import cli, write_folder

FILES = {
    "0001_t.up.sql": "create table t (id integer primary key);\n",
    "0001_t.down.sql": "drop table t;\n",
}

# (the arguments, the command as the message names it)
COMMANDS = [
    (("status",), "migrate status"),
    (("validate",), "migrate validate"),
    (("down",), "migrate down"),
    (("up", "--dry-run"), "migrate up --dry-run"),
    (("down", "--dry-run"), "migrate down --dry-run"),
    (("baseline", "0001"), "migrate baseline"),
    (("repair",), "migrate repair"),
]


@pytest.mark.parametrize("form", ["url", "path"])
@pytest.mark.parametrize(("args", "command"), COMMANDS, ids=[c[1] for c in COMMANDS])
def test_a_missing_sqlite_file_is_refused_not_created(
    tmp_path: Path, args: tuple[str, ...], command: str, form: str
) -> None:
    folder = write_folder(tmp_path / "m", FILES)
    db = tmp_path / "typo.db"
    target = f"sqlite:///{db}" if form == "url" else str(db)
    r = cli("migrate", *args, "--db", target, "--dir", str(folder))
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stderr.strip().splitlines() == [
        f"dbdesign: error: {db}: no such SQLite database ({command} does not create one; "
        "migrate up does)"
    ]
    assert not db.exists()
    assert list(tmp_path.iterdir()) == [folder]  # no journal or other file either


def test_up_creates_the_database_and_then_the_others_read_it(tmp_path: Path) -> None:
    s = Settings(dir=write_folder(tmp_path / "m", FILES))
    db = tmp_path / "app.db"
    url = f"sqlite:///{db}"
    with pytest.raises(MigrationError, match="no such SQLite database"):
        status(url, s)
    assert len(migrate(url, s)) == 1
    assert [e.status for e in status(url, s).entries] == ["applied"]
    folder = str(s.dir)
    for args in (("status",), ("validate",), ("up", "--dry-run"), ("repair",)):
        r = cli("migrate", *args, "--db", url, "--dir", folder)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    assert cli("migrate", "down", "--db", url, "--dir", folder).returncode == 0
    assert [e.status for e in status(url, s).entries] == ["pending"]


def test_an_in_memory_database_is_not_a_missing_file(tmp_path: Path) -> None:
    s = Settings(dir=write_folder(tmp_path / "m", FILES))
    assert [e.status for e in status("sqlite:///:memory:", s).entries] == ["pending"]
    assert not (Path.cwd() / ":memory:").exists()
