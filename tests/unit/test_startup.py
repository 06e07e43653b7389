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
print(" ".join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["lint", "--help"]])
def test_start_up_imports_nothing_heavy(args: list[str]) -> None:
    p = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    loaded = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
    assert loaded == "", f"dbdesign {' '.join(args)} imported {loaded}"
