"""`inspect` of a large schema shows a progress bar on a terminal (and nothing elsewhere)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dbdesign.cli.progress import MIN_BYTES


def _schema(path: Path) -> None:
    with path.open("w") as f:
        i = 0
        while f.tell() < MIN_BYTES + (1 << 20):
            f.write(f"CREATE TABLE t_{i} (id bigint PRIMARY KEY, name text NOT NULL);\n")
            i += 1


def test_progress_on_a_terminal_only(tmp_path: Path) -> None:
    big = tmp_path / "big.sql"
    _schema(big)
    cmd = [sys.executable, "-m", "dbdesign", "inspect", str(big)]
    # stderr to a pseudo-terminal: the bar is drawn there
    leader, follower = os.openpty()
    try:
        proc = subprocess.run(
            cmd,
            stdout=subprocess.PIPE,
            stderr=follower,
            timeout=300,
            env={**os.environ, "COLUMNS": "100"},
        )
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    assert proc.returncode == 0
    assert b"reading" in seen and b"MB" in seen, seen[-500:]
    # not a terminal: nothing on stderr, the same report on stdout
    plain = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert plain.returncode == 0 and plain.stderr == ""
    assert plain.stdout.encode() == proc.stdout
