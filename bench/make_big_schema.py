"""Build a large PostgreSQL schema by replicating the OpenStreetMap structure file.

Each copy lives in its own schema (``osm_1``, ``osm_2`` ...): every ``public.`` object is renamed
into that schema, so the result loads into a real server and every object name is unique.

    python bench/make_big_schema.py OUT.sql [--lines 100000]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "postgres"
SOURCE = CORPUS / "openstreetmap-structure.sql"


def build(min_lines: int) -> str:
    text = SOURCE.read_text()
    # Extensions are database-wide: create them once, before the copies.
    body = re.sub(r"^(CREATE EXTENSION|COMMENT ON EXTENSION).*$", "", text, flags=re.M)
    head = "\n".join(re.findall(r"^CREATE EXTENSION.*$", text, flags=re.M))
    parts = [head]
    lines = head.count("\n") + 1
    n = 0
    while lines < min_lines:
        n += 1
        copy = f"CREATE SCHEMA osm_{n};\n" + body.replace("public.", f"osm_{n}.")
        parts.append(copy)
        lines += copy.count("\n") + 1
    return "\n".join(parts) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--lines", type=int, default=100_000)
    args = ap.parse_args()
    out = build(args.lines)
    args.out.write_text(out)
    print(f"{args.out}: {out.count(chr(10))} lines")


if __name__ == "__main__":
    main()
