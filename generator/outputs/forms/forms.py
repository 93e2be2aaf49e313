"""Forms: a policy's `forms:` → a fillable HTML page, a blank PDF and a small fillable PDF each.

One Jinja2 template (site_templates/forms/form.html.j2) renders both the browser page (inputs,
a small script, localStorage) and the printed page WeasyPrint turns into the blank PDF. The
fillable PDF is that blank PDF plus AcroForm fields placed on the cells WeasyPrint laid out
(generator/pdf_fields.py), so the three outputs cannot disagree about what the form holds.

Field names are the same everywhere (HTML `name`, PDF field /T, localStorage, prefill):
    h:<header-field-id>   s:<section-id>:<row, from 1>:<column-id>   t:<total-field-id>
Ids are [a-z0-9-], so ':' never occurs in them, and there is no '.', which PDF reserves for
field hierarchy.

Computed columns (学分 from 学时) use the item's rule exactly as the engine does: the value of
one row is what `engine.evaluate` credits a single entry with that amount, before caps.

    python -m generator.outputs.forms.forms OUT_DIR [POLICY_PATHS...]
    python -m generator.outputs.forms.forms fill POLICY FORM_ID LEDGER OUT.pdf [--period ID]
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import sys
import time
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader

from generator.base.messages import catalog
from generator.base.paths import FORM_TEMPLATES
from generator.base.rational import format_rational, parse_rational
from generator.policy.model import QUANTITY_INPUTS, Item, Policy
from generator.rules.engine import _declared_span, check_entry, evaluate
from generator.rules.periods import PeriodSpan, period_of

TEMPLATES = FORM_TEMPLATES
FORM_FORMAT = "jxjy-form/1"
PREFILL_FORMAT = "jxjy-form-prefill/1"
WIDE_TABLE_COLUMNS = 10  # more columns than this and an unset orientation prints landscape
PX_TO_PT = 0.75  # WeasyPrint lays out in CSS px (1/96 in); PDF user space is 1/72 in


# ---------------------------------------------------------------------------------------------
# names and the normalised view of a form


def header_name(field_id: str) -> str:
    return f"h:{field_id}"


def cell_name(section_id: str, row: int, column_id: str) -> str:
    return f"s:{section_id}:{row}:{column_id}"


def total_name(field_id: str) -> str:
    return f"t:{field_id}"


@cache
def labels() -> dict:
    return yaml.safe_load((TEMPLATES / "labels.zh.yaml").read_text(encoding="utf-8"))


@cache
def column_entry_fields() -> dict[str, str]:
    return yaml.safe_load((TEMPLATES / "columns.yaml").read_text(encoding="utf-8"))["entry_field"]


def _leaves(columns: list[dict]) -> list[dict]:
    out = []
    for col in columns:
        if col.get("children"):
            out.extend(_leaves(col["children"]))
        else:
            out.append(col)
    return out


def _depth(columns: list[dict]) -> int:
    return max((1 + _depth(c["children"]) if c.get("children") else 1) for c in columns) if columns else 0


def header_rows(columns: list[dict]) -> list[list[dict]]:
    """Grouped column headings as table rows of {label, colspan, rowspan}."""
    depth = _depth(columns)
    rows: list[list[dict]] = [[] for _ in range(depth)]

    def walk(cols: list[dict], level: int) -> None:
        for col in cols:
            kids = col.get("children") or []
            if kids:
                rows[level].append({"label": col["label"], "colspan": len(_leaves(kids)), "rowspan": 1, "id": col["id"]})
                walk(kids, level + 1)
            else:
                rows[level].append({"label": col["label"], "colspan": 1, "rowspan": depth - level, "id": col["id"]})

    walk(columns, 0)
    return rows


def is_roster(form: dict) -> bool:
    """A roster lists people: one table section that has a 姓名 (`name`) column."""
    sections = form.get("sections") or []
    return len(sections) == 1 and any(c["id"] == "name" for c in _leaves(sections[0]["columns"]))


def rule_json(item: Item) -> dict:
    """An item's rule as exact strings, for the page's small computing script."""
    r = item.rule
    out: dict[str, Any] = {"type": r.type}
    for key in ("per", "value", "factor", "passed", "failed"):
        v = getattr(r, key)
        if v is not None:
            out[key] = format_rational(v)
    if r.rounding:
        out["rounding"] = r.rounding
    if r.table:
        out["table"] = [[lv, format_rational(v)] for lv, v in r.table]
    return out


def item_json(policy: Policy, item: Item) -> dict:
    out = {"id": item.id, "name": item.name, "category": item.category, "input": item.input,
           "rule": rule_json(item), "levels": [[lv, name] for lv, name in item.levels], "roles": list(item.roles)}
    if item.gate:
        out["gate"] = item.gate["flag"]
    return out


@dataclass
class FormView:
    """What a template needs to draw one form, and what the PDF and JS need to fill it."""

    policy: Policy
    form: dict
    rows: dict[str, int] = field(default_factory=dict)  # row count per section (prefill may add rows)

    @property
    def id(self) -> str:
        return self.form["id"]

    @property
    def key(self) -> str:
        return f"{self.policy.id}/{self.policy.edition}/{self.id}"

    @property
    def orientation(self) -> str:
        """The form's own `orientation`, else landscape when a table has more than 10 columns."""
        if self.form.get("orientation"):
            return self.form["orientation"]
        widest = max((len(_leaves(s["columns"])) for s in self.form.get("sections") or []), default=0)
        return "landscape" if widest > WIDE_TABLE_COLUMNS else "portrait"

    @property
    def defined(self) -> bool:
        return bool(self.form.get("header") or self.form.get("sections") or self.form.get("totals"))

    def section_rows(self, section: dict) -> int:
        return self.rows.get(section["id"], section.get("rows", 1) if "rows" in section else 1)

    def sections(self) -> list[dict]:
        out = []
        for s in self.form.get("sections") or []:
            leaves = _leaves(s["columns"])
            n = self.section_rows(s)
            out.append({**s, "leaves": leaves, "header_rows": header_rows(s["columns"]), "row_count": n,
                        "row_names": [[cell_name(s["id"], r, c["id"]) for c in leaves] for r in range(1, n + 1)]})
        return out

    def fields(self) -> list[dict]:
        """Every fillable field: name, label, type, options, computed."""
        out = []
        for f in self.form.get("header") or []:
            out.append({"name": header_name(f["id"]), "label": f["label"], "type": f.get("type", "text"),
                        "options": f.get("options") or [], "computed": None, "part": "header"})
        for s in self.sections():
            for r, names in enumerate(s["row_names"], 1):
                for col, name in zip(s["leaves"], names, strict=True):
                    label = f"{s.get('title') or self.form['title']} 第{r}行 {col['label']}"
                    out.append({"name": name, "label": label, "type": col.get("type", "text"),
                                "options": col.get("options") or [], "computed": col.get("computed"), "part": "cell"})
        for f in self.form.get("totals") or []:
            out.append({"name": total_name(f["id"]), "label": f["label"], "type": f.get("type", "text"),
                        "options": f.get("options") or [], "computed": None, "part": "total"})
        return out

    def printed_labels(self) -> list[str]:
        """Every label the printed form must show (for tests: the blank PDF renders each)."""
        f = self.form
        out = [f["title"]] + ([f["attachment"]] if f.get("attachment") else [])
        out += [x["label"] for x in f.get("header") or []]
        for s in f.get("sections") or []:
            out += [s[k] for k in ("title", "method", "evidence") if s.get(k)]

            stack = list(reversed(s["columns"]))
            while stack:
                c = stack.pop()
                out.append(c["label"])
                stack.extend(reversed(c.get("children") or []))
        out += [x["label"] for x in f.get("totals") or []]
        out += [x["label"] for x in f.get("signatures") or []]
        out += list(f.get("notes") or [])
        if f.get("undefined_in_source"):
            out.append(f["undefined_in_source"])
        return out

    def spec(self) -> dict:
        """The JSON the page's script works from (rules as exact strings)."""
        policy = self.policy
        items = {}
        sections = []
        for s in self.sections():
            cols = []
            for c in s["leaves"]:
                col = {"id": c["id"], "type": c.get("type", "text"),
                       "entry_field": column_entry_fields().get(c["id"])}
                if c.get("computed"):
                    col["computed"] = {"item": c["computed"]["item"], "from": c["computed"]["from"]}
                    items.setdefault(c["computed"]["item"], item_json(policy, policy.item(c["computed"]["item"])))
                cols.append(col)
            if s.get("item"):
                items.setdefault(s["item"], item_json(policy, policy.item(s["item"])))
            sections.append({"id": s["id"], "item": s.get("item"), "rows": s["row_count"], "columns": cols})
        if not self.defined:  # the statement the page builds from a ledger lists every item
            for it in policy.items:
                items.setdefault(it.id, item_json(policy, it))
        period = policy.period
        return {
            "format": FORM_FORMAT,
            "key": self.key,
            "storage_key": f"jxjy-form:{self.key}",
            "prefill_key": f"jxjy-prefill:{policy.id}/{policy.edition}",
            "policy": {"id": policy.id, "edition": policy.edition, "unit": policy.unit},
            "form": self.id,
            "period": {"kind": period.kind, "start_month": period.start_month, "start_day": period.start_day,
                       "first": period.first, "last": period.last, "makeup": getattr(period, "makeup", None) is not None,
                       "labels": catalog()["period_label"]},
            "header": [{"name": header_name(f["id"]), "id": f["id"], "type": f.get("type", "text"),
                        "prefill": f.get("prefill")} for f in self.form.get("header") or []],
            "sections": sections,
            "totals": [{"name": total_name(f["id"]), "id": f["id"], "type": f.get("type", "text"),
                        "prefill": f.get("prefill")} for f in self.form.get("totals") or []],
            "items": items,
            "categories": {c.id: c.name for c in policy.categories},
            "defined": self.defined,
            "labels": {k: v for k, v in labels().items() if k.startswith(("toolbar", "statement", "undefined"))},
        }


