"""The README's examples run, and CI runs the README's test command."""

from __future__ import annotations

import os
import re

from tests.paths import ROOT

README = (ROOT / "README.md").read_text()


def test_readme_python_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for block in blocks:
            exec(compile(block, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)


def test_quickstart_has_two_commands_and_ci_runs_the_test_one() -> None:
    quick = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick, re.S)
    assert len(commands) == 2
    demo, test = commands
    assert "dbdesign design" in (ROOT / demo.split()[0]).read_text()
    assert "pytest" in (ROOT / test.split()[0]).read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    # CI runs the README's test command itself, as its last line
    assert ci.strip().splitlines()[-1] in (test, f"exec {test}")


def test_every_command_is_documented() -> None:
    from dbdesign.cli import app

    for cmd in app.registered_commands:
        name = cmd.name or (cmd.callback.__name__ if cmd.callback else "")
        assert f"dbdesign {name}" in README, f"README does not show `dbdesign {name}`"


def test_architecture_examples_run() -> None:
    """docs/architecture.md's Python blocks, in a process of their own (one registers a
    dialect, which must not leak into the other tests)."""
    import subprocess
    import sys

    text = (ROOT / "docs" / "architecture.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 2
    r = subprocess.run(
        [sys.executable, "-c", "\n".join(blocks)], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
