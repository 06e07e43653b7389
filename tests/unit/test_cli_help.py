"""Every command's --help shows its text whole: the help formatter treats [brackets] as markup,
so a word in brackets that is not escaped silently disappears ("default:  dir")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from dbdesign.cli import app


def _commands() -> Iterator[tuple[list[str], Any]]:
    def walk(c: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
        subs = getattr(c, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, [*path, name])
        else:
            yield path, c

    yield from walk(typer.main.get_command(app), [])


COMMANDS = list(_commands())


def _words(text: str) -> str:
    text = text.replace("\\[", "[")
    text = re.sub(r"[│╭╮╰╯─]", " ", text)
    return " ".join(text.split())


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_help_keeps_every_word(path: list[str], cmd: Any) -> None:
    r = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "400", "NO_COLOR": "1"})
    assert r.exit_code == 0, r.output
    shown = _words(r.output)
    for p in cmd.params:
        text = getattr(p, "help", None)
        if text:
            assert _words(text) in shown, f"{' '.join(path)} {p.name}: {text!r} not shown whole"
    first = _words((cmd.help or "").split("\n\n")[0])
    assert first in shown, first
