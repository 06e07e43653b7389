"""`diff FILE DB` reads the file as the role the URL connects as would load it: that role's
own privileges on what it creates are the owner's, which the catalog does not list, so a file
granting them to the loading role must not make the diff revoke them."""

from __future__ import annotations

from pathlib import Path

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from dbdesign import api, engine
from dbdesign.diff import diff_schemas
from dbdesign.migrate.sources import read_side
from tests.conftest import server_url
from tests.pgload import load_sql

ROLE = "dbdesign_diff_owner"
SQL = f"""
CREATE TABLE t (id int PRIMARY KEY);
GRANT SELECT ON t TO PUBLIC;
GRANT ALL ON t TO {ROLE};
CREATE SEQUENCE s;
GRANT ALL ON SEQUENCE s TO {ROLE};
"""


def test_a_file_is_read_as_the_connecting_role_loads_it(tmp_path: Path) -> None:
    with engine.scratch_database(server_url("pg15")) as url:
        with engine.connect(url, autocommit=True) as conn:
            conn.execute(
                f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') "
                f"THEN CREATE ROLE {ROLE} LOGIN; END IF; "
                "EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL; END$$"
            )
            conn.execute(f"GRANT CREATE ON SCHEMA public TO {ROLE}")
        as_role = make_conninfo("", **{**conninfo_to_dict(url), "user": ROLE, "password": None})
        as_role_url = "postgresql://{user}@{host}:{port}/{dbname}".format(
            **{"host": "127.0.0.1", "port": 5432, **conninfo_to_dict(as_role)}
        )
        load_sql(as_role_url, SQL)
        path = tmp_path / "schema.sql"
        path.write_text(f"GRANT CREATE ON SCHEMA public TO {ROLE};\n{SQL}")  # as made above
        for a, b in ((str(path), as_role_url), (as_role_url, str(path))):
            plan = api.diff(a, b)
            assert plan.is_empty, plan.sql()
        # read as the default owner (postgres), the grants to the role would be revoked
        plan = diff_schemas(read_side(as_role_url), read_side(str(path)))
        assert "REVOKE" in plan.sql() or "GRANT" in plan.sql(), plan.sql()