def form_views(policy: Policy) -> list[FormView]:
    return [FormView(policy, f) for f in policy.data.get("forms") or []]


def find_form(policy: Policy, form_id: str) -> dict:
    for f in policy.data.get("forms") or []:
        if f["id"] == form_id:
            return f
    known = ", ".join(f["id"] for f in policy.data.get("forms") or []) or "none"
    raise KeyError(f"{policy.key} has no form '{form_id}' (forms: {known})")


# ---------------------------------------------------------------------------------------------
# computed columns and prefill, with the engine


def _sample_date(policy: Policy) -> str:
    p = policy.period
    return p.first or p.last or dt.date.today().isoformat()


def _level_id(item: Item, text: str) -> str | None:
    for lv, name in item.levels:
        if text in (lv, name):
            return lv
    return None


def computed_credit(policy: Policy, item_id: str, source_value: str) -> Fraction | None:
    """What the item's rule gives one row whose `from` column holds `source_value`.

    The engine evaluates a one-entry ledger (gate satisfied, the item's roles held) and the raw
    credit of that entry — before caps, which apply to a year's total, not to a row — is the
    row's value. None when the cell cannot be computed (blank, not a number, unknown level, or a
    rule that needs more than one column).
    """
    item = policy.item(item_id)
    text = (source_value or "").strip()
    if item is None or not text:
        return None
    entry: dict[str, Any] = {"item": item.id, "date": _sample_date(policy)}
    if item.input in QUANTITY_INPUTS:
        try:
            amount = parse_rational(text)
        except ValueError:
            return None
        entry[item.input] = format_rational(amount)
    elif item.input == "level":
        level = _level_id(item, text)
        if level is None:
            return None
        entry["level"] = level
    elif item.input != "none":
        return None
    return _single_entry_raw(policy, item, entry)


