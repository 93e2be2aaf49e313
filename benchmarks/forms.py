"""Benchmark: size and time of every form PDF (blank, fillable, filled with Chinese).

    python benchmarks/forms.py [POLICY_PATHS...] [--json OUT.json] [--compare-pdf-forms]

Default inputs: every policy under policies/ that loads, plus the forms fixture
(tests/fixtures/policies/forms-demo). Times are wall-clock seconds of one run on this machine:
`blank` = WeasyPrint layout + PDF + font compaction, `fillable` = adding the AcroForm fields,
`filled` = pypdf filling every field with Chinese and building appearance streams.
`--compare-pdf-forms` also renders each form's HTML page with WeasyPrint's own pdf_forms=True
(the approach this replaces) for the size it would have had.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.outputs.forms import forms  # noqa: E402
from generator.outputs.forms.pdf_fields import fill  # noqa: E402
from generator.policy.loader import load_policy, policy_files  # noqa: E402

LIMIT = 300 * 1024
SAMPLE = ["张三丰", "成都市第七中学", "语文", "高中", "校本研修：课堂观察与评价", "12", "2018年3月"]


def measure(policy, form, compare: bool) -> dict:
    row: dict = {"policy": policy.key, "form": form["id"]}
    rendered = forms.render_pdf(policy, form)
    row.update(pages=rendered.pages, fields=len(rendered.fields), blank_bytes=len(rendered.pdf),
               blank_s=round(rendered.seconds, 3))
    if rendered.fields:
        t = time.perf_counter()
        fillable = forms.fillable_pdf(rendered)
        row.update(fillable_bytes=len(fillable), fillable_s=round(time.perf_counter() - t, 3))
        values = {f.name: SAMPLE[i % len(SAMPLE)] for i, f in enumerate(rendered.fields)}
        t = time.perf_counter()
        filled = fill(fillable, values)
        row.update(filled_bytes=len(filled), filled_s=round(time.perf_counter() - t, 3))
    if compare and rendered.fields:
        from weasyprint import HTML

        t = time.perf_counter()
        # WeasyPrint makes fields only of inputs with `appearance: auto` (the page's print CSS sets none)
        html = forms.render_html(policy, form, interactive=True).replace(
            "</head>", "<style>input, select, textarea { appearance: auto !important; }</style></head>")
        pdf = HTML(string=html).write_pdf(pdf_forms=True)
        row.update(pdf_forms_bytes=len(pdf), pdf_forms_s=round(time.perf_counter() - t, 3))
    row["ok"] = all(row.get(k, 0) <= LIMIT for k in ("blank_bytes", "fillable_bytes", "filled_bytes"))
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument("--compare-pdf-forms", action="store_true")
    args = parser.parse_args(argv)
    paths = args.paths or [ROOT / "policies", ROOT / "tests" / "fixtures" / "policies" / "forms-demo"]
    rows = []
    for path in policy_files(paths):
        try:
            policy = load_policy(path)
        except Exception as exc:  # noqa: BLE001 - report and go on with the others
            print(f"skip {path}: {str(exc).splitlines()[0]}", file=sys.stderr)
            continue
        for form in policy.data.get("forms") or []:
            rows.append(measure(policy, form, args.compare_pdf_forms))
    kb = lambda n: f"{n / 1024:.1f}" if n is not None else "—"  # noqa: E731
    cols = "| policy | form | pages | fields | blank KB | s | fillable KB | s | filled KB | s |"
    if args.compare_pdf_forms:
        cols += " pdf_forms=True KB | s |"
    print(cols)
    print("|" + " --- |" * (cols.count("|") - 1))
    for r in rows:
        line = (f"| {r['policy']} | {r['form']} | {r['pages']} | {r['fields']} | {kb(r['blank_bytes'])} | {r['blank_s']} | "
                f"{kb(r.get('fillable_bytes'))} | {r.get('fillable_s', '—')} | {kb(r.get('filled_bytes'))} | "
                f"{r.get('filled_s', '—')} |")
        if args.compare_pdf_forms:
            line += f" {kb(r.get('pdf_forms_bytes'))} | {r.get('pdf_forms_s', '—')} |"
        print(line)
    biggest = max((max(r.get("fillable_bytes", 0), r.get("filled_bytes", 0), r["blank_bytes"]) for r in rows), default=0)
    print(f"\n{len(rows)} forms; largest PDF {kb(biggest)} KB; limit {LIMIT // 1024} KB: "
          f"{'ok' if all(r['ok'] for r in rows) else 'OVER'}")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
