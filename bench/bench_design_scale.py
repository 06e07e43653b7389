"""Prove a design example at its stated volume and at N times it (the design issue's "e-commerce
at its stated volume and at 10x"), and print what each stage took: rows, load seconds and
rows/s (the data generator's speed on the same run), wall time, and each access pattern's p50,
p95 and p99 at 1x and Nx against its target, with the pattern that breaks first.

    python bench/bench_design_scale.py [--spec examples/ecommerce.yaml] [--scale 1]
        [--growth 10] [--url postgresql://...]   (default: the embedded PostgreSQL 16)
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from dbdesign.design import design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import prove
from dbdesign.design.prove_scale import GROWTH_BUDGET_SECONDS
from dbdesign.engine import embedded_url
from dbdesign.readers import spec as S

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", default=str(ROOT / "examples" / "ecommerce.yaml"))
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--growth", type=float, default=10.0)
    ap.add_argument("--url", default=None, help="PostgreSQL server (default: embedded)")
    ap.add_argument("--budget", type=float, default=GROWTH_BUDGET_SECONDS)
    args = ap.parse_args()
    url = args.url or embedded_url()
    d = design(S.load(args.spec), "postgres")
    t0 = time.perf_counter()
    proof = prove(
        d,
        schema_sql(d.schema),
        url,
        scale=args.scale,
        growth=args.growth,
        budget=args.budget,
        progress=lambda m: print(f"  [{time.perf_counter() - t0:7.1f} s] {m}", flush=True),
    )
    wall = time.perf_counter() - t0
    print(f"\n{Path(args.spec).name} on {proof.server}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'stage':<10} {'rows':>12} {'load s':>9} {'rows/s':>10} {'stage s':>9}")
    print(
        f"{args.scale:g}x{'':<8} {sum(proof.rows.values()):>12,} {proof.load_seconds:>9.1f} "
        f"{proof.rows_per_second:>10,.0f} {proof.seconds:>9.1f}"
    )
    g = proof.growth
    if g is not None:
        rows = sum(g.rows.values())
        print(
            f"{args.scale * g.measured:g}x{'':<7} {rows:>12,} {g.load_seconds:>9.1f} "
            f"{rows / g.load_seconds:>10,.0f} {g.seconds:>9.1f}"
        )
        print(f"p95 at {g.factor:g}x {g.model}")
    print(f"wall time {wall:.1f} s\n")
    head = f"{'pattern':<26} {'target':>7} {'p50':>8} {'p95':>8} {'p99':>8}"
    print(head + (f" {'p95 Nx':>8} {'p99 Nx':>8}" if g else ""))
    grown = {r.pattern: r for r in g.results} if g else {}
    for r in proof.results:
        line = (
            f"{r.pattern:<26} {r.target_ms:>7g} {r.p50_ms:>8.2f} {r.p95_ms:>8.2f} {r.p99_ms:>8.2f}"
        )
        if g:
            line += f" {g.projected[r.pattern]:>8.2f} {grown[r.pattern].p99_ms:>8.2f}"
        print(line)
    if g and (worst := g.breaks_first()):
        print(f"\nbreaks first: {worst[0]} ({worst[1]})")
    print("result: " + ("PASS" if proof.ok else "FAIL"))
    for p in proof.problems:
        print(f"  {p.splitlines()[0]}")


if __name__ == "__main__":
    main()