def _single_entry_raw(policy: Policy, item: Item, entry: dict, honour_gate: bool = False) -> Fraction | None:
    entry = dict(entry)
    if item.gate and not honour_gate:
        entry[item.gate["flag"]] = True
    ledger = {"person": {"roles": list(item.roles)}, "entries": [entry]}
    result = evaluate(policy, ledger, as_of=entry["date"])
    if result["errors"]:
        return None
    for period in result["periods"].values():
        if item.id in period["items"]:
            return parse_rational(period["items"][item.id]["raw"])
    return None


def entry_credit(policy: Policy, entry: dict) -> Fraction | None:
    """The raw credit of one ledger entry as the engine gives it (gate honoured, before caps)."""
    item = policy.item(entry.get("item"))
    if item is None:
        return None
    return _single_entry_raw(policy, item, entry, honour_gate=True)


def _is_date(value: Any) -> bool:
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return isinstance(value, str) and len(value) == 10


def _fmt_amount(value: Any) -> str:
    try:
        return format_rational(parse_rational(value))
    except (ValueError, TypeError):
        return str(value)


def _entry_value(item: Item, entry: dict, entry_field: str) -> str:
    value = entry.get(entry_field)
    if value is None:
        return ""
    if entry_field == "level":
        return dict(item.levels).get(value, str(value))
    if entry_field in ("hours", "count", "days", "half_days", "years", "passed", "failed", "credits"):
        return _fmt_amount(value)
    return str(value)


