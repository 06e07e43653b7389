"""Suppressions: comments that silence findings must keep earning their place."""

from __future__ import annotations

from collections.abc import Iterator

from dbdesign.lint.context import Context
from dbdesign.lint.findings import Hit
from dbdesign.lint.registry import MIGRATIONS, QUERIES, SCHEMA, rule


@rule("SUP001", "unused-suppression", "warning", scopes=(SCHEMA, MIGRATIONS, QUERIES))
def unused_suppression(ctx: Context) -> Iterator[Hit]:
    """A `-- dbdesign: ignore CODE` comment silences no finding.

    Rationale: A suppression outlives the problem it hid: the column is fixed or renamed, the
    comment stays, and later hides a new problem of the same kind on that line. Like ruff's
    RUF100, this rule reports each code of an ignore comment that silenced nothing in the run,
    and codes that name no rule or group. A code is only judged when every rule it names ran
    (under `--select keys --select SUP001` an `ignore NAM001` is not judged), and a bare
    `ignore` only when every rule that is on by default ran. Text after a second `--` is a
    reason, not a code. The engine finds these while it applies suppressions (SQL text is not
    part of the model), for files only, not for live databases.

    Bad:
        CREATE TABLE orders (
          id bigint PRIMARY KEY,
          total numeric(12,2)  -- dbdesign: ignore TYP003
        );

    Good:
        CREATE TABLE orders (
          id bigint PRIMARY KEY,
          total real  -- dbdesign: ignore TYP003 -- legacy feed, converted nightly
        );

    Fix: Delete the comment, or the codes in it that no longer silence anything.
    """
    # Found by engine.apply_suppressions, which sees the findings and the comments.
    return iter(())
