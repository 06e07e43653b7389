"""Every command's --help shows examples, and every example runs as written.

Each line of a help's "Examples:" section that starts with ``dbdesign `` runs in a shell, in a
temporary folder holding a copy of the repository's ``examples/``, with its database URLs
(``postgresql://localhost/app``, ``mysql://...``) replaced by a fresh scratch database on the
test servers, and ``$DBDESIGN_DATABASE_URL`` set to the same database for examples that name
none. The scratch PostgreSQL database holds ``examples/shop.sql`` (the tables the examples
query; for ``advise``, with the HypoPG and pg_stat_statements extensions; the MySQL one, for
``explain`` and ``advise``, ``examples/shop_mysql.sql``), except for
``migrate`` examples, which build their own schema from
``examples/migrations`` (``down``, ``status``, ``validate`` and ``repair`` find its migrations
applied), and examples that ``--create`` the schema. An example must exit 0, or 1 where the
command reports findings or differences (lint, diff): never 2.

The embedded server's data directory is a temporary one that no example may start (each uses
the scratch database), so ``dbdesign server stop`` examples stop nothing shared.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from dbdesign import engine
from dbdesign.cli import app
from tests.conftest import server_url
from tests.mysqlload import mysql_server_url
from tests.paths import ROOT

# Commands whose exit code 1 reports findings or differences.
FINDINGS_EXIT_1 = {("lint",), ("diff",)}
# migrate commands that are shown on a database where examples/migrations is applied
AFTER_UP = {"down", "status", "validate", "repair"}
_PG_URL = re.compile(r"\bpostgres(?:ql)?://[^\s'\"]+")
_MYSQL_URL = re.compile(r"\b(?:mysql|mariadb)://[^\s'\"]+")


def _commands() -> Iterator[tuple[tuple[str, ...], Any]]:
    def walk(c: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
        subs = getattr(c, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, (*path, name))
        else:
            yield path, c

    yield from walk(typer.main.get_command(app), ())


COMMANDS = [path for path, _ in _commands()]


def help_examples(path: tuple[str, ...]) -> list[str]:
    """The lines of the "Examples:" section of ``dbdesign PATH --help`` that start with
    ``dbdesign ``, as a user sees them."""
    r = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "400", "NO_COLOR": "1"})
    assert r.exit_code == 0, r.output
    out: list[str] = []
    inside = False
    for raw in r.output.splitlines():
        line = raw.strip()
        if line == "Examples:":
            inside = True
        elif inside and line.startswith(("╭", "│", "╰")):
            break  # the options panels follow the description
        elif inside and line.startswith("dbdesign "):
            out.append(line)
    return out


EXAMPLES = [(path, line) for path in COMMANDS for line in help_examples(path)]


def test_every_command_has_an_example() -> None:
    assert len(COMMANDS) >= 18
    for path in COMMANDS:
        examples = help_examples(path)
        assert examples, f"dbdesign {' '.join(path)} --help shows no example"
        for line in examples:
            assert line.startswith(f"dbdesign {' '.join(path)}"), (path, line)


def test_examples_use_files_that_exist() -> None:
    for _, line in EXAMPLES:
        for word in shlex.split(line.replace("<", " ").replace(">", " ")):
            if word.startswith("examples/"):
                assert (ROOT / word).exists(), f"{line}: {word} does not exist"


@pytest.fixture(scope="module")
def embedded_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An embedded-server data directory for the examples: nothing may start a server in it."""
    d = tmp_path_factory.mktemp("embedded") / "pg"
    yield d
    started = (d / "PG_VERSION").exists()
    if started:
        saved = os.environ.get(engine.ENV_EMBEDDED_DIR)
        os.environ[engine.ENV_EMBEDDED_DIR] = str(d)
        try:
            engine.embedded_stop()
        finally:
            if saved is None:
                os.environ.pop(engine.ENV_EMBEDDED_DIR, None)
            else:
                os.environ[engine.ENV_EMBEDDED_DIR] = saved
    assert not started, "an example started the embedded server instead of using --db"


def _prepare_postgres(url: str, path: tuple[str, ...], line: str, cwd: Path) -> None:
    if path[0] == "migrate":
        if path[1] in AFTER_UP:
            r = CliRunner().invoke(
                app, ["migrate", "up", "--dir", str(cwd / "examples" / "migrations"), "--db", url]
            )
            assert r.exit_code == 0, r.output
        return
    if "--create" in line.split():
        return
    with engine.connect(url, autocommit=True) as conn:
        conn.execute((cwd / "examples" / "shop.sql").read_text())
        if path[0] == "advise":  # what-if indexes; the statistics advise can read
            conn.execute("CREATE EXTENSION hypopg")
            conn.execute("CREATE EXTENSION pg_stat_statements")


def _prepare_mysql(url: str, path: tuple[str, ...], cwd: Path) -> None:
    if path[0] not in ("explain", "advise"):
        return
    from dbdesign import dialects

    conn = engine.connect_mysql(url, autocommit=True)
    try:
        with conn.cursor() as cur:
            script = (cwd / "examples" / "shop_mysql.sql").read_text()
            for statement in dialects.get("mysql").split_statements(script):
                cur.execute(statement)
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("path", "line"), EXAMPLES, ids=[f"{' '.join(p)}: {line}" for p, line in EXAMPLES]
)
def test_help_example_runs(
    path: tuple[str, ...], line: str, tmp_path: Path, embedded_dir: Path
) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    with engine.scratch_database(server_url("pg15")) as pg_url:
        _prepare_postgres(pg_url, path, line, tmp_path)
        command = _PG_URL.sub(lambda _: shlex.quote(pg_url), line)
        if _MYSQL_URL.search(command):
            with engine.mysql_scratch_database(mysql_server_url()) as my_url:
                _prepare_mysql(my_url, path, tmp_path)
                command = _MYSQL_URL.sub(lambda _: shlex.quote(my_url), command)
                r = _run(command, tmp_path, pg_url, embedded_dir)
        else:
            r = _run(command, tmp_path, pg_url, embedded_dir)
    allowed = {0, 1} if path in FINDINGS_EXIT_1 else {0}
    assert r.returncode in allowed, (
        f"{line}\n-> exit {r.returncode}\nstdout:\n{r.stdout[-3000:]}\nstderr:\n{r.stderr}"
    )


def _run(command: str, cwd: Path, db_url: str, embedded: Path) -> subprocess.CompletedProcess[str]:
    assert command.startswith("dbdesign ")
    # the dbdesign of this Python, whatever is on PATH
    command = f"{shlex.quote(sys.executable)} -m dbdesign {command.removeprefix('dbdesign ')}"
    env = {
        **os.environ,
        engine.ENV_DATABASE_URL: db_url,
        engine.ENV_EMBEDDED_DIR: str(embedded),
        "NO_COLOR": "1",
    }
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