def entry_period(policy: Policy, entry: dict) -> PeriodSpan:
    """The period an entry counts for: its `counts_for` (make-up learning) where the engine accepts
    one, else the period of its date — as engine.evaluate assigns it."""
    own = period_of(policy.period, dt.date.fromisoformat(entry["date"]))
    declared = _declared_span(policy, entry.get("counts_for"))
    if declared is not None and declared != own and policy.period.makeup is not None:
        return declared
    return own


@dataclass
class Prefill:
    values: dict[str, str]
    rows: dict[str, int]
    period: PeriodSpan | None


def prefill(policy: Policy, form: dict, ledger: dict, period: str | None = None, result: dict | None = None) -> Prefill:
    """A teacher's ledger → the values of this form's fields (the page's script does the same).

    Entries of each section's item in the chosen period (default: the latest period with an
    entry for one of the form's items) fill that section's rows in date order; rows are added
    when there are more entries than blank rows. Header and total fields with `prefill:` take
    person.name / person.school / person.subject, period.label / period.id, today,
    sum.<column-id> (sum of that column over the form), result.total,
    result.category.<id>, result.item.<id> (credited, after caps, from the engine).
    """
    person = ledger.get("person") or {}
    roles = set(person.get("roles") or [])
    raw_entries = [e for e in ledger.get("entries") or [] if isinstance(e, dict)]
    entries = [e for e in raw_entries if not check_entry(policy, e, roles)]
    section_items = {s.get("item") for s in form.get("sections") or [] if s.get("item")}
    mine = [e for e in entries if e["item"] in section_items]
    span = None
    if period:
        start_year = int(period.split("-")[0])
        span = period_of(policy.period, dt.date(start_year, policy.period.start_month, policy.period.start_day))
    else:
        if mine:
            span = max(entry_period(policy, e) for e in mine)
        else:
            pool = [e["date"] for e in raw_entries if _is_date(e.get("date"))]
            span = period_of(policy.period, dt.date.fromisoformat(max(pool))) if pool else None
    values: dict[str, str] = {}
    rows: dict[str, int] = {}
    sums: dict[str, Fraction] = {}
    for s in form.get("sections") or []:
        if not s.get("item"):
            continue
        item = policy.item(s["item"])
        picked = [e for e in entries if e["item"] == s["item"] and span is not None
                  and entry_period(policy, e).id == span.id]
        picked.sort(key=lambda e: e["date"])  # stable: same-day entries keep ledger order
        rows[s["id"]] = max(s.get("rows", 1), len(picked))
        leaves = _leaves(s["columns"])
        for r, e in enumerate(picked, 1):
            row: dict[str, str] = {}
            for c in leaves:
                if c.get("computed"):
                    continue
                ef = column_entry_fields().get(c["id"])
                if not ef:
                    continue
                v = _entry_value(item, e, ef)
                if ef == "credits" and not v:
                    credit = entry_credit(policy, e)
                    v = format_rational(credit) if credit is not None else ""
                if v:
                    row[c["id"]] = v
            for c in leaves:
                comp = c.get("computed")
                if comp:
                    credit = computed_credit(policy, comp["item"], row.get(comp["from"], ""))
                    if credit is not None:
                        row[c["id"]] = format_rational(credit)
            for col_id, v in row.items():
                values[cell_name(s["id"], r, col_id)] = v
    for name, v in values.items():
        col_id = name.rsplit(":", 1)[1]
        try:
            sums[col_id] = sums.get(col_id, Fraction(0)) + parse_rational(v)
        except ValueError:
            pass
    res_period = None
    if any((f.get("prefill") or "").startswith("result.") for f in (form.get("header") or []) + (form.get("totals") or [])):
        if result is None and span is not None:
            result = evaluate(policy, ledger, as_of=span.end)
        res_period = (result or {}).get("periods", {}).get(span.id) if span else None
    for f, name in [(f, header_name(f["id"])) for f in form.get("header") or []] + \
                   [(f, total_name(f["id"])) for f in form.get("totals") or []]:
        v = _prefill_path(f.get("prefill"), person, span, sums, res_period)
        if v:
            values[name] = v
    return Prefill(values, rows, span)


