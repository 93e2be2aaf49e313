"""Calculator benchmarks: download size, evaluation time in Chromium, page load to first result.

    python3 benchmarks/calculator.py [--runs 50] [--json out.json] [--strict]

1. gzipped size of what a phone downloads to use the calculator with one policy: the page's
   scripts as the site ships them (config.js, and engine.js and app.js minified when terser is
   installed), the edition list (data/index.js) and the largest edition's data
   (data/<policy>/<edition>.js, generator/calculator_data.py) — target ≤ 40 KB. Listed apart: the
   edition's .texts.js (clause quotes and item descriptions, loaded when a teacher first opens
   one), app.css and index.html, and for comparison the readable sources and the published
   bundle's .js twin the page loaded before it had its own data.
2. evaluation time of a 1,000-entry ledger spread over five school years (chengdu-teachers/2018,
   every role, every item) by JXJY_ENGINE.evaluate in headless Chromium — target ≤ 10 ms
   (median of warm runs; the first call, which also compiles the bundle, is reported too).
3. time from navigation start to the first rendered result (performance mark
   "jxjy-first-result"), for an empty ledger and for the 1,000-entry ledger already in
   localStorage, opened from file:// — median of several fresh browser contexts.

Builds its own site into a temporary folder (write_bundles + write_forms + write_calculator). Needs the
`playwright` package and /usr/bin/chromium (never `playwright install`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.outputs.bundle import write_bundles  # noqa: E402
from generator.outputs.calculator.assets import write_calculator  # noqa: E402
from generator.outputs.forms.render import write_forms  # noqa: E402
from generator.policy.loader import validate_paths  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
POLICY = "chengdu-teachers/2018"
AS_OF = "2018-07-31"
SIZE_TARGET_KB = 40
EVAL_TARGET_MS = 10


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def build_site(out: Path) -> list:
    """bundles, forms and calculator as `jxjy build` writes them (the forms' list is part of each edition's data)."""
    policies, diags = validate_paths([ROOT / "policies"])
    if diags:
        raise SystemExit("\n".join(d.format() for d in diags))
    write_bundles(policies, out / "bundles")
    write_forms(policies, out / "forms")
    write_calculator(out / "calculator", guidance_pages=False)
    return policies


def ledger_1000(policy, n: int = 1000, seed: int = 20180731) -> dict:
    """n valid entries over the five school years ending 2017-2018, every item of the policy."""
    rnd = random.Random(seed)
    items = list(policy.items)
    start = 2013
    entries = []
    for i in range(n):
        item = items[i % len(items)]
        year = start + rnd.randrange(5)
        month = rnd.choice([8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7])
        y = year if month >= 8 else year + 1
        entry = {"item": item.id, "date": f"{y:04d}-{month:02d}-{rnd.randint(1, 28):02d}"}
        if item.input in ("hours", "half_days", "days"):
            entry[item.input] = rnd.choice([1, 2, 3, 4, 6, 8, "0.5", "1.5", "2.5"])
        elif item.input in ("count", "years"):
            entry[item.input] = rnd.randint(1, 3)
        elif item.input == "credits":
            entry["credits"] = rnd.choice([1, 2, 5, "0.5", "2.5"])
        elif item.input == "level":
            entry["level"] = rnd.choice([lid for lid, _ in item.levels])
        elif item.input == "subjects":
            entry["passed"], entry["failed"] = rnd.randint(0, 3), rnd.randint(0, 1)
        if item.gate:
            entry["exam_passed"] = rnd.random() < 0.9
        if item.dedupe or rnd.random() < 0.5:
            entry["course"] = f"课程 {rnd.randrange(400)}"
        entries.append(entry)
    roles = [rid for rid, _ in policy.roles]
    return {"format": "jxjy-ledger/1", "policy": {"id": policy.id, "edition": policy.edition},
            "person": {"name": "基准测试", "roles": roles}, "entries": entries}


def sizes(site: Path) -> dict:
    calc = site / "calculator"
    views = [p for p in (calc / "data").glob("*/*.js") if not p.name.endswith(".texts.js")]
    largest = max(views, key=lambda p: gz(p.read_bytes()))
    name = largest.relative_to(calc).as_posix()
    parts = {
        "calculator/config.js": calc / "config.js",
        "calculator/engine.js": calc / "engine.js",
        "calculator/app.js": calc / "app.js",
        "calculator/data/index.js": calc / "data" / "index.js",
        f"calculator/{name} (largest edition)": largest,
    }
    extra = {
        f"calculator/{name[:-3]}.texts.js (on demand)": largest.with_name(largest.name[:-3] + ".texts.js"),
        "calculator/app.css": calc / "app.css",
        "calculator/index.html": calc / "index.html",
        "calculator/engine.js (readable source)": ROOT / "calculator" / "engine.js",
        "calculator/app.js (readable source)": ROOT / "calculator" / "app.js",
        f"bundles/{name.removeprefix('data/')} (the published bundle's .js twin)": site / "bundles" / name.removeprefix("data/"),
    }
    rows = {label: {"bytes": p.stat().st_size, "gzip": gz(p.read_bytes())} for label, p in parts.items()}
    other = {label: {"bytes": p.stat().st_size, "gzip": gz(p.read_bytes())} for label, p in extra.items()}
    total = sum(r["gzip"] for r in rows.values())
    return {"js": rows, "other": other, "js_gzip_total": total, "minified": (calc / "app.js.map").is_file()}


def chromium():
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    return pw, browser


def eval_times(browser, site: Path, ledger: dict, runs: int) -> dict:
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto((site / "calculator" / "index.html").as_uri())
    page.wait_for_function("document.documentElement.dataset.ready && window.JXJY_BUNDLES && "
                           f"window.JXJY_BUNDLES['{POLICY}']")
    out = page.evaluate("""([ledger, asOf, runs, key]) => {
        const E = globalThis.JXJY_ENGINE;
        // a fresh copy of the bundle: its compiled form is cached per object, so the first call compiles
        const bundle = JSON.parse(JSON.stringify(globalThis.JXJY_BUNDLES[key]));
        let t = performance.now();
        const first = E.evaluate(bundle, ledger, asOf);
        const cold = performance.now() - t;
        const times = [];
        for (let i = 0; i < 5; i++) E.evaluate(bundle, ledger, asOf);
        for (let i = 0; i < runs; i++) {
            t = performance.now();
            E.evaluate(bundle, ledger, asOf);
            times.push(performance.now() - t);
        }
        return {cold, times, errors: first.errors.length, periods: Object.keys(first.periods).length,
                trace: first.trace.length};
    }""", [ledger, AS_OF, runs, POLICY])
    ctx.close()
    times = sorted(out["times"])
    return {"entries": len(ledger["entries"]), "cold_ms": round(out["cold"], 2),
            "median_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
            "min_ms": round(times[0], 2), "runs": runs, "entry_errors": out["errors"], "periods": out["periods"],
            "trace_lines": out["trace"]}


def first_result(browser, site: Path, ledger: dict | None, repeats: int) -> dict:
    url = (site / "calculator" / "index.html").as_uri() + f"#policy={POLICY}"
    marks, dcl = [], []
    for _ in range(repeats):
        ctx = browser.new_context(viewport={"width": 360, "height": 740})
        if ledger is not None:
            store = {"version": 1, "current": POLICY, "ledgers": {POLICY: {
                "person": {"name": "", "school": "", "subject": "", "roles": ledger["person"]["roles"], "dates": {}},
                "entries": ledger["entries"], "as_of": AS_OF}}}
            seed = json.dumps(json.dumps(store, ensure_ascii=False))
            ctx.add_init_script("try { if (!sessionStorage.getItem('seeded')) { localStorage.setItem('jxjy-calculator/1', "
                                f"{seed}); sessionStorage.setItem('seeded', '1'); }} }} catch (e) {{}}")
        page = ctx.new_page()
        page.goto(url)
        page.wait_for_function("performance.getEntriesByName('jxjy-first-result').length > 0")
        marks.append(page.evaluate("performance.getEntriesByName('jxjy-first-result')[0].startTime"))
        dcl.append(page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"))
        if ledger is not None:
            shown = page.evaluate("document.querySelectorAll('#entries li.entry').length")
            assert shown == len(ledger["entries"]), shown
        ctx.close()
    return {"entries": len(ledger["entries"]) if ledger else 0, "median_ms": round(statistics.median(marks), 1),
            "min_ms": round(min(marks), 1), "max_ms": round(max(marks), 1),
            "dom_content_loaded_median_ms": round(statistics.median(dcl), 1), "repeats": repeats}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="warm evaluation runs (default 50)")
    parser.add_argument("--loads", type=int, default=7, help="page loads per first-result measurement (default 7)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="jxjy-calc-bench-") as tmp:
        site = Path(tmp)
        policies = build_site(site)
        policy = next(p for p in policies if p.key == POLICY)
        ledger = ledger_1000(policy)
        report = {"sizes": sizes(site)}
        pw, browser = chromium()
        try:
            report["browser"] = browser.version
            report["evaluate_1000"] = eval_times(browser, site, ledger, args.runs)
            report["first_result_empty"] = first_result(browser, site, None, args.loads)
            report["first_result_1000"] = first_result(browser, site, ledger, args.loads)
        finally:
            browser.close()
            pw.stop()

    s = report["sizes"]
    print("gzip -9 sizes (bytes → gzipped):")
    for name, r in {**s["js"], **s["other"]}.items():
        print(f"  {name:<48} {r['bytes']:>8} → {r['gzip']:>6}")
    kb = s["js_gzip_total"] / 1024
    print(f"  calculator JS + largest edition's data: {kb:.1f} KB gzipped (target ≤ {SIZE_TARGET_KB} KB)"
          + ("" if s["minified"] else " — NOT minified: terser is not installed (npm ci)"))
    e = report["evaluate_1000"]
    print(f"evaluate, {e['entries']} entries / {e['periods']} periods in Chromium {report['browser']}: "
          f"median {e['median_ms']} ms, p95 {e['p95_ms']} ms, min {e['min_ms']} ms over {e['runs']} runs; "
          f"first call (compiles the bundle) {e['cold_ms']} ms (target ≤ {EVAL_TARGET_MS} ms)")
    for key, label in (("first_result_empty", "empty ledger"), ("first_result_1000", "1,000 entries in localStorage")):
        f = report[key]
        print(f"page load → first result, {label}: median {f['median_ms']} ms (min {f['min_ms']}, max {f['max_ms']}; "
              f"DOMContentLoaded {f['dom_content_loaded_median_ms']} ms; {f['repeats']} loads)")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    missed = kb > SIZE_TARGET_KB or e["median_ms"] > EVAL_TARGET_MS
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
