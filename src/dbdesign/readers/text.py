"""SQL files as text: one way to read and normalise them for every reader of migrations.

The text is UTF-8 with a leading byte-order mark removed and CRLF / CR line endings turned into
LF, so a checkout on Windows reads (and checksums) the same as on Linux, and line numbers count
the same way everywhere. A file that is not UTF-8 is refused with the line of the first bad
byte, never read with replacement characters.
"""

from __future__ import annotations

from pathlib import Path

from dbdesign.errors import ConfigError, DbdesignError

__all__ = ["normalise_text", "read_text_file"]


def normalise_text(raw: bytes | str) -> str:
    """``raw`` (UTF-8 bytes, or text) with the BOM removed and line endings LF. Raises
    :class:`UnicodeDecodeError` for bytes that are not UTF-8."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text_file(path: Path, error: type[DbdesignError] = ConfigError) -> str:
    """The normalised text of the file at ``path``. A file that cannot be read, or is not
    UTF-8, raises ``error`` naming the file (and the line of the first bad byte)."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise error(f"cannot read: {e.strerror}", file=str(path)) from None
    try:
        return normalise_text(raw)
    except UnicodeDecodeError as e:
        raise error(
            f"not UTF-8: byte 0x{raw[e.start]:02x} ({e.reason})",
            file=str(path),
            line=raw.count(b"\n", 0, e.start) + 1,
        ) from None
