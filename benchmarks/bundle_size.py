"""Rule bundle benchmarks: download size and evaluation time of the JS engine in node.

    python benchmarks/bundle_size.py [POLICY_PATHS...] [--runs 50] [--json OUT.json] [--strict]

1. gzipped size (gzip -9) of calculator/engine.js plus one bundle's .js twin — the engine and the
   rules a page needs for one policy — target ≤ 40 KB; the .json bundle and the conformance
   vectors are listed too.
2. evaluation time of a 1,000-entry ledger spread over five periods (every item, every role) by
   JXJY_ENGINE.evaluate in node — target ≤ 10 ms: median of warm runs; the first call, which also
   compiles the bundle, is reported apart. The Python reference engine's time on the same ledger
   is listed for comparison.

Writes the bundles into a temporary folder with generator.outputs.bundle.write_bundles. --strict exits 1
when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.outputs.bundle import write_bundles  # noqa: E402
from generator.policy.loader import validate_paths  # noqa: E402
from generator.rules.engine import evaluate  # noqa: E402
from generator.rules.periods import period_of, period_starting  # noqa: E402

ENGINE = ROOT / "calculator" / "engine.js"
SIZE_TARGET_KB = 40
TIME_TARGET_MS = 10

NODE_BENCH = r"""
const fs = require("fs");
const { performance } = require("perf_hooks");
const E = require(process.argv[1]);
const { bundle: file, ledger, as_of, runs } = JSON.parse(fs.readFileSync(0, "utf8"));
const bundle = JSON.parse(fs.readFileSync(file, "utf8"));
let t = performance.now();
const first = E.evaluate(bundle, ledger, as_of);
const firstMs = performance.now() - t;
const times = [];
for (let i = 0; i < runs; i++) {
  t = performance.now();
  E.evaluate(bundle, ledger, as_of);
  times.push(performance.now() - t);
}
process.stdout.write(JSON.stringify({ first: firstMs, times, result: first }));
"""


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def five_year_ledger(policy, n: int = 1000, seed: int = 1) -> tuple[dict, str]:
    """n valid entries over the five periods ending with the as-of date's: every item, every role."""
    rng = random.Random(seed)
    today = dt.date(2020, 6, 30)
    if policy.period.last:
        today = min(today, dt.date.fromisoformat(policy.period.last))
    if policy.period.first:
        today = max(today, dt.date.fromisoformat(policy.period.first) + dt.timedelta(days=4 * 366))
    end = period_of(policy.period, today)
    start = period_starting(policy.period, end.start.year - 4).start
    days = (today - start).days
    entries = []
    for i in range(n):
        item = policy.items[i % len(policy.items)]
        e: dict = {"item": item.id, "date": (start + dt.timedelta(days=rng.randint(0, days))).isoformat()}
        if item.input in ("hours", "count", "half_days", "days", "years", "credits"):
            e[item.input] = rng.choice([1, 2, 3, 4, 6, 8, "0.5", "1.5", "7/2"])
        elif item.input == "level":
            e["level"] = rng.choice(item.levels)[0]
        elif item.input == "subjects":
            e["passed"], e["failed"] = rng.randint(0, 3), rng.randint(0, 1)
        if item.gate:
            e[item.gate["flag"]] = rng.random() < 0.9
        if item.dedupe:
            e["course"] = f"课程 {rng.randint(1, 400)}"
        entries.append(e)
    dates = {c.window["date"]: start.isoformat() for c in policy.checks if c.window.get("kind") == "title_cycle"}
    ledger = {"person": {"roles": [r for r, _ in policy.roles], "dates": dates}, "entries": entries}
    return ledger, today.isoformat()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "policies"), str(ROOT / "tests/fixtures/policies/demo")])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    policies, diags = validate_paths(args.paths)
    for d in diags:
        print(f"skipped: {d.format()}", file=sys.stderr)
    engine = ENGINE.read_bytes()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        write_bundles(policies, out)
        for policy in sorted(policies, key=lambda p: p.key):
            js = (out / f"{policy.key}.js").read_bytes()
            raw = (out / f"{policy.key}.json").read_bytes()
            tests = out / f"{policy.key}.tests.json"
            ledger, as_of = five_year_ledger(policy)
            started = time.perf_counter()
            py_result = evaluate(policy, ledger, as_of)
            py_ms = (time.perf_counter() - started) * 1000
            proc = subprocess.run(["node", "-e", NODE_BENCH, str(ENGINE)], check=True, capture_output=True, text=True,
                                  input=json.dumps({"bundle": str(out / f"{policy.key}.json"), "ledger": ledger,
                                                    "as_of": as_of, "runs": args.runs}))
            bench = json.loads(proc.stdout)
            same = bench["result"] == json.loads(json.dumps(py_result))
            rows.append({
                "policy": policy.key, "engine_gz": gz(engine), "bundle_js_gz": gz(js), "bundle_json_gz": gz(raw),
                "bundle_json": len(raw), "tests_json_gz": gz(tests.read_bytes()) if tests.exists() else None,
                "total_gz": gz(engine) + gz(js), "entries": len(ledger["entries"]),
                "periods": len(py_result["periods"]), "errors": len(py_result["errors"]),
                "first_ms": round(bench["first"], 2), "median_ms": round(statistics.median(bench["times"]), 2),
                "max_ms": round(max(bench["times"]), 2), "python_ms": round(py_ms, 1), "same_result": same,
            })
    kb = lambda n: f"{n / 1024:.1f}" if n is not None else "—"  # noqa: E731
    print(f"engine.js: {len(engine)} bytes, {kb(gz(engine))} KB gzipped\n")
    print("| policy | bundle .json KB | .json gz KB | .js gz KB | engine + .js gz KB | tests.json gz KB | entries | periods "
          "| first call ms | median ms | max ms | Python ms | same result |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['policy']} | {kb(r['bundle_json'])} | {kb(r['bundle_json_gz'])} | {kb(r['bundle_js_gz'])} | "
              f"{kb(r['total_gz'])} | {kb(r['tests_json_gz'])} | {r['entries']} | {r['periods']} | {r['first_ms']} | "
              f"{r['median_ms']} | {r['max_ms']} | {r['python_ms']} | {'yes' if r['same_result'] else 'NO'} |")
    worst_size = max(r["total_gz"] for r in rows) / 1024
    worst_time = max(r["median_ms"] for r in rows)
    ok = worst_size <= SIZE_TARGET_KB and worst_time <= TIME_TARGET_MS and all(r["same_result"] for r in rows)
    print(f"\nlargest engine + bundle: {worst_size:.1f} KB gzipped (target ≤ {SIZE_TARGET_KB}); "
          f"slowest median: {worst_time} ms (target ≤ {TIME_TARGET_MS}): {'ok' if ok else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
