"""A progress bar on stderr for long reads: shown on a terminal only (never with --quiet), and
only once the work is big enough to be worth one; otherwise the callback does nothing. It follows
the colour choice (NO_COLOR, --color)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# Below this many bytes a read takes about a second: no bar.
MIN_BYTES = 4 << 20


@contextmanager
def bytes_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """Yields ``progress(done, total)`` for a byte count, or None when no bar will be shown."""
    from dbdesign.cli import term

    if not term.progress_wanted():
        yield None
        return
    bar: Any = None
    task: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            if total < MIN_BYTES:
                return
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            bar = Progress(
                f"[progress.description]{label}",
                BarColumn(),
                DownloadColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=term.console(stderr=True),
                transient=True,
            )
            bar.start()
            task = bar.add_task(label, total=total)
        bar.update(task, completed=done)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.stop()
