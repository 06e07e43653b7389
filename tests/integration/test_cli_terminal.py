"""What dbdesign prints on a terminal besides the report: colour (NO_COLOR, FORCE_COLOR,
--color), --quiet and --verbose, and shell completion.

Colour is checked on a real pseudo-terminal (os.openpty): dbdesign must see a terminal on
stdout and stderr, as a user's shell gives it.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dbdesign import engine
from tests.conftest import server_url
from tests.paths import ROOT

ESC = "\x1b["
SGR = re.compile(r"\x1b\[([0-9;]*)m")
# a schema with findings of every severity's colour, and a statement the reader warns about
SCHEMA = """\
CREATE TABLE "Orders" (
    id int,
    total float,
    customer text
);
CREATE CAST (text AS int) WITH INOUT;
"""


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NO_COLOR", "FORCE_COLOR", "PY_COLORS", "COLUMNS", "TTY_COMPATIBLE")
        and not k.startswith("GITHUB")
    }
    env["TERM"] = "xterm-256color"
    env.update(extra)
    return env


def on_tty(args: list[str], env: dict[str, str], timeout: float = 120) -> tuple[int, str]:
    """Run ``dbdesign ARGS`` with stdout and stderr on a pseudo-terminal; (exit code, output)."""
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dbdesign", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=ROOT,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)
        os.close(master)
    return code, b"".join(chunks).decode("utf-8", "replace")


def piped(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    p = tmp_path / "orders.sql"
    p.write_text(SCHEMA)
    return p


def _colours(text: str) -> list[str]:
    """The SGR parameters that set a colour (30-49, 90-107: not bold, dim or reset)."""
    out = []
    for m in SGR.finditer(text):
        for p in m[1].split(";"):
            if p.isdigit() and (30 <= int(p) <= 49 or 90 <= int(p) <= 107):
                out.append(m[0])
    return out


# ---- colour ------------------------------------------------------------------------------


def test_lint_is_coloured_on_a_terminal(schema: Path) -> None:
    code, out = on_tty(["lint", str(schema)], _env())
    assert code == 1, out
    assert "NAM" in out  # the findings are shown ...
    assert ESC in out and _colours(out)  # ... in colour


@pytest.mark.parametrize("value", ["1", "true", "0", "no"])
def test_no_color_turns_lint_colour_off_on_a_terminal(schema: Path, value: str) -> None:
    code, out = on_tty(["lint", str(schema)], _env(NO_COLOR=value))
    assert code == 1, out
    assert "NAM" in out
    assert ESC not in out, repr(out[:500])


def test_an_empty_no_color_does_not_count(schema: Path) -> None:
    code, out = on_tty(["lint", str(schema)], _env(NO_COLOR=""))
    assert code == 1
    assert ESC in out


def test_color_never_on_a_terminal(schema: Path) -> None:
    code, out = on_tty(["--color", "never", "lint", str(schema)], _env())
    assert code == 1
    assert "NAM" in out and ESC not in out


def test_lint_is_plain_in_a_pipe_unless_forced(schema: Path) -> None:
    r = piped(["lint", str(schema)], _env())
    assert r.returncode == 1 and "NAM" in r.stdout and ESC not in r.stdout
    r = piped(["lint", str(schema)], _env(FORCE_COLOR="1"))
    assert r.returncode == 1 and ESC in r.stdout
    r = piped(["--color", "always", "lint", str(schema)], _env())
    assert r.returncode == 1 and ESC in r.stdout
    # NO_COLOR wins over FORCE_COLOR; an explicit --color wins over both
    r = piped(["lint", str(schema)], _env(FORCE_COLOR="1", NO_COLOR="1"))
    assert ESC not in r.stdout
    r = piped(["--color", "always", "lint", str(schema)], _env(NO_COLOR="1"))
    assert ESC in r.stdout


def test_help_has_no_colour_with_no_color() -> None:
    code, out = on_tty(["lint", "--help"], _env())
    assert code == 0 and _colours(out), "typer's help is coloured on a terminal"
    for env, args in (
        (_env(NO_COLOR="1"), ["lint", "--help"]),
        (_env(), ["--color", "never", "lint", "--help"]),
        (_env(), ["--color", "never", "--help"]),
    ):
        code, out = on_tty(args, env)
        assert code == 0 and "Usage" in out
        assert not _colours(out), (args, repr(out[:300]))


def test_design_progress_follows_no_color_and_quiet(tmp_path: Path) -> None:
    """The proof's progress messages (a rich console on stderr, on a terminal only)."""
    spec = str(ROOT / "examples" / "fleet_telemetry.yaml")
    with engine.scratch_database(server_url("pg15")) as url:
        base = _env(DBDESIGN_DATABASE_URL=url)
        code, out = on_tty(["design", spec], base, timeout=300)
        assert code == 0, out
        progress = [ln for ln in out.splitlines() if "… applying" in ln]
        assert progress and ESC in progress[0]
        code, out = on_tty(["design", spec], {**base, "NO_COLOR": "1"}, timeout=300)
        assert code == 0, out
        assert "… applying the initial migration" in out
        assert ESC not in out, repr(out[:500])
        code, out = on_tty(["-q", "design", spec], base, timeout=300)
        assert code == 0, out
        assert "…" not in out and "result: PASS" in out


