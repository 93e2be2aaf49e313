"""`jxjy audit report`: what auditors take away, from the result tables of the last `jxjy audit run`.

people.csv / people.parquet (per person), requirements.csv (per person and requirement),
results.jsonl (per person result documents, numbers only), schools.csv (pass rate per school and
requirement), shortfalls.csv (names, 还差 amounts, the school's deadline), schools/<school>.xlsx (one
workbook per school for its admin) and report.html (static, offline, Chinese, inline SVG charts).
Every amount is an exact DECIMAL from the database, written as the engine writes numbers.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from generator.audit.html_report import percent, write_html
from generator.audit.results import num, read_results
from generator.audit.sql.compiler import compile_policy
from generator.base.messages import message
from generator.policy.model import Policy


def _t(key: str, **params: object) -> str:
    return message(f"audit_report.{key}", **params)


def school_deadlines(policy: Policy) -> dict[str, str]:
    """Each school's slot from the edition's schedules (Shuangliu: 附件2), by school name."""
    return {row.organization: row.date for s in policy.schedules for row in s.rows}


def _safe(name: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", name or "—")[:80]


def write_reports(con, policy: Policy, out: Path, jsonl: bool = True) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, query in (("people", "SELECT * FROM audit_people ORDER BY school, name, person_id"),
                        ("requirements", "SELECT r.*, p.name, p.school FROM audit_requirements r JOIN audit_people p "
                                         "USING (person_id) ORDER BY p.school, p.name, r.person_id, r.position")):
        for fmt in ("csv", "parquet"):
            path = out / f"{name}.{fmt}"
            options = "(FORMAT CSV, HEADER)" if fmt == "csv" else "(FORMAT PARQUET)"
            con.execute(f"COPY ({query}) TO '{str(path).replace(chr(39), chr(39) * 2)}' {options}")
            written.append(path)
    if jsonl:
        run = con.execute("SELECT prefix FROM audit_runs").fetchall()[0]
        compiled = compile_policy(policy, prefix=run[0] if run else None)
        path = out / "results.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for pid, doc in sorted(read_results(con, compiled).items()):
                f.write(json.dumps({"person_id": pid, "policy": policy.key, **doc}, ensure_ascii=False) + "\n")
        written.append(path)
    deadlines = school_deadlines(policy)
    rows = con.execute("""SELECT COALESCE(p.school, ''), r.kind, r.scope_name, r.requirement_name, COUNT(*),
  SUM(CASE WHEN r.met THEN 1 ELSE 0 END) FROM audit_requirements r JOIN audit_people p USING (person_id)
GROUP BY ALL ORDER BY 1, 2, 3, 4""").fetchall()
    path = out / "schools.csv"
    with path.open("w", encoding="utf-8-sig") as f:
        f.write(_t("schools_header") + "\n")
        for school, _kind, scope, req, n, met in rows:
            f.write(f"{school},{scope},{req},{n},{met},{_rate(met, n)},{deadlines.get(school, '')}\n")
    written.append(path)
    shortfalls = con.execute("""SELECT COALESCE(p.school, ''), COALESCE(p.name, r.person_id), r.person_id, r.scope_name,
  r.requirement_name, r.required, r.actual, r.shortfall, p.incomplete
FROM audit_requirements r JOIN audit_people p USING (person_id) WHERE NOT r.met ORDER BY 1, r.shortfall DESC, 2""").fetchall()
    path = out / "shortfalls.csv"
    with path.open("w", encoding="utf-8-sig") as f:
        f.write(_t("shortfalls_header") + "\n")
        for school, name, pid, scope, req, required, actual, short, incomplete in shortfalls:
            f.write(f"{school},{name},{pid},{scope},{req},{num(required)},{num(actual)},{num(short)},"
                    f"{deadlines.get(school, '')},{_t('incomplete_mark') if incomplete else ''}\n")
    written.append(path)
    written += _school_workbooks(con, policy, out / "schools", deadlines)
    written.append(write_html(con, policy, out / "report.html", deadlines))
    return written


def _rate(met: int, n: int) -> str:
    return percent(met, n) if n else "—"


def _school_workbooks(con, policy: Policy, folder: Path, deadlines: dict[str, str]) -> list[Path]:
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    folder.mkdir(parents=True, exist_ok=True)
    by_school: dict[str, list] = defaultdict(list)
    for row in con.execute("""SELECT COALESCE(p.school, ''), COALESCE(p.name, p.person_id), p.person_id, r.scope_name,
  r.requirement_name, r.required, r.actual, r.met, r.shortfall, p.incomplete
FROM audit_requirements r JOIN audit_people p USING (person_id) ORDER BY 2, 3, r.position""").fetchall():
        by_school[row[0]].append(row)
    written = []
    for school, rows in sorted(by_school.items()):
        wb = Workbook()
        ws = wb.active
        ws.title = _t("sheet_title")
        ws.append([_t("workbook_title", school=school or "—", policy=policy.label)])
        ws["A1"].font = Font(bold=True, size=13)
        if deadlines.get(school):
            ws.append([_t("deadline", date=deadlines[school])])
        ws.append(_t("workbook_header").split(","))
        for _, name, pid, scope, req, required, actual, met, short, incomplete in rows:
            ws.append([name, pid, scope, req, _cell(required), _cell(actual), _t("met") if met else _t("unmet"),
                       "" if met else _cell(short), _t("incomplete_mark") if incomplete else ""])
        for col, width in zip("ABCDEFGHI", (12, 18, 16, 22, 10, 10, 8, 10, 10), strict=True):
            ws.column_dimensions[col].width = width
        path = folder / f"{_safe(school)}.xlsx"
        wb.save(path)
        written.append(path)
    return written


def _cell(value: Decimal) -> int | str:
    """Whole numbers as numbers; others as their exact text (a spreadsheet float would not be exact)."""
    text = num(value)
    return int(text) if text.isdigit() else text


