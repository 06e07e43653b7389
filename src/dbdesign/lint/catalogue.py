"""docs/lint.md, generated from the rule docstrings: ``python -m dbdesign.lint.catalogue``.

A test fails when docs/lint.md differs from what this prints.
"""

from __future__ import annotations

from dbdesign.lint.registry import GROUPS, all_rules

HEADER = """# Lint rule catalogue

Generated from the rules' docstrings by `python -m dbdesign.lint.catalogue > docs/lint.md`
(a test checks it is up to date). `dbdesign rules` lists the rules, `dbdesign rules CODE` shows one.

Select and ignore rules by code (`KEY001`), prefix (`KEY`) or group (`keys`) in
`[tool.dbdesign.lint]` (`select`, `ignore`, `[tool.dbdesign.lint.severity]`) or with
`--select`/`--ignore`. `ALL` (the default) runs every rule that is on by default; a rule marked
"off" in the table below (a convention a team opts into) runs only when selected by its code,
prefix or group. Silence one finding with a comment on the object's line or the comment
lines directly above it: `-- dbdesign: ignore KEY002` (no code: every rule; text after a second
`--` is a reason: `-- dbdesign: ignore KEY002 -- lookup table`). A comment that silences
nothing is itself reported (SUP001). Adopt the linter on an existing schema with
`--baseline lint-baseline.json --write-baseline`, then `--baseline lint-baseline.json` reports
only new findings. Expected row counts, which KEY006 needs, come from
`[tool.dbdesign.lint.volumes]` (`"schema.table" = rows`).

"""


def markdown() -> str:
    rules = all_rules()
    out = [HEADER, "| code | name | group | severity | dialects |", "|---|---|---|---|---|"]
    for r in rules.values():
        anchor = f"{r.code}-{r.name}".lower()
        out.append(
            f"| [{r.code}](#{anchor}) | {r.name} | {r.group} | {r.severity.value}"
            f"{'' if r.default else ' (off)'} | "
            f"{', '.join(sorted(r.dialects))} |"
        )
    out.append("")
    for prefix, group in GROUPS.items():
        members = [r for r in rules.values() if r.code.startswith(prefix)]
        if not members:
            continue
        out.append(f"## {group.capitalize()}\n")
        out.extend(r.docs_markdown() for r in members)
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown())
