"""Render an evaluation result as the readable Chinese table `jxjy check` prints."""

from __future__ import annotations

import re
import unicodedata

import jinja2
import yaml

from generator.base.paths import REPORT_TEMPLATES
from generator.policy.model import Policy
from generator.rules.engine import shortfall_list

TEMPLATES = REPORT_TEMPLATES


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(rows: list[list[str]]) -> str:
    """Align columns by display width, so Chinese and digits line up in a terminal."""
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
        lines.append("  " + "  ".join(cells).rstrip())
    return "\n".join(lines)


def render_report(policy: Policy, result: dict, ledger: dict, errors: list[str], with_trace: bool = True,
                  code: str = "") -> str:
    """The report: per period its items, totals and requirements with their state (达标 / 进行中 / 未达标) and
    deadline, what is still missing with the deadline's clause, every entry that counts less than its own value
    with the reason, and the trace. `code`: the verification code, when the caller computed one."""
    labels = yaml.safe_load((TEMPLATES / "labels.zh.yaml").read_text(encoding="utf-8"))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False, keep_trailing_newline=True)
    unit = policy.unit
    names = {c.id: c.name for c in policy.categories}

    def req_table(reqs: dict) -> str:
        rows = [labels["requirements"]]
        for r in reqs.values():
            deadline = r.get("deadline") or {}
            rows.append([r["name"], r["required"], r["actual"], labels["state"][r["state"]],
                         "" if r["met"] else r["shortfall"], "" if r["met"] else deadline.get("date", "")])
        return table(rows)

    periods = []
    for p in result["periods"].values():
        rows = [labels["items"]]
        for item_id, it in p["items"].items():
            rows.append([policy.get_item(item_id).name, it["raw"], it["credited"], str(len(it["entries"]))])
        periods.append({
            "label": p["label"], "start": p["start"], "end": p["end"],
            "table": table(rows) if len(rows) > 1 else "  —",
            "categories": [f"{names[c]}：{v} {unit}" for c, v in p["categories"].items()],
            "total": p["total"], "requirements": p["requirements"],
            "req_table": req_table(p["requirements"]) if p["requirements"] else "",
            "verdict": p.get("verdict"),
        })
    checks = [{"name": c["name"], "state": labels["state"][c["state"]], "req_table": req_table(c["requirements"]),
               "periods": "、".join(c["periods"]) or "—"} for c in result["checks"].values()]
    person = ledger.get("person") or {}
    window = result.get("in_force")
    shortfalls = []
    for text, deadline in shortfall_list(result):
        if deadline and deadline.get("source"):
            text += "——" + labels["deadline_cite"].format(title=deadline["title"],
                                                           cite=_cited(policy, deadline["source"]))
        shortfalls.append(text)
    text = env.get_template("check.txt.j2").render(
        policy=policy, result=result, unit=unit, periods=periods, checks=checks,
        person_name=person.get("name", ""), roles="、".join(policy.role_name(r) for r in person.get("roles") or []),
        shortfalls=shortfalls, errors=errors, outcomes=_outcomes(policy, result, ledger, labels),
        notices=[n["message"] for n in result.get("notices", [])], verdict_words=labels["verdict"],
        window=(labels["window" if window["last_day"] == window["to"] else "window_review"].format(
            start=window["from"], end=window["to"], last_day=window["last_day"]) if window else ""),
        revision=result["policy"].get("revision"), code=code, engine=result.get("engine", ""),
        bundle_sha=(result.get("bundle_sha256") or "")[:12],
        trace=_trace_lines(policy, result) if with_trace else [],
    )
    return re.sub(r"\n{3,}", "\n\n", text).rstrip()


def _trace_lines(policy: Policy, result: dict) -> list[str]:
    """Trace lines with a heading whenever the period changes, so each number is placed in its year;
    each cites its clause as a reader would (document number and printed clause number)."""
    labels = {pid: p["label"] for pid, p in result["periods"].items()}
    lines, current = [], None
    for t in result["trace"]:
        period = t.get("period")
        if period != current and period in labels:
            lines.append(f"【{labels[period]}】")
        current = period
        cited = f"（{_cited(policy, t['source'])}）" if t.get("source") else ""
        lines.append(("  " if period in labels else "") + t["text"] + cited)
    return lines


def _cited(policy: Policy, clause_id: str) -> str:
    clause = policy.clause(clause_id)
    return clause.citation if clause else clause_id


def _outcomes(policy: Policy, result: dict, ledger: dict, labels: dict) -> list[str]:
    """One line per entry that counts less than its own value (and is not an error, listed apart), with why."""
    found = ledger.get("entries")
    raw: list = found if isinstance(found, list) else []
    lines = []
    for outcome in result.get("entries", []):
        if outcome["status"] in ("counted", "refused") or not outcome["reasons"]:
            continue
        entry = raw[outcome["index"]] if outcome["index"] < len(raw) and isinstance(raw[outcome["index"]], dict) else {}
        item = policy.item(outcome["item"]) if outcome["item"] else None
        lines.append(labels["entry"].format(n=outcome["index"] + 1, item=item.name if item else "—",
                                            date=entry.get("date", ""),
                                            reasons="；".join(r["message"] for r in outcome["reasons"])))
    return lines
