"""What dbdesign prints besides the report: colour, notes and warnings, progress, details.

- Colour: ``--color always|never`` when given; else none when ``NO_COLOR`` is set to any
  non-empty value (https://no-color.org), even on a terminal; else colour when ``FORCE_COLOR``
  is set to a non-empty value (https://force-color.org); else colour on a terminal only.
- ``--quiet``: errors and the report only (no notes, warnings or progress bars on stderr).
- ``--verbose``: details on stderr as well (the database used, the embedded server, timings).

Kept light: imported at start-up, it imports nothing heavy (rich only inside :func:`console`).
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

QUIET, NORMAL, VERBOSE = -1, 0, 1

_state: dict[str, Any] = {"colour": None, "level": NORMAL}


def configure(*, colour: bool | None = None, level: int = NORMAL) -> None:
    """Set the colour choice (None: automatic) and the verbosity (QUIET, NORMAL, VERBOSE)."""
    _state["colour"] = colour
    _state["level"] = level


def set_colour(colour: bool | None) -> None:
    _state["colour"] = colour


def set_level(level: int) -> None:
    _state["level"] = level


def colour(stream: IO[str] | Any) -> bool:
    """Should output written to ``stream`` be coloured?"""
    forced = _state["colour"]
    if forced is not None:
        return bool(forced)
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def quiet() -> bool:
    return bool(_state["level"] <= QUIET)


def verbose() -> bool:
    return bool(_state["level"] >= VERBOSE)


def note(message: str) -> None:
    """A note or warning on stderr; nothing with --quiet."""
    if not quiet():
        _echo_err(message)


def detail(message: str) -> None:
    """A detail on stderr, with --verbose only: ``dbdesign: <message>``."""
    if verbose():
        _echo_err(f"dbdesign: {message}")


def progress_wanted() -> bool:
    """May a progress bar or progress messages be shown on stderr (a terminal, not --quiet)?"""
    if quiet():
        return False
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):
        return False


def console(*, stderr: bool = True) -> Any:
    """A rich Console for ``stderr`` (or stdout) that follows the colour choice: without colour
    it writes no styles at all (progress bars still redraw in place on a terminal)."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    if colour(stream):
        forced = _state["colour"] is True or (
            _state["colour"] is None and bool(os.environ.get("FORCE_COLOR"))
        )
        return Console(stderr=stderr, no_color=False, force_terminal=True if forced else None)
    return Console(stderr=stderr, no_color=True, color_system=None)


def _echo_err(message: str) -> None:
    import typer

    typer.echo(message, err=True)
