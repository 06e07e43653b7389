"""Tables datagen never fills: the ones a migration tool keeps its own records in.

A generated row in a history table is a migration that never ran, with a version the tool cannot
read (``dbdesign migrate status`` met ``anchor 3`` there), so these tables are skipped by
patterns (``*``, ``public.*``) and refused when named; the load's report says which were skipped
and why. The one list is :data:`TOOL_TABLES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from dbdesign.model import Table

# Keyed by the table's name in lower case (matched in any schema, whatever the case), or by
# ``schema.table`` where the name alone is too common to claim. Value: whose table it is.
# Names a user's own data table is likely to have are left out on purpose, because a table named
# here cannot be filled at all: Laravel's and TypeORM's ``migrations``, Flyway 3/4's
# ``schema_version``, Sequel's ``schema_info``, Yii's ``migration``.
TOOL_TABLES: Mapping[str, str] = MappingProxyType(
    {
        # dbdesign itself: the history of `dbdesign migrate` (migrate/history.py TABLE; its lock
        # is an advisory lock / GET_LOCK, not a table)
        "dbdesign_migrations": "the migration history of dbdesign migrate",
        # Rails (Active Record), dbmate, golang-migrate, Ecto, Sequel's timestamp migrator
        "schema_migrations": "a migration history (Rails, dbmate, golang-migrate, Ecto)",
        # Rails: the environment a database belongs to
        "ar_internal_metadata": "Rails' internal metadata",
        # Flyway (5 and later)
        "flyway_schema_history": "Flyway's migration history",
        # Alembic (SQLAlchemy)
        "alembic_version": "Alembic's migration version",
        # sqlalchemy-migrate
        "migrate_version": "sqlalchemy-migrate's migration version",
        # Diesel (Rust)
        "__diesel_schema_migrations": "Diesel's migration history",
        # SQLx (Rust)
        "_sqlx_migrations": "SQLx's migration history",
        # refinery (Rust)
        "refinery_schema_history": "refinery's migration history",
        # SeaORM (Rust)
        "seaql_migrations": "SeaORM's migration history",
        # Django
        "django_migrations": "Django's migration history",
        # Knex.js: history and lock
        "knex_migrations": "Knex's migration history",
        "knex_migrations_lock": "Knex's migration lock",
        # Kysely: history and lock
        "kysely_migration": "Kysely's migration history",
        "kysely_migration_lock": "Kysely's migration lock",
        # node-pg-migrate
        "pgmigrations": "node-pg-migrate's migration history",
        # goose (Go)
        "goose_db_version": "goose's migration history",
        # sql-migrate (Go)
        "gorp_migrations": "sql-migrate's migration history",
        # Atlas
        "atlas_schema_revisions": "Atlas' schema revisions",
        # Prisma Migrate
        "_prisma_migrations": "Prisma's migration history",
        # Drizzle Kit
        "__drizzle_migrations": "Drizzle's migration history",
        # MikroORM
        "mikro_orm_migrations": "MikroORM's migration history",
        # TypeORM: metadata of views and generated columns
        "typeorm_metadata": "TypeORM's metadata",
        # Sequelize (sequelize-cli / Umzug): migrations and seeders
        "sequelizemeta": "Sequelize's migration history",
        "sequelizedata": "Sequelize's seeder history",
        # Entity Framework Core, and Entity Framework 6
        "__efmigrationshistory": "Entity Framework Core's migration history",
        "__migrationhistory": "Entity Framework's migration history",
        # FluentMigrator (.NET)
        "versioninfo": "FluentMigrator's version history",
        # DbUp (.NET)
        "schemaversions": "DbUp's migration journal",
        # Liquibase: changelog and lock
        "databasechangelog": "Liquibase's changelog",
        "databasechangeloglock": "Liquibase's changelog lock",
        # Doctrine Migrations (3; 2 used migration_versions)
        "doctrine_migration_versions": "Doctrine's migration history",
        "migration_versions": "Doctrine's migration history",
        # Phinx (CakePHP)
        "phinxlog": "Phinx's migration log",
        # Sqitch's registry, in its own schema (the names alone are too common)
        "sqitch.changes": "Sqitch's registry",
        "sqitch.dependencies": "Sqitch's registry",
        "sqitch.events": "Sqitch's registry",
        "sqitch.projects": "Sqitch's registry",
        "sqitch.releases": "Sqitch's registry",
        "sqitch.tags": "Sqitch's registry",
    }
)


def tool_table(table: Table) -> str | None:
    """Whose records ``table`` holds (a phrase for messages), when it is a migration tool's
    table datagen must not fill; None for every other table."""
    return TOOL_TABLES.get(table.name.lower()) or TOOL_TABLES.get(
        f"{table.schema}.{table.name}".lower()
    )


def refusal(table: Table) -> str:
    """Why naming ``table`` for rows is refused."""
    return (
        f"datagen does not fill {table.key}: it is {tool_table(table)}, and a generated row "
        "there breaks that tool; leave the table out of the row counts (--rows)"
    )


def skip_note(table: Table) -> str:
    """The report's line for a table a pattern would have filled."""
    return (
        f"{table.key} skipped: it is {tool_table(table)}, and datagen never fills a migration "
        "tool's tables"
    )
