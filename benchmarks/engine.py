"""The reference engine's speed: entries per second on a 10,000-entry ledger, in process, trace on.

    .venv/bin/python benchmarks/engine.py [--entries 10000] [--runs 3] [POLICY …]

For each edition (default: every one under policies/) a deterministic ledger (random.Random(1)) of
valid entries over four years is evaluated `--runs` times after one warm-up; the median wall time and
entries/s are printed with the load average, since the project machine is shared. Issue #16's target:
≥ 50,000 entries/s. Figures: benchmarks/README.md, "Reference engine".
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.policy.loader import load_policy, policy_files  # noqa: E402
from generator.policy.model import Policy  # noqa: E402
from generator.rules.engine import evaluate  # noqa: E402
from generator.rules.inputs import input_fields  # noqa: E402


def ledger_for(policy: Policy, size: int, seed: int = 1) -> dict:
    """Valid entries of every automatic item a person without roles may record, over four periods."""
    rng = random.Random(seed)
    items = [i for i in policy.items if i.rule.bundle()["type"] != "manual" and not i.roles]
    first = int(policy.in_force.start[:4]) if policy.in_force else 2018
    entries = []
    for _ in range(size):
        item = rng.choice(items)
        entry: dict = {"item": item.id,
                       "date": f"{first + rng.randint(0, 3)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}
        for field in input_fields(item.input):
            if field == "level":
                entry["level"] = rng.choice(item.levels).id
            elif field in ("passed", "failed"):
                entry[field] = rng.randint(0, 3)
            else:
                entry[field] = rng.choice([1, 2, 3, 4, "0.5", 6])
        if item.gate:
            entry[item.gate.flag] = rng.random() < 0.8
        if item.dedupe:
            entry["course"] = f"课程{rng.randint(1, 500)}"
        entries.append(entry)
    return {"person": {}, "entries": entries}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("policies", nargs="*", default=[str(ROOT / "policies")])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")
    print(f"{'edition':34} {'median s':>9} {'entries/s':>10}")
    for file in policy_files(args.policies):
        policy = load_policy(file)
        ledger = ledger_for(policy, args.entries)
        as_of = policy.in_force.end if policy.in_force else None
        evaluate(policy, ledger, as_of)  # warm-up: catalogs, caches
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            evaluate(policy, ledger, as_of)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        print(f"{policy.key:34} {median:9.3f} {args.entries / median:10,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
