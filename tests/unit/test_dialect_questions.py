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
    assert _url(my.proof_url("mariadb://root@db/app")) == "mariadb://root@db/app"
    assert _url(lite.proof_url("sqlite:///app.db")) == _url(lite.proof_url(None)) == "sqlite://"
    monkeypatch.setenv(ENV_DATABASE_URL, "mysql://root@db/app")
    assert _url(my.proof_url(None)) == "mysql://root@db/app"
    assert _url(lite.proof_url(None)) == "sqlite://"  # the environment's server is not used
    with pytest.raises(ConfigError, match="a MySQL design is proved on MySQL or MariaDB"):
        my.proof_url("postgresql://app:secret@db/app")
    with pytest.raises(ConfigError, match="leave --db out") as e:
        lite.proof_url("postgresql://app:secret@db/app")
    assert "secret" not in str(e.value)
    with pytest.raises(ConfigError, match="a PostgreSQL design is proved on PostgreSQL"):
        databases.for_dialect("postgres").proof_url("mysql://root@db/app")


def _url(t: databases.Target | None) -> str | None:
    return None if t is None else t.url


def test_a_target_is_read_once_into_a_typed_value() -> None:
    """A database named by the user becomes a Target: the text, its dialect, its file (file
    databases) and an adapter; str() never shows the password."""
    pg = databases.target("postgresql://app:secret@db:5432/app")
    assert (pg.dialect.name, pg.file, pg.database.dialect) == ("postgres", None, "postgres")
    assert "secret" not in str(pg) and "db:5432/app" in str(pg)
    assert databases.target(pg) is pg  # a Target is not read again
    my = databases.target("mariadb://root@db/app")
    assert (my.dialect.name, my.file) == ("mysql", None)
    lite = databases.target("sqlite:///data/app.db")
    assert (lite.dialect.name, lite.file, str(lite)) == ("sqlite", "data/app.db", "data/app.db")
    path = databases.target("app.sqlite3")
    assert (path.dialect.name, path.file) == ("sqlite", "app.sqlite3")
    libpq = databases.target("host=db dbname=app")  # no scheme: handed to libpq
    assert (libpq.dialect.name, libpq.file) == ("postgres", None)


def test_design_reads_its_db_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """``design --db URL`` reads the URL once (it was read four times: the proof's URL, the
    environment's, the server's kind and the adapter): a spy on the URL reader counts the calls
    with that URL while a SQLite design is refused for it and a PostgreSQL design's proof
    target is chosen."""
    seen: list[str] = []
    real = dialects.for_url

    def spy(url: str) -> dialects.Dialect | None:
        seen.append(url)
        return real(url)

    monkeypatch.setattr(dialects, "for_url", spy)
    url = "postgresql://app:secret@db:5432/app"
    where = databases.for_dialect("postgres").proof_url(url)
    assert where is not None and where.url == url
    from dbdesign.design.prove import server_for

    server_for(where, "postgres")
    assert seen.count(url) == 1
    with pytest.raises(ConfigError, match="a sqlite design cannot be proved on") as e:
        server_for(where, "sqlite")
    assert "secret" not in str(e.value) and seen.count(url) == 1