# ---- --quiet and --verbose ---------------------------------------------------------------


def test_quiet_drops_warnings_but_not_the_report_or_errors(schema: Path, tmp_path: Path) -> None:
    r = piped(["inspect", str(schema)], _env())
    assert r.returncode == 0 and "not part of the schema model" in r.stderr
    q = piped(["--quiet", "inspect", str(schema)], _env())
    assert q.returncode == 0 and q.stderr == "" and q.stdout == r.stdout
    q = piped(["-q", "inspect", str(tmp_path / "missing.sql")], _env())
    assert q.returncode == 2 and "dbdesign: error:" in q.stderr
    # a note of diff: a change PostgreSQL cannot make in a transaction, say
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text("CREATE TABLE t (id int PRIMARY KEY, v int);\n")
    b.write_text("CREATE TABLE t (id int PRIMARY KEY, v int);\nCREATE INDEX t_v ON t (v);\n")
    loud = piped(["diff", str(a), str(b)], _env())
    quiet = piped(["-q", "diff", str(a), str(b)], _env())
    assert loud.returncode == quiet.returncode == 1
    assert quiet.stdout == loud.stdout and quiet.stderr == ""


def test_verbose_names_the_database_and_the_time(pg_scratch: str) -> None:
    r = piped(["--verbose", "inspect", pg_scratch], _env())
    assert r.returncode == 0, r.stderr
    assert f"dbdesign: reading {engine.redact_url(pg_scratch)}" in r.stderr
    assert re.search(r"dbdesign: finished in \d+\.\d\d s \(exit code 0\)", r.stderr)
    r = piped(["-v", "explain", "SELECT 1", "--db", pg_scratch], _env())
    assert r.returncode == 0, r.stderr
    assert f"dbdesign: database: {engine.redact_url(pg_scratch)}" in r.stderr
    plain = piped(["explain", "SELECT 1", "--db", pg_scratch], _env())
    assert plain.stderr == ""


def test_verbose_redacts_passwords() -> None:
    url = "postgresql://alice:s3cret@127.0.0.1:1/db"
    r = piped(["-v", "inspect", url], _env(DBDESIGN_DATABASE_URL=url))
    assert r.returncode == 2
    assert "s3cret" not in r.stderr + r.stdout
    assert "reading postgresql://alice:***@127.0.0.1:1/db" in r.stderr


def test_quiet_and_verbose_together_is_a_usage_error() -> None:
    r = piped(["-q", "-v", "rules"], _env())
    assert r.returncode == 2 and "--quiet or --verbose" in r.stderr


# ---- completion ---------------------------------------------------------------------------


def test_shell_completion_is_offered_and_answers() -> None:
    """Completion answers from the installed script; that it answers quickly (start-up imports
    no heavy module) is test_start_up_imports_no_heavy_module's behavioural check."""
    r = piped(["--help"], _env(COLUMNS="200"))
    assert "--install-completion" in r.stdout and "--show-completion" in r.stdout
    # the shell runs the installed script: completion is keyed to its name
    script = Path(sys.executable).parent / "dbdesign"
    assert script.exists()
    env = _env(_DBDESIGN_COMPLETE="complete_bash", COMP_WORDS="dbdesign migrate st", COMP_CWORD="2")
    r = subprocess.run([str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0
    assert r.stdout.split() == ["status"]


def test_start_up_imports_no_heavy_module() -> None:
    code = (
        "import sys; import dbdesign.cli; "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('rich', 'psycopg', 'pglast', 'pydantic', 'sqlglot', 'yaml', 'pgserver'))))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""
