"""docs/migration-lint.md's shell examples run as written, in order, in one folder; the pre-commit
hook and the GitHub Actions example it points to are valid and run the documented command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.paths import ROOT

DOC = (ROOT / "docs" / "migration-lint.md").read_text()


def run_blocks(cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBDESIGN_")}
    prelude = f'dbdesign() {{ "{sys.executable}" -m dbdesign "$@"; }}\n'
    out = []
    for block in re.findall(r"^```sh\n(.*?)^```", DOC, re.S | re.M):
        out.append(
            subprocess.run(
                ["bash", "-c", prelude + block],
                cwd=cwd,
                capture_output=True,
                text=True,
                env=env,
                timeout=300,
            )
        )
    return out


def test_shell_examples_run(tmp_path: Path) -> None:
    results = run_blocks(tmp_path)
    assert len(results) == 6
    for r in results:  # 1: the linter's findings; never 2 (usage or input error)
        assert r.returncode in (0, 1), r.stderr
        assert "Traceback" not in r.stderr
    unsafe, safe, _options, version, suppressed, ci = results
    assert unsafe.returncode == 1
    assert "MIG001" in unsafe.stdout and "MIG005" in unsafe.stdout
    assert "CREATE INDEX CONCURRENTLY idx_orders_customer" in unsafe.stdout
    assert safe.returncode == 0, safe.stdout
    assert "exit 1: unsafe on 11" in version.stdout
    assert suppressed.returncode == 0, suppressed.stdout
    assert not (tmp_path / "migrations" / "0005_reset_staging.up.sql").exists()
    # --changed-since HEAD: only the new file is reported; 'none' is a constant default (no
    # rewrite on 11+) and lock_timeout is set, so nothing to say
    assert ci.returncode == 0, ci.stdout
    sarif = json.loads((tmp_path / "migration-lint.sarif").read_text())
    assert sarif["runs"][0]["results"] == []


def test_ci_examples_are_what_the_doc_says() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    hook = hooks["dbdesign-lint-migrations"]
    assert hook["entry"] == "dbdesign lint --migrations"
    assert hook["language"] == "python"
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
    for path in (
        "migrations/0002_a.up.sql",
        "db/migrate/20240101_a.sql",
        "app/migrations/V1__a.sql",
    ):
        assert files.search(path) and not exclude.search(path), path
    for path in ("schema.sql", "migrations/0002_a.down.sql", "src/migrations.py"):
        assert not (files.search(path) and not exclude.search(path)), path
    flow = yaml.safe_load((ROOT / "docs" / "ci" / "github-actions-migration-lint.yml").read_text())
    steps = flow["jobs"]["migration-lint"]["steps"]
    command = " ".join(s.get("run", "") for s in steps)
    assert (
        "dbdesign lint --migrations migrations/ --changed-since origin/${{ github.base_ref }}"
        in command
    )
    assert "--format github" in command
    assert steps[0]["with"]["fetch-depth"] == 0
    for link in ("ci/github-actions-migration-lint.yml", "../.pre-commit-hooks.yaml"):
        assert f"]({link})" in DOC