def _prefill_path(path: str | None, person: dict, span: PeriodSpan | None, sums: dict, res: dict | None) -> str:
    if not path:
        return ""
    head, _, rest = path.partition(".")
    if head == "person":
        return str(person.get(rest) or "")
    if head == "period" and span is not None:
        return {"label": span.label, "id": span.id}.get(rest, "")
    if head == "today":
        return dt.date.today().isoformat()
    if head == "sum":
        return format_rational(sums[rest]) if rest in sums else ""
    if head == "result" and res is not None:
        if rest == "total":
            return res["total"]
        kind, _, rid = rest.partition(".")
        if kind == "category":
            return res["categories"].get(rid, "")
        if kind == "item":
            return (res["items"].get(rid) or {}).get("credited", "")
    return ""


def prefill_fragment(ledger: dict, policy: Policy | None = None, period: str | None = None,
                     result: dict | None = None) -> str:
    """The URL fragment that prefills a form page: '#prefill=' + base64url(UTF-8 JSON)."""
    payload: dict[str, Any] = {"format": PREFILL_FORMAT, "ledger": ledger}
    if policy is not None:
        payload["policy"] = {"id": policy.id, "edition": policy.edition}
    if period:
        payload["period"] = period
    if result is not None:
        payload["result"] = result
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return "#prefill=" + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


# ---------------------------------------------------------------------------------------------
# HTML


@cache
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson_script"] = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True).replace(
        "<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return env


def _asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def render_html(policy: Policy, form: dict, interactive: bool = True, values: dict[str, str] | None = None,
                rows: dict[str, int] | None = None, links: dict[str, str] | None = None) -> str:
    """The form page. interactive=False is the printed layout WeasyPrint renders (no script)."""
    view = FormView(policy, form, dict(rows or {}))
    clause = policy.clause(form.get("source", ""))
    return _env().get_template("form.html.j2").render(
        view=view, form=form, policy=policy, sections=view.sections(), interactive=interactive,
        values=values or {}, labels=labels(), css=_asset("form.css"), screen_css=_asset("screen.css") if interactive else "",
        script=_asset("form.js") if interactive else "", spec=view.spec() if interactive else {},
        links=links or {}, clause=clause,
    )


# ---------------------------------------------------------------------------------------------
# PDF


@dataclass
class RenderedPdf:
    pdf: bytes
    fields: list  # list[pdf_fields.PdfField]
    pages: int
    seconds: float


