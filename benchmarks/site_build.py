"""Guidance-site build times: a full build of every policy, and a rebuild after touching one policy.

    python benchmarks/site_build.py [--runs 3] [--json]

Works on a copy of policies/ (and the demo fixture) in a temporary folder, so touching a policy
never changes the repository. Measures:

* cold CLI build: `python -m generator build` in a fresh process into empty docs and site folders
  (interpreter start, imports, jieba's dictionary, generation, `mkdocs build --strict`, swap);
* warm full build: `build_site` in this process into empty folders;
* rebuild after touching one policy: one policy's title changed, `build_site` again into the same
  folders (what `jxjy build` does after an edit; `jxjy serve` runs the same two steps).

Each figure is split into the generation step (validate + Markdown) and the MkDocs step.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.outputs.site.build import build_site  # noqa: E402
from generator.policy.loader import policy_files  # noqa: E402


def _copy_inputs(tmp: Path) -> tuple[Path, Path]:
    policies = tmp / "policies"
    shutil.copytree(ROOT / "policies", policies)
    demo = tmp / "fixtures" / "policies"
    shutil.copytree(ROOT / "tests" / "fixtures" / "policies", demo)
    return policies, demo / "demo" / "2020.yaml"


def _touch(policy: Path, n: int) -> None:
    text = policy.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("title:"):
            lines[i] = line.rstrip("\n").split(" （修订")[0] + f" （修订{n}）\n"
            break
    policy.write_text("".join(lines), encoding="utf-8")


def _stats(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3), "runs": len(values)}


def run(runs: int) -> dict:
    out: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}}
    with tempfile.TemporaryDirectory(prefix="jxjy-bench-") as t:
        tmp = Path(t)
        policies, demo = _copy_inputs(tmp)
        paths = [policies, demo]
        out["editions"] = len(policy_files(paths))

        cold = []
        for i in range(runs):
            site, docs = tmp / f"cold-site-{i}", tmp / f"cold-docs-{i}"
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "generator", "build", str(policies), str(demo),
                            "--site-dir", str(site), "--docs-dir", str(docs)], cwd=ROOT, check=True,
                           capture_output=True)
            cold.append(time.perf_counter() - start)
        out["cold_cli_build_s"] = _stats(cold)

        warm, warm_gen, warm_mk = [], [], []
        for i in range(runs):
            site, docs = tmp / f"warm-site-{i}", tmp / f"warm-docs-{i}"
            start = time.perf_counter()
            report = build_site(paths, site_dir=site, docs_dir=docs)
            warm.append(time.perf_counter() - start)
            warm_gen.append(report.seconds["generate"])
            warm_mk.append(report.seconds["mkdocs"])
        out["full_build_s"] = _stats(warm)
        out["full_build_generate_s"] = _stats(warm_gen)
        out["full_build_mkdocs_s"] = _stats(warm_mk)
        out["pages"] = report.pages

        site, docs = tmp / "warm-site-0", tmp / "warm-docs-0"
        touched = policies / "chengdu-teachers" / "2018.yaml"
        if not touched.exists():
            touched = policy_files([policies])[0]
        re_all, re_gen, re_mk, changed = [], [], [], []
        for i in range(runs):
            _touch(touched, i + 1)
            start = time.perf_counter()
            report = build_site(paths, site_dir=site, docs_dir=docs)
            re_all.append(time.perf_counter() - start)
            re_gen.append(report.seconds["generate"])
            re_mk.append(report.seconds["mkdocs"])
            changed.append(report.files_written)
        out["touched"] = touched.relative_to(tmp).as_posix()
        out["rebuild_after_touch_s"] = _stats(re_all)
        out["rebuild_generate_s"] = _stats(re_gen)
        out["rebuild_mkdocs_s"] = _stats(re_mk)
        out["rebuild_generated_files_changed"] = changed[-1]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = run(args.runs)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    m = result["machine"]
    print(f"{result['editions']} policy editions, {result['pages']} pages; Python {m['python']}, {m['cpus']} CPUs; "
          f"median (min) of {args.runs} runs")
    rows = [
        ("cold CLI build (new process, empty folders)", result["cold_cli_build_s"]),
        ("full build in process", result["full_build_s"]),
        ("  generate (validate + Markdown)", result["full_build_generate_s"]),
        ("  mkdocs build --strict + swap", result["full_build_mkdocs_s"]),
        (f"rebuild after touching {result['touched']}", result["rebuild_after_touch_s"]),
        ("  generate", result["rebuild_generate_s"]),
        ("  mkdocs build --strict + swap", result["rebuild_mkdocs_s"]),
    ]
    for name, s in rows:
        print(f"{name:<58} {s['median']:6.2f} s  ({s['min']:.2f})")
    print(f"generated files rewritten by the rebuild: {result['rebuild_generated_files_changed']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
