"""Starting the CLI stays cheap: ``dbdesign --version`` and ``--help`` import neither the model,
the parsers nor a database driver (each costs tens of milliseconds on every run; issue 15's
benchmark of start-up). What a command needs it imports when it runs."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("dbdesign.model", "pglast", "psycopg", "pymysql", "sqlglot", "dbdesign.dialects.postgres")

PROBE = """
import sys
from dbdesign.cli import main
try:
    main()
except SystemExit:
    pass
print("loaded:", *(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


def loaded(args: list[str], heavy: tuple[str, ...]) -> str:
    """The modules of ``heavy`` that ``dbdesign ARGS`` imported, space-separated."""
    p = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=heavy), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    last = p.stderr.strip().splitlines()[-1]
    assert last.startswith("loaded:"), p.stderr
    return last.removeprefix("loaded:").strip()


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["lint", "--help"]])
def test_start_up_imports_nothing_heavy(args: list[str]) -> None:
    assert loaded(args, HEAVY) == ""


def test_migrating_sqlite_imports_no_server_driver(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``migrate up`` on a SQLite file imports neither psycopg nor PyMySQL (the backends and
    the PostgreSQL connection module import their driver when one is used), nor sqlglot: the
    lint of the pending migrations reads them without comparing expressions or ordering views
    (the SQLite and MySQL expression normalisers and the emitters' view order load it when they
    first run; importing every normaliser at once cost migrate up a third of its time)."""
    (tmp_path / "0001_t.up.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
    (tmp_path / "0001_t.down.sql").write_text("DROP TABLE t;\n")
    args = ["migrate", "up", "--db", f"sqlite:///{tmp_path / 'm.db'}", "--dir", str(tmp_path)]
    assert loaded(args, ("psycopg", "pymysql", "sqlglot")) == ""
    assert (tmp_path / "m.db").exists()


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["lint", "schema.sql"], "lint"),
        (["-q", "--color", "never", "migrate", "up"], "migrate"),
        (["--color=never", "docs", "x.sql"], "docs"),
        (["--help", "lint"], None),
        (["-v"], None),
        (["--", "lint"], "lint"),
    ],
)
def test_the_command_a_command_line_names(args: list[str], name: str | None) -> None:
    from dbdesign.cli import _named_command

    assert _named_command(args) == name


def test_the_help_and_an_unknown_command_still_know_every_command() -> None:
    """A run builds only its own command's options (cli._only_the_named_command); the
    top-level help, an unknown command's error and a group's help still know every command."""
    from dbdesign.cli import COMMAND_MODULES

    def dbdesign(*args: str) -> subprocess.CompletedProcess[str]:
        code = "import sys; from dbdesign.cli import main; sys.argv[0] = 'dbdesign'; main()"
        env_args = [sys.executable, "-c", code, *args]
        return subprocess.run(env_args, capture_output=True, text=True, timeout=120)

    top = dbdesign("--help")
    assert top.returncode == 0
    for name in ("inspect", "rules", *COMMAND_MODULES):
        assert f" {name} " in top.stdout, name
    wrong = dbdesign("lnt")
    assert wrong.returncode == 2 and "Did you mean 'lint'" in wrong.stderr
    sub = dbdesign("-q", "migrate", "--help")
    assert sub.returncode == 0 and "status" in sub.stdout
