"""Configuration: ``[tool.dbdesign]`` in pyproject.toml, or a dbdesign.toml (top level).

The nearest file found walking up from the start directory wins; dbdesign.toml takes precedence
over pyproject.toml in the same directory. Sections are plain dicts (``config.section("lint")``);
each command validates its own section and raises ConfigError naming the file and key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbdesign.errors import ConfigError


@dataclass(frozen=True)
class Config:
    data: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None  # the file it came from; None when there is none

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"[tool.dbdesign.{name}] must be a table", file=str(self.path))
        return value

    @property
    def root(self) -> Path:
        """The directory relative paths in the configuration are resolved against."""
        return self.path.parent if self.path else Path.cwd()


def load_config(start: Path | None = None, explicit: Path | None = None) -> Config:
    """Load the configuration from ``explicit`` or the nearest file above ``start`` (cwd)."""
    if explicit is not None:
        return _read(explicit)
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        for name in ("dbdesign.toml", "pyproject.toml"):
            p = d / name
            if p.is_file():
                cfg = _read(p)
                if name == "dbdesign.toml" or cfg.data:
                    return cfg
    return Config()


def _read(path: Path) -> Config:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"cannot read: {e.strerror}", file=str(path)) from None
    except UnicodeDecodeError as e:
        byte = f"byte 0x{e.object[e.start]:02x} at offset {e.start}"
        raise ConfigError(f"not a TOML file: not UTF-8 text ({byte})", file=str(path)) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"invalid TOML: {e}", file=str(path)) from None
    if path.name == "pyproject.toml":
        raw = raw.get("tool", {}).get("dbdesign", {})
    if not isinstance(raw, dict):
        raise ConfigError("[tool.dbdesign] must be a table", file=str(path))
    return Config(data=raw, path=path)