def render_pdf(policy: Policy, form: dict, values: dict[str, str] | None = None,
               rows: dict[str, int] | None = None) -> RenderedPdf:
    """Print the form with WeasyPrint (fonts subset, no pdf_forms) and find every field's cell."""
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import TableCellBox

    from generator.outputs.forms.pdf_fields import PdfField, compact_fonts

    start = time.perf_counter()
    html = render_html(policy, form, interactive=False, values=values, rows=rows)
    document = HTML(string=html, base_url=str(TEMPLATES)).render()
    view = FormView(policy, form, dict(rows or {}))
    specs = {f["name"]: f for f in view.fields()}
    found: dict[str, PdfField] = {}
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            if not isinstance(box, TableCellBox):
                continue
            name = box.element.get("data-field")
            if not name or name in found or name not in specs:
                continue
            x, y = box.border_box_x(), box.border_box_y()
            w, h = box.border_width(), box.border_height()
            inset = 1.0
            rect = (x * PX_TO_PT + inset, (page.height - y - h) * PX_TO_PT + inset,
                    (x + w) * PX_TO_PT - inset, (page.height - y) * PX_TO_PT - inset)
            spec = specs[name]
            height = rect[3] - rect[1]
            kind = "combo" if spec["type"] == "select" and spec["options"] else \
                "multiline" if spec["type"] == "textarea" else "text"
            found[name] = PdfField(
                name=name, page=index, rect=rect, kind=kind, tooltip=spec["label"], options=tuple(spec["options"]),
                font_size=round(min(10.5 if spec["part"] == "header" else 9.0, max(5.0, height * 0.6)), 1),
                align=1 if spec["type"] == "number" else 0,
            )
    missing = [n for n in specs if n not in found]
    if missing:
        raise RuntimeError(f"{view.key}: the layout has no cell for field(s) {', '.join(missing[:5])}")
    pdf = compact_fonts(document.write_pdf())
    return RenderedPdf(pdf, [found[n] for n in specs], len(document.pages), time.perf_counter() - start)


def fillable_pdf(rendered: RenderedPdf) -> bytes:
    from generator.outputs.forms.pdf_fields import add_fields

    return add_fields(rendered.pdf, rendered.fields) if rendered.fields else rendered.pdf


# ---------------------------------------------------------------------------------------------
# writing everything


@dataclass
class FormOutput:
    key: str
    files: dict[str, Path]
    fields: list[str]
    timings: dict[str, float]


def write_form(policy: Policy, form: dict, out_dir: Path) -> FormOutput:
    """Write one form's files into out_dir (which is <root>/<policy>/<edition>)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    view = FormView(policy, form)
    stem = form["id"]
    files: dict[str, Path] = {}
    timings: dict[str, float] = {}
    links = {"blank_pdf": f"{stem}-blank.pdf"}
    if view.fields():
        links["fillable_pdf"] = f"{stem}-fillable.pdf"
    if is_roster(form):
        links["roster_xlsx"] = f"{stem}.xlsx"
    t = time.perf_counter()
    html = out_dir / f"{stem}.html"
    html.write_text(render_html(policy, form, interactive=True, links=links), encoding="utf-8")
    files["html"] = html
    timings["html"] = time.perf_counter() - t
    rendered = render_pdf(policy, form)
    blank = out_dir / f"{stem}-blank.pdf"
    blank.write_bytes(rendered.pdf)
    files["blank_pdf"] = blank
    timings["blank_pdf"] = rendered.seconds
    if rendered.fields:
        t = time.perf_counter()
        fillable = out_dir / f"{stem}-fillable.pdf"
        fillable.write_bytes(fillable_pdf(rendered))
        files["fillable_pdf"] = fillable
        timings["fillable_pdf"] = rendered.seconds + time.perf_counter() - t
    if is_roster(form):
        from generator.outputs.forms.roster import write_roster_xlsx

        t = time.perf_counter()
        xlsx = out_dir / f"{stem}.xlsx"
        write_roster_xlsx(policy, form, xlsx)
        files["xlsx"] = xlsx
        timings["xlsx"] = time.perf_counter() - t
    return FormOutput(view.key, files, [f.name for f in rendered.fields], timings)


def form_items(form: dict) -> list[str]:
    """The items whose entries a prefill puts into the form's sections, in section order."""
    out: list[str] = []
    for s in form.get("sections") or []:
        if s.get("item") and s["item"] not in out:
            out.append(s["item"])
    return out


