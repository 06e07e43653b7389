"""What code outside dialects/ and databases/ asks instead of comparing dialect names: the
dialects' answers (datagen's SQLite questions, a migration script's lines, MariaDB's version
string) and the database adapters' (where a design is proved, whose plans advise reads)."""

from __future__ import annotations

import pytest

from dbdesign import databases, dialects
from dbdesign.dialects.mysql import is_mariadb
from dbdesign.engine import ENV_DATABASE_URL
from dbdesign.errors import ConfigError


def test_what_datagen_asks() -> None:
    pg, my, lite = (dialects.get(n) for n in ("postgres", "mysql", "sqlite"))
    assert lite.capabilities.dynamic_typing and not my.capabilities.dynamic_typing
    assert lite.capabilities.rowid_alias and not pg.capabilities.rowid_alias
    assert lite.capabilities.parent_key_collation and not pg.capabilities.parent_key_collation
    assert lite.capabilities.deferred_only_initially
    assert not pg.capabilities.deferred_only_initially


def test_a_statement_in_a_script() -> None:
    pg, my = dialects.get("postgres"), dialects.get("mysql")
    body = "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END"
    assert my.script_lines(body) == ["DELIMITER $$", body + "$$", "DELIMITER ;"]
    assert my.script_lines("DROP TABLE a") == pg.script_lines("DROP TABLE a;") == ["DROP TABLE a;"]


def test_mariadb_by_its_version() -> None:
    assert is_mariadb("10.11.6-MariaDB-1:10.11.6+maria~ubu2204")
    assert not is_mariadb("8.0.36")


def test_whose_plans_advise_reads() -> None:
    pg = databases.find("postgresql://app@db/app")
    assert pg is not None and pg.advise_plans
    for url in ("mysql://root@db/app", "app.db", "sqlite:///app.db"):
        found = databases.find(url)
        assert found is not None and not found.advise_plans
    assert databases.find("oracle://scott@db/orcl") is None


def test_where_a_design_is_proved(monkeypatch: pytest.MonkeyPatch) -> None:
    my, lite = databases.for_dialect("mysql"), databases.for_dialect("sqlite")
    monkeypatch.delenv(ENV_DATABASE_URL, raising=False)
    assert my.proof_url(None) is None  # no MySQL server given: nothing to prove on
    assert my.proof_url("mariadb://root@db/app") == "mariadb://root@db/app"
    assert lite.proof_url("sqlite:///app.db") == lite.proof_url(None) == "sqlite://"
    monkeypatch.setenv(ENV_DATABASE_URL, "mysql://root@db/app")
    assert my.proof_url(None) == "mysql://root@db/app"
    assert lite.proof_url(None) == "sqlite://"  # the environment's server is not used
    with pytest.raises(ConfigError, match="a MySQL design is proved on MySQL or MariaDB"):
        my.proof_url("postgresql://app:secret@db/app")
    with pytest.raises(ConfigError, match="leave --db out") as e:
        lite.proof_url("postgresql://app:secret@db/app")
    assert "secret" not in str(e.value)
    with pytest.raises(ConfigError, match="a PostgreSQL design is proved on PostgreSQL"):
        databases.for_dialect("postgres").proof_url("mysql://root@db/app")
