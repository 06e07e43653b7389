"""docs/agents.md's client configurations are valid JSON that start the real command, and the
command accepts them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT

PAGE = (ROOT / "docs" / "agents.md").read_text()
COMMAND = Path(sys.executable).with_name("dbdesign")


def snippets() -> list[dict[str, object]]:
    blocks = re.findall(r"```json\n(.*?)```", PAGE, re.S)
    assert len(blocks) >= 2
    return [json.loads(b) for b in blocks]


def test_every_snippet_starts_dbdesign_mcp(tmp_path: Path) -> None:
    for config in snippets():
        servers = config.get("mcpServers") or config.get("servers")
        assert isinstance(servers, dict) and set(servers) == {"dbdesign"}
        server = servers["dbdesign"]
        assert server["command"] == "dbdesign" and server["args"][0] == "mcp"
        assert server.get("type", "stdio") == "stdio"
        assert COMMAND.is_file()  # the console script the project installs
        r = subprocess.run(
            [str(COMMAND), *server["args"], "--check"],
            env={"PATH": str(COMMAND.parent), **server["env"]},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert r.returncode == 0, r.stderr
        assert "database app: postgres" in r.stdout


def test_the_page_names_every_tool_and_the_flags() -> None:
    from dbdesign.mcp.server import TOOLS

    for name in TOOLS:
        assert f"| `{name}` |" in PAGE, name
    for flag in ("--allow-urls", "--allow-analyze-writes", "--http", "DBDESIGN_MCP_DATABASES"):
        assert flag in PAGE
    help_text = subprocess.run(
        [str(COMMAND), "mcp", "--help"], capture_output=True, text=True, timeout=60
    ).stdout
    assert "--allow-urls" in help_text and "--allow-analyze-writes" in help_text
