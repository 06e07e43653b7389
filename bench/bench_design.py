"""Design and prove each example end to end on the embedded PostgreSQL (the issue's target:
the e-commerce example under 30 s wall). Prints one table.

    python bench/bench_design.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    # Start (or reuse) the embedded server first: its first start is not the design's cost.
    subprocess.run(
        [sys.executable, "-c", "from dbdesign import engine; engine.embedded_url()"], check=True
    )
    print(f"{'example':<18} {'command':<34} {'median s':>9} {'min s':>7} {'max s':>7}")
    for spec in sorted((ROOT / "examples").glob("*.yaml")):
        for label, extra in (("design --no-prove", ["--no-prove"]), ("design (with proof)", [])):
            times = []
            for _ in range(args.runs):
                with tempfile.TemporaryDirectory() as out:
                    cmd = [sys.executable, "-m", "dbdesign", "design", str(spec), "--out", out]
                    t0 = time.perf_counter()
                    r = subprocess.run(cmd + extra, capture_output=True, text=True)
                    times.append(time.perf_counter() - t0)
                    if r.returncode not in (0, 1):
                        sys.exit(r.stderr)
            print(
                f"{spec.stem:<18} {label:<34} {statistics.median(times):>9.2f} "
                f"{min(times):>7.2f} {max(times):>7.2f}"
            )


if __name__ == "__main__":
    main()
