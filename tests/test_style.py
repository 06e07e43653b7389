"""The code style the project keeps, checked in the suite (so CI checks it):

- ``ruff check`` and ``ruff format --check`` clean on src/, tests/, bench/ and scripts/;
- ``mypy`` (strict, pyproject.toml) clean on src/;
- ruff's complexity checks (C901 above 15, PLR0912 too many branches, PLR0915 too many
  statements) are part of ``ruff check`` on src/ (pyproject.toml; issue 15: no function in src/
  is over them).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = ["src", "tests", "bench", "scripts"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_ruff_check() -> None:
    r = _run("ruff", "check", "--output-format", "concise", *CODE)
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format() -> None:
    r = _run("ruff", "format", "--check", *CODE)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_strict_on_src() -> None:
    r = _run("mypy")
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_function_over_the_complexity_limits_is_reported(tmp_path: Path) -> None:
    """The limits are in the project's ruff configuration, so ``ruff check`` (above) reports a
    function in src/ that passes them."""
    branches = "".join(f"    if x == {i}:\n        y += {i}\n" for i in range(20))
    f = tmp_path / "complex.py"
    f.write_text(f"def f(x: int) -> int:\n    y = 0\n{branches}    return y\n")
    config = str(ROOT / "pyproject.toml")
    r = _run(
        "ruff", "check", "--no-cache", "--config", config, "--output-format", "concise", str(f)
    )
    assert r.returncode == 1, r.stdout + r.stderr
    assert "C901" in r.stdout and "PLR0912" in r.stdout, r.stdout
