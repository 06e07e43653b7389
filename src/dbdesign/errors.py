"""The one root of dbdesign's exceptions. The CLI turns each into one line and exit code 2."""

from __future__ import annotations


class DbdesignError(Exception):
    """Root of every error dbdesign raises on purpose."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        col: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.col = col

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line, self.col) if p is not None)
        return f"{where}: {self.message}" if where else self.message


class ParseError(DbdesignError):
    """Input text (SQL, spec, JSON) could not be read."""


class ConnectionError(DbdesignError):
    """A database could not be reached. The message carries a redacted URL only."""


class ConfigError(DbdesignError):
    """Configuration or command-line usage is invalid."""


class MigrationError(DbdesignError):
    """A migration could not be applied or checked."""


class UnsupportedError(DbdesignError):
    """The requested operation is not possible for this dialect or source."""


class DestructiveChangeError(DbdesignError):
    """A migration would delete data and the flag that allows it was not given (exit 3)."""

    exit_code = 3


class Diagnostic:
    """A warning a reader reports without stopping (an unknown statement kind, say)."""

    __slots__ = ("col", "file", "line", "message")

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        col: int | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.col = col

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line, self.col) if p is not None)
        return f"{where}: warning: {self.message}" if where else f"warning: {self.message}"

    def __repr__(self) -> str:
        return f"Diagnostic({self!s})"
