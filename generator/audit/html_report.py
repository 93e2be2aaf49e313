"""The audit's static HTML report: Chinese, one file, offline (inline CSS and SVG charts drawn here, no
script, no font or library fetched), readable on a phone (360 px) and a desktop (1280 px).

Charts: pass rate by school and the largest shortfalls (bars drawn in HTML and CSS, so their labels stay
readable at any width), the distribution of the as-of period's totals (an SVG histogram); then the
largest shortfalls as a table, one card a row on a phone. Every sentence comes from the catalog
(audit_report.*)."""

from __future__ import annotations

import html
from pathlib import Path

from generator.audit.results import num
from generator.base.messages import message
from generator.policy.model import Policy

CSS = """body{font-family:"Noto Sans CJK SC","Noto Sans SC",sans-serif;margin:0;color:#1d2330;background:#f6f7fb}
main{max-width:1100px;margin:0 auto;padding:16px}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:28px}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{background:#fff;border-radius:8px;padding:10px 14px;flex:1 1 140px;
box-shadow:0 1px 3px #0002}.card b{display:block;font-size:1.5rem}
.chart{background:#fff;border-radius:8px;padding:10px 12px}svg{display:block;width:100%;max-width:480px;height:auto}
.bar{display:grid;grid-template-columns:minmax(5em,12em) 1fr;gap:2px 10px;align-items:center;margin:6px 0;font-size:.9rem}
.bar .label{overflow-wrap:anywhere}.bar .track{background:#e8ebf3;border-radius:3px;height:18px;position:relative}
.bar .fill{background:#3b6fd8;height:100%;border-radius:3px}.bar.short .fill{background:#d8743b}
.bar .value{grid-column:2;font-size:.85rem;color:#445;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.9rem}th,td{border-bottom:1px solid #dde;
padding:6px;text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
p.note{color:#556;font-size:.85rem}
@media (max-width:640px){table,thead,tbody,tr,td{display:block}thead{display:none}tr{border-bottom:1px solid #dde;
padding:6px 0}td{border:0;padding:2px 8px}td.n{text-align:left}td::before{content:attr(data-label) "：";color:#667}
.bar{grid-template-columns:1fr}.bar .value{grid-column:1}}"""


def escape(text: object) -> str:
    return html.escape(str(text))


def percent(met: int, n: int) -> str:
    """A pass rate for people to read, to one decimal (a display ratio, never an amount of credits)."""
    tenths = (met * 1000 * 2 + n) // (2 * n)
    return f"{tenths // 10}.{tenths % 10}%"


def _t(key: str, **params: object) -> str:
    return message(f"audit_report.{key}", **params)


def _bars(rows: list[tuple[str, int, int]]) -> str:
    """Horizontal bars: one per school, its pass rate (all requirements met) as a share of its people."""
    parts = [f'<div class="chart" role="img" aria-label="{escape(_t("chart_pass_rate"))}">']
    for school, met, total in rows:
        share = 0 if not total else 100 * met / total
        parts.append(f'<div class="bar"><span class="label">{escape(school or "—")}</span><span class="track">'
                     f'<span class="fill" style="width:{share:.1f}%;display:block"></span></span>'
                     f'<span class="value">{percent(met, total)}（{met}/{total}）</span></div>')
    parts.append("</div>")
    return "".join(parts)


def _shortfall_bars(rows: list[tuple], unit: str) -> str:
    """The largest shortfalls as bars: who, which requirement, how much is still missing."""
    top = max((r[6] for r in rows), default=0) or 1
    parts = [f'<div class="chart" role="img" aria-label="{escape(_t("chart_shortfalls", unit=unit))}">']
    for school, name, _scope, req, _required, _actual, short in rows:
        parts.append(f'<div class="bar short"><span class="label">{escape(name)} · {escape(school or "—")}</span>'
                     f'<span class="track"><span class="fill" style="width:{100 * short / top:.1f}%;display:block"></span>'
                     f'</span><span class="value">{escape(req)} {_t("short_by", amount=num(short), unit=unit)}</span></div>')
    parts.append("</div>")
    return "".join(parts)


