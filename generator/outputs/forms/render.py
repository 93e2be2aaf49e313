"""Forms: a policy's `forms:` → a fillable HTML page, a blank PDF and a small fillable PDF each
(and a roster workbook for rosters).

One Jinja2 template (site_templates/forms/form.html.j2) renders both the browser page and the
printed page WeasyPrint turns into the blank PDF. The fillable PDF is that blank PDF plus
AcroForm fields placed on the cells WeasyPrint laid out (pdf_fields.py), so the outputs cannot
disagree about what the form holds.

The page computes nothing itself: its script (form.js) asks calculator/engine.js, loaded beside
it with the edition's bundle view (rules.js), exactly as the calculator does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from generator.base.paths import CALCULATOR_SOURCE, FORM_TEMPLATES
from generator.outputs.bundle import bundle_document, dumps, js_twin
from generator.outputs.calculator.data import calculator_view
from generator.outputs.files import FORM_ASSETS, FORM_RULES, FORMS_INDEX, edition_path, form_file, write_output
from generator.outputs.forms.pdf_fields import PdfField, add_fields, compact_fonts, fill
from generator.outputs.forms.prefill import prefill
from generator.outputs.forms.roster import write_roster_xlsx
from generator.outputs.forms.statement import find_form, output_forms
from generator.outputs.forms.view import FormView, form_items, is_roster, labels, prefillable
from generator.policy.model import Form, Policy

FORMS_INDEX_FORMAT = "jxjy-forms-index/1"
PX_TO_PT = 0.75  # WeasyPrint lays out in CSS px (1/96 in); PDF user space is 1/72 in
ASSET_SOURCES = {"engine.js": CALCULATOR_SOURCE / "engine.js", "form.js": FORM_TEMPLATES / "form.js",
                 "form.css": FORM_TEMPLATES / "form.css", "screen.css": FORM_TEMPLATES / "screen.css"}
assert tuple(ASSET_SOURCES) == FORM_ASSETS


@cache
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(FORM_TEMPLATES)), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson_script"] = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True).replace(
        "<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return env


def _asset(name: str) -> str:
    return (FORM_TEMPLATES / name).read_text(encoding="utf-8")


def render_html(policy: Policy, form: Form, interactive: bool = True, values: dict[str, str] | None = None,
                rows: dict[str, int] | None = None, links: dict[str, str] | None = None) -> str:
    """The form page (interactive: its scripts and stylesheets are the shared files two folders up and the
    edition's rules.js beside it), or the printed layout WeasyPrint renders (no script, styles inline)."""
    view = FormView(policy, form, dict(rows or {}))
    margin = "10mm 10mm" if view.orientation == "landscape" else "12mm 12mm"
    page_style = f"\n@page {{ size: A4 {view.orientation}; margin: {margin}; }}\n"
    # the page's Content-Security-Policy (the calculator's) allows this one inline style by its hash
    page_style_hash = base64.b64encode(hashlib.sha256(page_style.encode("utf-8")).digest()).decode("ascii")
    return _env().get_template("form.html.j2").render(
        view=view, form=form, policy=policy, sections=view.sections(), interactive=interactive,
        values=values or {}, labels=labels(), css="" if interactive else _asset("form.css"),
        spec=view.spec() if interactive else {}, links=links or {}, clause=policy.clause(form.source),
        assets="../../", rules=FORM_RULES, page_style=page_style, page_style_hash=page_style_hash,
    )


@dataclass
class RenderedPdf:
    pdf: bytes
    fields: list[PdfField]
    pages: int
    seconds: float


def render_pdf(policy: Policy, form: Form, values: dict[str, str] | None = None,
               rows: dict[str, int] | None = None) -> RenderedPdf:
    """Print the form with WeasyPrint (fonts subset, no pdf_forms) and find every field's cell."""
    from weasyprint import HTML  # noqa: PLC0415 - slow to import; only builds that print need it
    from weasyprint.formatting_structure.boxes import TableCellBox  # noqa: PLC0415

    start = time.perf_counter()
    html = render_html(policy, form, interactive=False, values=values, rows=rows)
    document = HTML(string=html, base_url=str(FORM_TEMPLATES)).render()
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
    return add_fields(rendered.pdf, rendered.fields) if rendered.fields else rendered.pdf


@dataclass
class FormOutput:
    key: str
    files: dict[str, Path]
    fields: list[str]
    timings: dict[str, float]


def write_form(policy: Policy, form: Form, out_dir: Path) -> FormOutput:
    """Write one form's files into out_dir (which is <forms>/<policy>/<edition>)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    view = FormView(policy, form)
    files: dict[str, Path] = {}
    timings: dict[str, float] = {}
    links = {"blank_pdf": form_file("blank_pdf", form.id)}
    if view.fields():
        links["fillable_pdf"] = form_file("fillable_pdf", form.id)
    if is_roster(form):
        links["roster_xlsx"] = form_file("xlsx", form.id)
    t = time.perf_counter()
    html = out_dir / form_file("html", form.id)
    html.write_text(render_html(policy, form, interactive=True, links=links), encoding="utf-8")
    files["html"] = html
    timings["html"] = time.perf_counter() - t
    rendered = render_pdf(policy, form)
    blank = out_dir / form_file("blank_pdf", form.id)
    blank.write_bytes(rendered.pdf)
    files["blank_pdf"] = blank
    timings["blank_pdf"] = rendered.seconds
    if rendered.fields:
        t = time.perf_counter()
        fillable = out_dir / form_file("fillable_pdf", form.id)
        fillable.write_bytes(fillable_pdf(rendered))
        files["fillable_pdf"] = fillable
        timings["fillable_pdf"] = rendered.seconds + time.perf_counter() - t
    if is_roster(form):
        t = time.perf_counter()
        xlsx = out_dir / form_file("xlsx", form.id)
        write_roster_xlsx(policy, form, xlsx)
        files["xlsx"] = xlsx
        timings["xlsx"] = time.perf_counter() - t
    return FormOutput(view.key, files, [f.name for f in rendered.fields], timings)


def write_forms(policies: list[Policy], out_dir: Path) -> list[Path]:
    """Every laid-out form of every policy edition and its personal statement (statement.output_forms; a form
    the source only names gets no files): <out_dir>/<policy>/<edition>/<form-id>.html, -blank.pdf,
    -fillable.pdf (forms with fields) and .xlsx (rosters); per edition the bundle view its pages evaluate
    with (rules.js) and an index.json listing the forms (with the items a prefill fills in and whether a
    ledger fills it at all: the calculator's "generate my form" list reads this); the shared scripts and
    stylesheets once in out_dir. Returns the paths written."""
    out_dir = Path(out_dir)
    written: list[Path] = []
    for policy in policies:
        edition_dir = out_dir / edition_path(policy.id, policy.edition)
        view_bytes = dumps(calculator_view(bundle_document(policy)))
        write_output(edition_dir / FORM_RULES, js_twin([policy.key], view_bytes), written)
        index = []
        for form in output_forms(policy):  # the laid-out forms and the personal statement
            result = write_form(policy, form, edition_dir)
            written.extend(result.files.values())
            view = FormView(policy, form)
            index.append({"id": form.id, "title": form.title, "attachment": form.attachment or None,
                          "orientation": view.orientation, "defined": view.defined, "statement": form.statement,
                          "items": form_items(form), "prefill": prefillable(form),
                          "files": {k: p.name for k, p in result.files.items()}, "fields": result.fields})
        path = edition_dir / FORMS_INDEX
        path.write_text(json.dumps({"format": FORMS_INDEX_FORMAT, "policy": policy.id, "edition": policy.edition,
                                    "forms": index}, ensure_ascii=False, indent=1), encoding="utf-8")
        written.append(path)
    if written:
        for name, source in ASSET_SOURCES.items():
            write_output(out_dir / name, source.read_bytes(), written)
    return written


def fill_from_ledger(policy: Policy, form_id: str, ledger: dict, period: str | None = None) -> bytes:
    """The fillable PDF of a form, prefilled from a ledger (rows added as needed) and still editable."""
    form = find_form(policy, form_id)
    filled = prefill(policy, form, ledger, period=period)
    rendered = render_pdf(policy, form, rows=filled.rows)
    return fill(fillable_pdf(rendered), filled.values)
