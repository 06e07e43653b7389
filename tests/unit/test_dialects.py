"""The dialect registry (src/dbdesign/dialects/__init__.py): one object per dialect, found by
name, alias or URL; a new dialect registered from outside shows up everywhere a user picks a
dialect; and code outside the dialects asks capabilities instead of comparing names."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from dbdesign import dialects
from dbdesign.errors import ConfigError
from dbdesign.model import DataType

SRC = Path(__file__).parents[2] / "src" / "dbdesign"


@pytest.mark.parametrize(
    ("given", "name"),
    [
        ("postgres", "postgres"),
        ("PostgreSQL", "postgres"),
        ("pg", "postgres"),
        ("postgresql://app:pw@db:5432/app", "postgres"),
        ("mysql", "mysql"),
        ("MariaDB", "mysql"),
        ("mysql+pymysql://root@127.0.0.1/test", "mysql"),
        ("mariadb://root@host/db", "mysql"),
        ("sqlite", "sqlite"),
        ("sqlite:///tmp/app.db", "sqlite"),
        ("sqlite3", "sqlite"),
    ],
)
def test_get_by_name_alias_or_url(given: str, name: str) -> None:
    assert dialects.get(given).name == name


def test_an_unknown_dialect_lists_the_known_ones_and_hides_a_password() -> None:
    with pytest.raises(ConfigError) as e:
        dialects.get("oracle://scott:tiger@db/orcl")
    assert str(e.value) == (
        "unknown dialect 'oracle://scott:***@db/orcl'; choose one of postgres, sqlite, mysql"
    )


def test_a_name_cannot_be_registered_twice() -> None:
    class Clash(dialects.Dialect):
        name = "clash"
        aliases = ("mariadb",)

    with pytest.raises(ValueError, match="taken by mysql"):
        dialects.register(Clash())
    assert "clash" not in dialects.names()


def test_what_the_dialects_know() -> None:
    pg, my, lite = (dialects.get(n) for n in ("postgres", "mysql", "sqlite"))
    assert pg.qualified("public", "Order") == 'public."Order"'
    assert my.qualified("main", "order") == "`order`"  # the database's namespace left out
    assert lite.qualified("main", "t") == "t"
    assert my.quote_string("it's\n") == "'it''s\\n'"
    assert pg.cut_name("é" * 40) == "é" * 31  # 63 bytes
    assert my.cut_name("é" * 70) == "é" * 64  # 64 characters
    assert lite.affinity("VARCHAR(10)") == "TEXT" and pg.affinity("text") is None
    text, varchar = DataType(name="text"), DataType(name="character varying", args=(20,))
    assert pg.binary_coercible(text, varchar)
    assert not pg.binary_coercible(text, DataType(name="uuid"))
    assert my.binary_coercible(DataType(name="varchar", args=(5,)), DataType(name="mediumtext"))
    assert pg.capabilities.transactional_ddl and not my.capabilities.transactional_ddl
    assert my.capabilities.index_name_scope == "table" and not my.capabilities.partial_indexes


# A toy dialect registered by a program of its own: nothing else in the project is changed.
TOY = """
import sys
from dbdesign import dialects

class Toy(dialects.Dialect):
    name = "toy"
    title = "Toy SQL"
    aliases = ("toysql",)
    url_schemes = ("toy",)

dialects.register(Toy())
assert dialects.get("TOYSQL").name == "toy", dialects.get("TOYSQL")
assert dialects.get("toy://me:secret@host/db").title == "Toy SQL"
assert dialects.names() == ("postgres", "sqlite", "mysql", "toy"), dialects.names()

from dbdesign.cli import main
sys.argv = ["dbdesign", *sys.argv[1:]]
main()
"""


def _toy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", TOY, *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("command", ["inspect", "lint", "docs", "datagen", "design"])
def test_a_registered_dialect_is_a_choice_of_every_dialect_option(command: str) -> None:
    r = _toy(command, "--help")
    assert r.returncode == 0, r.stderr
    assert "postgres, sqlite, mysql, toy" in " ".join(r.stdout.replace("│", " ").split())


def test_a_registered_dialect_is_in_the_message_for_an_unknown_one(tmp_path: Path) -> None:
    (tmp_path / "s.sql").write_text("CREATE TABLE t (id int PRIMARY KEY);\n")
    r = _toy("lint", str(tmp_path / "s.sql"), "--dialect", "oracle")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "unknown dialect 'oracle'; choose one of postgres, sqlite, mysql, toy" in r.stderr
    assert "Traceback" not in r.stderr


# ------------------------------------------------------------------------------------------------
# Code outside dialects/ and the database adapters asks a dialect object instead of comparing
# dialect names. What is left is counted per file, and the count may only go down (lower it
# here when you remove some).

DIALECT_NAMES = frozenset({"postgres", "postgresql", "mysql", "mariadb", "sqlite"})
LEFT: dict[str, int] = {}


def _is_dialect_name(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in DIALECT_NAMES
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_is_dialect_name(e) for e in node.elts)
    return False


def dialect_comparisons(path: Path) -> int:
    """``x == "mysql"``, ``x != "sqlite"``, ``x in ("mysql", "mariadb")`` in one file."""
    tree = ast.parse(path.read_text(), str(path))
    return sum(
        1
        for n in ast.walk(tree)
        if isinstance(n, ast.Compare) and any(_is_dialect_name(e) for e in (n.left, *n.comparators))
    )


def test_dialect_names_are_compared_only_in_dialects() -> None:
    found = Counter[str]()
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if not rel.startswith(("dialects/", "databases/")):  # where dialect knowledge lives
            n = dialect_comparisons(path)
            if n:
                found[rel] = n
    assert dict(found) == LEFT, "\n".join(
        f"{f}: {found[f]} (was {LEFT.get(f, 0)})"
        for f in sorted(set(found) | set(LEFT))
        if found[f] != LEFT.get(f, 0)
    )
