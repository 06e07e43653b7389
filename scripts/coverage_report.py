"""Write docs/coverage.md from the combined coverage data of a scripts/coverage run.

    python scripts/coverage_report.py PYTEST_EXIT_STATUS "PYTEST ARGUMENTS"

One row per subpackage of dbdesign (the top-level modules together), with statements, missed
statements and line coverage; the five files that miss the most lines are named too.
"""

from __future__ import annotations

import platform
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

import coverage

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "coverage.md"


def _group(rel: str) -> str:
    parts = rel.split("/")
    return parts[0] if len(parts) > 1 else "(top-level modules)"


def main() -> None:
    status, args = [*sys.argv[1:], "", ""][:2]
    cov = coverage.Coverage(config_file=str(ROOT / "pyproject.toml"))
    cov.load()
    per_group: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_file: list[tuple[int, int, str]] = []
    for measured in cov.get_data().measured_files():
        path = Path(measured)
        if "dbdesign" not in path.parts or path.suffix != ".py":
            continue
        rel = "/".join(path.parts[len(path.parts) - path.parts[::-1].index("dbdesign") :])
        _, statements, _, missing, _ = cov.analysis2(measured)
        per_group[_group(rel)][0] += len(statements)
        per_group[_group(rel)][1] += len(missing)
        per_file.append((len(missing), len(statements), rel))
    total = [sum(v[0] for v in per_group.values()), sum(v[1] for v in per_group.values())]

    def pct(statements: int, missed: int) -> str:
        return f"{100 * (statements - missed) / statements:.1f} %" if statements else "-"

    lines = [
        "# Test coverage",
        "",
        "Line coverage of `src/dbdesign` by the whole test suite, the dbdesign processes the",
        "CLI tests start included (coverage.py measures every Python subprocess:",
        "`[tool.coverage.run]` in pyproject.toml). Measured with",
        "",
        "    scripts/coverage",
        "",
        f"on {date.today().isoformat()}, Python {platform.python_version()}, "
        f"{platform.machine()}; pytest exit status {status or '?'}"
        + (f", arguments `{args}`" if args.strip() else "")
        + ". Re-run it to refresh this file.",
        "",
        "| subpackage | statements | missed | coverage |",
        "|---|---:|---:|---:|",
    ]
    for group in sorted(per_group):
        s, m = per_group[group]
        lines.append(f"| `{group}` | {s:,} | {m:,} | {pct(s, m)} |")
    lines.append(f"| **all** | {total[0]:,} | {total[1]:,} | {pct(*total)} |")
    lines += ["", "Files that miss the most lines:", ""]
    lines += ["| file | statements | missed | coverage |", "|---|---:|---:|---:|"]
    for m, s, rel in sorted(per_file, reverse=True)[:5]:
        lines.append(f"| `{rel}` | {s:,} | {m:,} | {pct(s, m)} |")
    OUT.write_text("\n".join(lines) + "\n")
    print(f"line coverage {pct(*total)}; written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
