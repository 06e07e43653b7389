"""The prompt that walks an agent through designing a database with dbdesign's spec."""

from __future__ import annotations

DESIGN_DATABASE = """\
You are designing a relational database with dbdesign. dbdesign turns a requirements spec
(YAML) into a normalised schema, indexes, the initial migration and DESIGN.md, and proves the
design on a real database server before you show it to anyone.

The requirements:

{requirements}

Work in these steps.

1. Call `spec_schema` and read it: it is the exact format of the spec, every key and value.
2. Write the spec as YAML:
   - `version: 1` and `project`: `name`, `description`, `database` (`auto`, `postgresql`,
     `mysql` or `sqlite`), `workload` (`type`: oltp, olap or mixed; `read_write_ratio`),
     `features` (`audit_columns`, `soft_delete`, `optimistic_locking`, `multi_tenancy`,
     `full_text_search`) where the requirements ask for them.
   - `entities`, by singular snake_case name (`customer`, `order_item`): `attributes` with
     semantic types (identifier, text, email, money, integer, boolean, date, timestamp, enum
     with `values`, json, uuid ...) and `required`, `unique`, `default`, `max_length`, `min`,
     `max`, `pii`; `volume` (`rows`, `growth_per_year`, `skew`); business rules the data must
     keep: `unique` with a `where` condition, `no_overlap` of [start, end) ranges per key,
     `checks` across fields (`due_at > loaned_at`). Do not write `id`, `created_at` or foreign
     key columns: dbdesign adds keys, and relationships make the references.
   - `relationships`: `one-to-many` / `one-to-one` (`parent`, `child`, `required`,
     `on_delete`: cascade, restrict or set null) and `many-to-many` (`between: [a, b]`, link
     `attributes`).
   - `access_patterns`: every query the application runs often: `name`, `entity`, `equal`,
     `range`, `sort` (`-field` for descending), `limit`, `rate_per_second`, `latency_ms` (the
     p95 target). Indexes are derived from these: a pattern you leave out gets no index.
   Ask the user about anything the requirements leave open that changes the schema (which
   lookups are frequent, what must be unique, what may be deleted) instead of guessing.
3. Call `design` with the spec (`spec` as YAML text). An error names the line, the column and
   the YAML path; fix it and call again.
4. Read the result: `proved` must be true. `proof` shows each access pattern's index and p95
   against its target, each business rule's write that the server refused, and `problems`.
   When something failed, change the spec (a missing access pattern field, a rule that cannot
   hold, a volume far off) and design again. Never edit the generated SQL to make a proof
   pass.
5. Review `migration_up` with `lint` (`kind: migrations`) and explain any finding you keep.
6. Give the user DESIGN.md (`design_md`), the migrations (`migration_up`, `migration_down`)
   and the spec, and say which decisions they should check (see `decisions`). The last
   design stays readable as the resources dbdesign://design/DESIGN.md and
   dbdesign://design/schema.json.
"""


def design_database(requirements: str) -> str:
    """The prompt's text for ``requirements`` (what the database must hold and serve)."""
    return DESIGN_DATABASE.format(requirements=requirements.strip() or "(ask the user)")
