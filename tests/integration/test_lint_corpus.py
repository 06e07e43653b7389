"""What lint finds on every file of ../shared/corpus; docs/lint-corpus.md must match.

Regenerate the generated part of the document with
``python -m tests.integration.test_lint_corpus``; every finding listed there was reviewed
against its rule's definition (see the notes at the top of the document).
"""

from __future__ import annotations

from collections import Counter

from dbdesign import api
from dbdesign.errors import UnsupportedError
from dbdesign.lint import apply_suppressions, lint
from tests.paths import CORPUS, ROOT

DOC = ROOT / "docs" / "lint-corpus.md"
MARK = "<!-- generated below by tests/integration/test_lint_corpus.py -->\n"
# Conventions whose findings are counted but not listed one by one (purely mechanical tests of
# a name, a type spelling or a foreign key's ON DELETE; the counts are reviewed by sampling and
# against the files' own text).
COUNT_ONLY = {"NAM001", "NAM002", "NAM003", "NAM004", "NAM005", "AUD001", "TYP005", "KEY005"}


def report() -> str:
    files = sorted(CORPUS.glob("*/*.sql"))
    per_file: dict[str, Counter[str]] = {}
    listed: list[str] = []
    unread: list[str] = []
    for f in files:
        name = f"{f.parent.name}/{f.name}"
        try:
            schema = api.read(str(f), dialect=f.parent.name)
        except UnsupportedError as e:
            unread.append(f"- `{name}`: not linted ({e.message.split(': ', 1)[-1]})")
            continue
        findings = apply_suppressions(lint(schema))
        per_file[name] = Counter(x.code for x in findings)
        for x in findings:
            if x.code in COUNT_ONLY:
                continue
            o = x.origin
            where = f"{name}:{o.line}" if o is not None and o.line else name
            listed.append(f"| {where} | {x.code} | `{x.object}` | {x.message} |")
    codes = sorted({c for counts in per_file.values() for c in counts})
    out = [MARK, "## Counts per file\n"]
    out.append("| code | " + " | ".join(f"`{n}`" for n in per_file) + " |")
    out.append("|---|" + "---:|" * len(per_file))
    for c in codes:
        out.append(f"| {c} | " + " | ".join(str(per_file[n][c] or "") for n in per_file) + " |")
    out.append(
        "| **total** | " + " | ".join(str(sum(v.values())) for v in per_file.values()) + " |"
    )
    out += ["", *unread, "", "## Every finding except the counted conventions\n"]
    out.append(f"Counted only: {', '.join(sorted(COUNT_ONLY))}.\n")
    out += ["| where | code | object | message |", "|---|---|---|---|", *listed, ""]
    return "\n".join(out)


def test_corpus_report_is_up_to_date() -> None:
    text = DOC.read_text()
    assert MARK in text
    assert text.split(MARK)[1] == report().split(MARK)[1], (
        "run: python -m tests.integration.test_lint_corpus"
    )


if __name__ == "__main__":
    head = DOC.read_text().split(MARK)[0] if DOC.exists() else ""
    DOC.write_text(head + report())