def prefillable(form: dict) -> bool:
    """Whether a ledger fills anything in: rows of an item's section, a header or total field with
    `prefill:`, or (for a form the source does not lay out) the statement the page builds."""
    if not (form.get("header") or form.get("sections") or form.get("totals")):
        return True
    fields = (form.get("header") or []) + (form.get("totals") or [])
    return bool(form_items(form)) or any(f.get("prefill") for f in fields)


def write_forms(policies: list[Policy], out_dir: Path) -> list[Path]:
    """Every form of every policy edition: <out_dir>/<policy>/<edition>/<form-id>.html,
    -blank.pdf, -fillable.pdf (forms with fields) and .xlsx (rosters), plus an index.json per
    edition listing them (with the items a prefill fills in and whether a ledger fills it at all:
    the calculator's "generate my form" list reads this). Returns the paths written."""
    out_dir = Path(out_dir)
    written: list[Path] = []
    for policy in policies:
        edition_dir = out_dir / policy.id / policy.edition
        index = []
        for form in policy.data.get("forms") or []:
            result = write_form(policy, form, edition_dir)
            written.extend(result.files.values())
            view = FormView(policy, form)
            index.append({"id": form["id"], "title": form["title"], "attachment": form.get("attachment"),
                          "orientation": view.orientation, "defined": view.defined,
                          "items": form_items(form), "prefill": prefillable(form),
                          "files": {k: p.name for k, p in result.files.items()}, "fields": result.fields})
        if index:
            path = edition_dir / "index.json"
            path.write_text(json.dumps({"format": "jxjy-forms-index/1", "policy": policy.id, "edition": policy.edition,
                                        "forms": index}, ensure_ascii=False, indent=1), encoding="utf-8")
            written.append(path)
    return written


def fill_from_ledger(policy: Policy, form_id: str, ledger: dict, period: str | None = None) -> bytes:
    """The fillable PDF of a form, prefilled from a ledger (rows added as needed) and still editable."""
    from generator.outputs.forms.pdf_fields import fill

    form = find_form(policy, form_id)
    filled = prefill(policy, form, ledger, period=period)
    rendered = render_pdf(policy, form, rows=filled.rows)
    return fill(fillable_pdf(rendered), filled.values)


def main(argv: list[str] | None = None) -> int:
    """python -m generator.outputs.forms.forms OUT_DIR [POLICY_PATHS...]
    python -m generator.outputs.forms.forms fill POLICY FORM_ID LEDGER OUT.pdf [--period ID]"""
    from generator.base.diagnostics import InputError, print_diagnostics, report_failure
    from generator.cli.main import resolve_policy_path
    from generator.policy.loader import load_policy, validate_paths
    from generator.rules.ledger import read_ledger

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["fill"]:
        parser = argparse.ArgumentParser(prog="python -m generator.outputs.forms.forms fill",
                                         description="Write a form's fillable PDF prefilled from a ledger.")
        parser.add_argument("policy")
        parser.add_argument("form")
        parser.add_argument("ledger")
        parser.add_argument("out", type=Path)
        parser.add_argument("--period", help="period id, e.g. 2017-2018 (default: the latest with entries)")
        args = parser.parse_args(argv[1:])
        try:
            policy = load_policy(resolve_policy_path(args.policy))
            ledger = read_ledger(args.ledger).data
            pdf = fill_from_ledger(policy, args.form, ledger, args.period)
        except (InputError, KeyError) as exc:
            return report_failure(exc)
        args.out.write_bytes(pdf)
        print(args.out)
        return 0
    parser = argparse.ArgumentParser(prog="python -m generator.outputs.forms.forms",
                                     description="Write every policy form as HTML, blank and fillable PDF, XLSX for rosters.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("paths", nargs="*", default=["policies"])
    args = parser.parse_args(argv)
    policies, diags = validate_paths(args.paths)
    if diags:
        print_diagnostics(diags, f"{len(diags)} error(s); forms of the valid policies are still written")
    written = write_forms(policies, args.out_dir)
    for p in written:
        print(p)
    return 1 if diags else 0


if __name__ == "__main__":
    raise SystemExit(main())
