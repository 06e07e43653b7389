"""The Redis design's proof on a real Redis (``$DBDESIGN_TEST_REDIS_URL``, default the machine's
``redis://127.0.0.1:6379/0``): examples/session_store_redis.yaml and the Redis part of
examples/saas_hybrid.yaml, each proved RUNS times (sample keys under a prefix of the proof's
own, removed afterwards). Prints, per example: the median proof time and sample rows written a
second, each access's median p50/p95 over the runs against its target, and each key family's
measured bytes a key (MEMORY USAGE) against the design's estimate, with the projected total.

    python bench/bench_redis_design.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dbdesign.design import design  # noqa: E402
from dbdesign.design.prove_redis import RedisProof, prove_redis  # noqa: E402
from dbdesign.design.redis_plan import RedisPlan  # noqa: E402
from dbdesign.design.sizes import human_size  # noqa: E402
from dbdesign.readers import spec as S  # noqa: E402

URL = os.environ.get("DBDESIGN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
EXAMPLES = ("session_store_redis", "saas_hybrid")


def runs_of(name: str, n: int) -> tuple[RedisPlan, list[RedisProof]]:
    spec = S.load(ROOT / "examples" / f"{name}.yaml")
    d = design(spec)
    plan = d.redis or d.redis_part
    assert plan is not None, name
    return plan, [prove_redis(plan, spec, URL) for _ in range(n)]


def report(name: str, plan: RedisPlan, proofs: list[RedisProof]) -> None:
    secs = statistics.median(p.seconds for p in proofs)
    rows = sum(proofs[0].rows.values())
    load = statistics.median(p.load_seconds for p in proofs)
    print(f"\n## {name}: {len(proofs)} proofs, median {secs:.2f} s, {rows:,} rows written "
          f"at {rows / load:,.0f} rows/s, all passed: {all(p.ok for p in proofs)}")  # fmt: skip
    print("\n| access | p50 ms | p95 ms | target ms |\n|---|---:|---:|---:|")
    for i, t in enumerate(proofs[0].timings):
        p50 = statistics.median(p.timings[i].p50_ms for p in proofs)
        p95 = statistics.median(p.timings[i].p95_ms for p in proofs)
        print(f"| {t.name}{' (write)' if t.write else ''} | {p50:.3f} | {p95:.3f} | "
              f"{t.target_ms:g} |")  # fmt: skip
    print("\n| key family | estimated bytes/key | measured bytes/key | measured now |")
    print("|---|---:|---:|---:|")
    for f, m in zip(plan.families, proofs[0].memory, strict=True):
        print(f"| {f.name} | {f.bytes_per_key:,} | {m.bytes_per_key:,.0f} | "
              f"{human_size(m.now)} |")  # fmt: skip
    print(f"| **total** | {human_size(plan.memory())} | | "
          f"{human_size(proofs[0].total('now'))} |")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print(f"Redis at {URL}; {platform.node()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}")  # fmt: skip
    for name in EXAMPLES:
        plan, proofs = runs_of(name, args.runs)
        report(name, plan, proofs)


if __name__ == "__main__":
    main()