def _histogram(buckets: list[tuple[str, int]], unit: str) -> str:
    top = max((c for _, c in buckets), default=0) or 1
    width = 320 / max(len(buckets), 1)
    parts = ['<div class="chart"><svg viewBox="0 0 340 200" role="img" aria-label="'
             + escape(_t("chart_totals", unit=unit)) + '">']
    for n, (label, count) in enumerate(buckets):
        h = round(140 * count / top)
        x = 10 + n * width
        parts.append(f'<rect x="{x + 2:.1f}" y="{165 - h}" width="{width - 4:.1f}" height="{h}" fill="#2f9e77"/>'
                     f'<text x="{x + width / 2:.1f}" y="{160 - h}" text-anchor="middle" font-size="12">{count}</text>'
                     f'<text x="{x + width / 2:.1f}" y="184" text-anchor="middle" font-size="11">{escape(label)}</text>')
    parts.append("</svg></div>")
    return "".join(parts)


def write_html(con, policy: Policy, path: Path, deadlines: dict[str, str]) -> Path:
    people, met, incomplete = con.execute(
        "SELECT COUNT(*), SUM(CASE WHEN all_met THEN 1 ELSE 0 END), SUM(CASE WHEN incomplete THEN 1 ELSE 0 END) "
        "FROM audit_people").fetchall()[0]
    met, incomplete = met or 0, incomplete or 0
    run = con.execute("SELECT as_of FROM audit_runs").fetchall()[0]
    schools = con.execute("""SELECT COALESCE(school, ''), SUM(CASE WHEN all_met THEN 1 ELSE 0 END), COUNT(*)
FROM audit_people GROUP BY 1 ORDER BY 2 * 1.0 / COUNT(*), 1""").fetchall()
    top_req = con.execute("SELECT MAX(required) FROM audit_requirements WHERE kind = 'period'").fetchall()[0][0]
    step = max(int((top_req or 100) // 8) or 1, 1)
    hist = con.execute(f"""SELECT CAST(FLOOR(total / {step}) AS INTEGER) AS b, COUNT(*) FROM audit_people
GROUP BY 1 ORDER BY 1""").fetchall()
    last = max((b for b, _ in hist), default=0)
    counts = dict(hist)
    buckets = [(f"{b * step}–" if b == last else f"{b * step}–{(b + 1) * step}", counts.get(b, 0)) for b in range(last + 1)]
    worst = con.execute("""SELECT COALESCE(p.school, ''), COALESCE(p.name, r.person_id), r.scope_name, r.requirement_name,
  r.required, r.actual, r.shortfall FROM audit_requirements r JOIN audit_people p USING (person_id)
WHERE NOT r.met ORDER BY r.shortfall DESC, 1, 2 LIMIT 20""").fetchall()
    heads = _t("shortfall_columns").split(",")

    def cells(*values: str, numeric: tuple[int, ...] = (4, 5)) -> str:
        return "".join(f'<td{" class=n" if k in numeric else ""} data-label="{escape(heads[k])}">{v}</td>'
                       for k, v in enumerate(values))

    rows = "".join(
        "<tr>" + cells(escape(s or "—"), escape(n), escape(scope), escape(req), f"{num(a)}/{num(r)}",
                       f"{num(short)} {escape(policy.unit)}", escape(deadlines.get(s, "—"))) + "</tr>"
        for s, n, scope, req, r, a, short in worst)
    cards = "".join(f'<div class="card">{escape(label)}<b>{value}</b></div>' for label, value in (
        (_t("people"), people), (_t("all_met"), f"{met}（{percent(met, people) if people else '—'}）"),
        (_t("not_met"), people - met), (_t("incomplete"), incomplete)))
    page = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{escape(_t("title", policy=policy.label))}</title><style>{CSS}</style></head>
<body><main>
<h1>{escape(_t("title", policy=policy.label))}</h1>
<p class="note">{escape(_t("as_of", as_of=run[0].isoformat() if run and run[0] else _t("latest_entry")))}</p>
<div class="cards">{cards}</div>
<h2>{escape(_t("chart_pass_rate"))}</h2>{_bars(schools)}
<h2>{escape(_t("chart_totals", unit=policy.unit))}</h2>{_histogram(buckets, policy.unit)}
<h2>{escape(_t("chart_shortfalls", unit=policy.unit))}</h2>{_shortfall_bars(worst[:10], policy.unit)}
<h2>{escape(_t("largest_shortfalls"))}</h2>
<table><thead><tr>{''.join(f'<th>{escape(h)}</th>' for h in heads)}</tr></thead>
<tbody>{rows}</tbody></table>
<p class="note">{escape(_t("footer"))}</p>
</main></body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path
