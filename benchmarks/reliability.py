"""Reliability benchmark (issue 12): hostile inputs, and the 100,000-entry ledger in every format.

    python benchmarks/reliability.py [--mutations 200] [--entries 100000] [--formats json,yaml,csv] [--skip-large]
                                     [--json OUT.json]

1. Runs every input of the hostile corpus — tests/broken/ and tests/hostile/ policies through
   `jxjy validate`, tests/hostile_ledgers/ through `jxjy check` — and as many mangled copies of the demo
   policy (hostile snippets, random text, deleted spans; seeded) in process, each under a 60 s watchdog,
   and prints the table users trust:

   | inputs tried | clear errors | tracebacks | hangs | silently wrong |

   A *clear error* is a refusal (status 1 or 3) whose every line is a located, catalogued sentence; a
   *traceback* is status 4 or a Python traceback anywhere in the output; a *hang* is an input still
   running after 60 s; *silently wrong* is a corpus input (each is broken on purpose) accepted with
   status 0, or a refusal whose lines differ from its recorded expectation. Target: 0 in the last three.

2. Reads and checks a 100,000-entry ledger written as JSON, YAML and CSV, each in a fresh process:
   seconds to read (`read_ledger`), seconds to read and evaluate (`jxjy check`'s work) and peak memory
   (max RSS of the process). Target: ≤ 3 s and ≤ 300 MB to read each.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WATCHDOG = 60
SNIPPETS = ["\x00", "\x07", "!!int abc", "!foo x", "!!binary aGVsbG8=", "&a", "*a", "<<: {}", "9" * 5000,
            "1.0e+10000000", "[" * 300, "{", "'", '"', "\t", ": ", "- ", "---\n", "\u2028", "\ufeff",
            "../../../../etc/passwd", "/dev/zero", "__proto__", "＝1+1", "=cmd|' /C calc'!A0"]


class Hang(Exception):
    pass


def run(argv: list[str]) -> tuple[str, int, list[str]]:
    """('ok' | 'hang' | 'crash', status, stderr lines) of `jxjy <argv>` in process."""
    from generator.cli.main import main  # noqa: PLC0415

    def alarm(*_: object) -> None:
        raise Hang
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(WATCHDOG)
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(argv)
        return "ok", code, err.getvalue().splitlines()
    except Hang:
        return "hang", -1, err.getvalue().splitlines()
    except BaseException:  # noqa: BLE001 - anything escaping main is a traceback on a user's screen
        return "crash", -1, err.getvalue().splitlines()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def classify(kind: str, code: int, lines: list[str], expected: list[str] | None) -> str:
    if kind == "hang":
        return "hang"
    if kind == "crash" or code == 4 or any("Traceback" in line for line in lines):
        return "traceback"
    if code == 0:
        return "silently wrong" if expected is not None else "accepted"
    if expected is not None and lines[:-1] != expected:
        return "silently wrong"
    return "clear error"


def corpus() -> list[tuple[str, list[str], list[str]]]:
    """(name, argv, expected stderr lines) of every corpus input."""
    out = []
    for corpus_dir in ("tests/broken", "tests/hostile"):
        for case in sorted(p for p in (ROOT / corpus_dir).iterdir() if p.is_dir() and p.name != "sources"):
            expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
            out.append((f"{corpus_dir}/{case.name}", ["validate", f"{corpus_dir}/{case.name}"], expected))
    for f in sorted((ROOT / "tests/hostile_ledgers").iterdir()):
        if f.is_file() and not f.name.endswith(".expected.txt") and f.name != "README.md":
            expected = f.with_name(f.name + ".expected.txt").read_text(encoding="utf-8").splitlines()
            name = f"tests/hostile_ledgers/{f.name}"
            out.append((name, ["check", "tests/fixtures/policies/demo/2020.yaml", name, "--no-trace"], expected))
    return out


def mutations(count: int, folder: Path) -> list[tuple[str, list[str]]]:
    demo = (ROOT / "tests/fixtures/policies/demo/2020.yaml").read_text(encoding="utf-8")
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    (folder / "sources" / "demo.txt").write_bytes((ROOT / "tests/fixtures/policies/sources/demo.txt").read_bytes())
    rng = random.Random(12)
    out = []
    for n in range(count):
        text = demo
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(text))
            kind = rng.choice(["snippet", "text", "delete"])
            if kind == "snippet":
                text = text[:at] + rng.choice(SNIPPETS) + text[at:]
            elif kind == "text":
                text = text[:at] + "".join(chr(rng.randint(1, 0x3000)) for _ in range(rng.randint(1, 12))) + text[at:]
            else:
                text = text[:at] + text[at + rng.randint(1, 40):]
        case = folder / f"m{n:04d}"
        case.mkdir()
        (case / "2020.yaml").write_text(text.replace("id: demo\n", f"id: m{n:04d}\n", 1), encoding="utf-8",
                                        errors="surrogatepass")
        out.append((f"mutation {n}", ["validate", str(case)]))
    return out


def reliability(count: int) -> dict:
    os.chdir(ROOT)
    os.environ["JXJY_LANG"] = "zh"
    counts = {"inputs tried": 0, "clear errors": 0, "accepted": 0, "tracebacks": 0, "hangs": 0, "silently wrong": 0}
    bad: list[str] = []
    key = {"clear error": "clear errors", "accepted": "accepted", "traceback": "tracebacks", "hang": "hangs",
           "silently wrong": "silently wrong"}
    with tempfile.TemporaryDirectory() as tmp:
        inputs = [(n, a, e) for n, a, e in corpus()] + [(n, a, None) for n, a in mutations(count, Path(tmp))]
        for name, argv, expected in inputs:
            kind, code, lines = run(argv)
            verdict = classify(kind, code, lines, expected)
            counts["inputs tried"] += 1
            counts[key[verdict]] += 1
            if verdict in ("traceback", "hang", "silently wrong"):
                bad.append(f"{verdict}: {name}")
    return {"counts": counts, "bad": bad}


LARGE = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from generator.policy.loader import load_policy
from generator.rules.engine import evaluate
from generator.rules.ledger import read_ledger
policy = load_policy({root!r} + "/tests/fixtures/policies/demo/2020.yaml")
t0 = time.perf_counter()
ledger = read_ledger(sys.argv[1])
t1 = time.perf_counter()
evaluate(policy, ledger.data)
t2 = time.perf_counter()
print(json.dumps({{"entries": len(ledger.data["entries"]), "read": t1 - t0, "check": t2 - t0,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def large_ledgers(entries: int, formats: tuple[str, ...] = ("json", "yaml", "csv")) -> list[dict]:
    items = [("weike", "hours", "3"), ("reading-notes", "count", "1"), ("school-based", "hours", "1.5")]
    rows = []
    for i in range(entries):
        item, field, amount = items[i % 3]
        rows.append((item, f"20{18 + i % 4}-{1 + i % 12:02d}-{1 + i % 28:02d}", field, amount))
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        passed = {"school-based": ', "exam_passed": true'}
        body = ",\n".join(f'  {{"item": "{i}", "date": "{d}", "{f}": {a}{passed.get(i, "")}}}' for i, d, f, a in rows)
        (folder / "l.json").write_text('{"format": "jxjy-ledger/1", "entries": [\n' + body + "\n]}\n", encoding="utf-8")
        (folder / "l.yaml").write_text("format: jxjy-ledger/1\nentries:\n" + "".join(
            f"  - {{item: {i}, date: {d}, {f}: {a}" + (", exam_passed: true" if i == "school-based" else "") + "}\n"
            for i, d, f, a in rows), encoding="utf-8")
        (folder / "l.csv").write_text("item,date,hours,count,exam_passed\n" + "".join(
            f"{i},{d},{a if f == 'hours' else ''},{a if f == 'count' else ''},{'是' if i == 'school-based' else ''}\n"
            for i, d, f, a in rows), encoding="utf-8")
        for fmt in formats:
            path = folder / f"l.{fmt}"
            proc = subprocess.run([sys.executable, "-c", LARGE.format(root=str(ROOT)), str(path)],
                                  capture_output=True, text=True, check=False)
            figures = json.loads(proc.stdout) if proc.returncode == 0 else {"error": proc.stderr[-300:]}
            out.append({"format": fmt, "bytes": path.stat().st_size, **figures})
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mutations", type=int, default=200)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--formats", default="json,yaml,csv", help="ledger formats of part 2, comma-separated")
    parser.add_argument("--json")
    args = parser.parse_args()
    result = reliability(args.mutations)
    c = result["counts"]
    print("| inputs tried | clear errors | accepted (valid after mangling) | tracebacks | hangs | silently wrong |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(f"| {c['inputs tried']} | {c['clear errors']} | {c['accepted']} | {c['tracebacks']} | {c['hangs']} | "
          f"{c['silently wrong']} |")
    for line in result["bad"]:
        print(f"- {line}")
    if not args.skip_large:
        result["large"] = large_ledgers(args.entries, tuple(args.formats.split(",")))
        print()
        print(f"| {args.entries:,}-entry ledger | file MB | read s | read + evaluate s | peak MB |")
        print("| --- | --- | --- | --- | --- |")
        for row in result["large"]:
            if "error" in row:
                print(f"| {row['format']} | {row['bytes'] / 1e6:.1f} | error: {row['error']!r} | | |")
            else:
                print(f"| {row['format']} | {row['bytes'] / 1e6:.1f} | {row['read']:.2f} | {row['check']:.2f} | "
                      f"{row['peak_mb']:.0f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if not result["bad"] else 1


if __name__ == "__main__":
    sys.exit(main())
