"""Rosters (花名册): an XLSX template per roster form, and import of a filled one into ledger entries.

The workbook has the form's title and header fields, the column headings (grouped headings
merged), frozen above the data rows, column widths, data validation (lists from the column's
`options:`, non-negative numbers, dates), computed columns as formulas, the signature blocks in
the printed page footer, and the notes on a second sheet. A hidden sheet `_jxjy` records which
policy, edition, form and columns it was made for, so import does not depend on labels.

Import turns each filled row into one ledger entry (item = the section's item, or the one the
caller names) and reports every bad row with its spreadsheet row number: missing name, a number
that is not a number, a value not in a column's list, a date that is not a date, and whatever the
engine's entry check finds.

    jxjy roster template POLICY FORM_ID OUT.xlsx
    jxjy roster import POLICY FORM_ID IN.xlsx [--item ID] [--date YYYY-MM-DD] [--out FILE.json]
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from generator.base.cells import is_formula_like, neutralise
from generator.base.diagnostics import Diagnostic, InputError, params_of
from generator.base.messages import render
from generator.base.rational import format_rational, parse_rational
from generator.outputs.forms.prefill import computed_credit
from generator.outputs.forms.statement import find_form
from generator.outputs.forms.view import FormView, column_entry_fields, header_rows, is_roster, labels
from generator.policy.model import Form, FormColumn, Policy
from generator.rules.engine import check_entry
from generator.rules.inputs import input_conversions
from generator.rules.ledger import column_label

META_SHEET = "_jxjy"
ROSTER_FORMAT = "jxjy-roster/1"
MIN_DATA_ROWS = 100
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="E8EAF6")
INPUT_FILL = PatternFill("solid", fgColor="F5F8FF")
COMPUTED_FILL = PatternFill("solid", fgColor="EEF7EE")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_width(col: FormColumn) -> float:
    base = {"number": 8, "date": 12, "select": 10}.get(col.type, 12)
    if col.id in ("school", "provider", "organizer", "content", "topic", "project", "remarks"):
        base = 22
    options = max((_display_width(o) for o in col.options), default=0)
    return max(base, _display_width(col.label) + 2, options + 3)


def _sum_formula(letters: list[str]) -> str:
    """`=SUM(D{row}:H{row})` for adjacent columns, else `=SUM(I{row},P{row})`; {row} is filled per row."""
    if not letters:
        return ""
    numbers = [column_index_from_string(x) for x in letters]
    if numbers == list(range(numbers[0], numbers[0] + len(numbers))) and len(numbers) > 1:
        return f"=SUM({letters[0]}{{row}}:{letters[-1]}{{row}})"
    return "=SUM(" + ",".join(f"{x}{{row}}" for x in letters) + ")"


def _sheet_title(form: Form) -> str:
    title = form.attachment or form.title
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31]


def write_roster_xlsx(policy: Policy, form: Form, path: str | Path, data_rows: int | None = None) -> Path:
    """Write the roster template for `form` (one table section) to `path`."""
    if not is_roster(form):
        raise ValueError(f"form '{form.id}' is not a roster (one table section with a 姓名 column)")
    words = labels()["roster"]
    section = form.sections[0]
    leaves = section.leaves()
    ncols = len(leaves)
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(form)
    row = 1
    if form.attachment:
        ws.cell(row, 1, form.attachment)
        row += 1
    ws.cell(row, 1, form.title).font = Font(size=14, bold=True)
    ws.cell(row, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    row += 1
    header_cells: dict[str, str] = {}
    pairs_per_row = max(1, ncols // 2)
    for i, f in enumerate(form.header):
        r, c = row + i // pairs_per_row, 1 + 2 * (i % pairs_per_row)
        ws.cell(r, c, f.label).alignment = Alignment(horizontal="right")
        value = ws.cell(r, c + 1)
        value.fill = INPUT_FILL
        value.border = Border(bottom=THIN)
        header_cells[f.id] = value.coordinate
    row += -(-len(form.header) // pairs_per_row) + 1
    head_top = row
    for level, cells in enumerate(header_rows(section.columns)):
        at = 1
        for h in cells:
            while any(ws.cell(head_top + level, at).coordinate in rng for rng in ws.merged_cells.ranges):
                at += 1
            cell = ws.cell(head_top + level, at, h["label"])
            if h["colspan"] > 1 or h["rowspan"] > 1:
                ws.merge_cells(start_row=head_top + level, start_column=at,
                               end_row=head_top + level + h["rowspan"] - 1, end_column=at + h["colspan"] - 1)
            cell.font = Font(bold=True)
            at += h["colspan"]
    depth = len(header_rows(section.columns))
    for r in range(head_top, head_top + depth):
        for c in range(1, ncols + 1):
            cell = ws.cell(r, c)
            cell.alignment, cell.border, cell.fill = CENTER, BOX, HEAD_FILL
    first = head_top + depth
    n = max(section.rows or 0, data_rows if data_rows is not None else MIN_DATA_ROWS)
    last = first + n - 1
    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    letters = {col.id: get_column_letter(c) for c, col in enumerate(leaves, 1)}
    formula_cells: set[str] = set()  # the formulas jxjy writes; any other text is text (_only_our_formulas)
    for c, col in enumerate(leaves, 1):
        letter = get_column_letter(c)
        ws.column_dimensions[letter].width = _column_width(col)
        rng = f"{letter}{first}:{letter}{last}"
        ctype = col.type
        comp = col.computed
        formula = None
        if comp:
            src = next((i for i, x in enumerate(leaves, 1) if x.id == comp.source_column), None)
            item = policy.item(comp.item)
            if src is not None and item is not None:
                formula = item.rule.xlsx_formula(item, f"{get_column_letter(src)}{{row}}")
        elif col.sum_of:  # 小计, 合计: a SUM of the row's cells, so the workbook adds up as the page does
            formula = _sum_formula([letters[x] for x in col.sum_of if x in letters])
        if col.options:
            opts = col.options
            mc = 2 + c  # option lists live on the meta sheet, one column each
            for i, o in enumerate(opts):
                meta.cell(10 + i, mc, o)
            ml = get_column_letter(mc)
            dv = DataValidation(type="list", formula1=f"'{META_SHEET}'!${ml}$10:${ml}${9 + len(opts)}", allow_blank=True,
                                showErrorMessage=True, errorTitle=words["list_error_title"],
                                error=words["list_error"].format(options="、".join(opts))[:255])
            ws.add_data_validation(dv)
            dv.add(rng)
        elif ctype == "number" and not comp:
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                showErrorMessage=True, errorTitle=words["number_error_title"], error=words["number_error"])
            ws.add_data_validation(dv)
            dv.add(rng)
        elif ctype == "date":
            dv = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                                showErrorMessage=True, error=words["date_error"])
            ws.add_data_validation(dv)
            dv.add(rng)
        for r in range(first, last + 1):
            cell = ws.cell(r, c)
            cell.border = BOX
            if comp or col.sum_of:
                cell.fill = COMPUTED_FILL
                if formula:
                    cell.value = formula.format(row=r)
                    formula_cells.add(cell.coordinate)
            elif col.id == "seq":
                cell.value = r - first + 1
            if ctype == "number" or comp or col.sum_of or col.id == "seq":
                cell.alignment = Alignment(horizontal="center")
            if ctype == "date":
                cell.number_format = "yyyy-mm-dd"
    for i, total in enumerate(f for f in form.totals if f.prefill.startswith("sum.")):  # a column's total
        letter = letters.get(total.prefill[4:])
        if letter is None:
            continue
        r = last + 1 + i
        ws.cell(r, 1, total.label).font = Font(bold=True)
        cell = ws[f"{letter}{r}"]
        cell.value = f"=SUM({letter}{first}:{letter}{last})"
        formula_cells.add(cell.coordinate)
        cell.fill, cell.border, cell.alignment = COMPUTED_FILL, BOX, Alignment(horizontal="center")
    ws.freeze_panes = ws.cell(first, 1)
    ws.print_title_rows = f"{head_top}:{first - 1}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = FormView(policy, form).orientation
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    sigs = form.signatures
    if sigs:
        date_line = labels()["date_line"]
        ws.oddFooter.center.text = "      ".join(
            f"{s.label}：________{labels()['stamp'] if s.stamp else ''}{'  ' + date_line if s.date else ''}"
            for s in sigs)
        ws.oddFooter.center.size = 10
    if form.notes or sigs:
        notes = wb.create_sheet(words["notes_sheet"], 1)
        notes.column_dimensions["A"].width = 90
        r = 1
        notes.cell(r, 1, form.title).font = Font(bold=True, size=12)
        for text in form.notes:
            r += 1
            notes.cell(r, 1, text).alignment = Alignment(wrap_text=True)
        if sigs:
            r += 2
            notes.cell(r, 1, words["signatures"]).font = Font(bold=True)
            for s in sigs:
                r += 1
                notes.cell(r, 1, s.label)
    record = {"format": ROSTER_FORMAT, "policy": policy.id, "edition": policy.edition, "form": form.id,
              "section": section.id, "first_data_row": first, "columns": [c.id for c in leaves],
              "header_cells": header_cells}
    meta.cell(1, 1, "jxjy")
    meta.cell(1, 2, json.dumps(record, ensure_ascii=False))
    _only_our_formulas(wb, ws, formula_cells)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    data = deterministic_xlsx(buffer.getvalue())
    if not path.exists() or path.read_bytes() != data:  # unchanged templates are not rewritten
        path.write_bytes(data)
    return path


FIXED_TIME = "2000-01-01T00:00:00Z"
_PROPERTY_TIME = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def deterministic_xlsx(data: bytes) -> bytes:
    """The same workbook gives the same bytes, like the bundles: openpyxl stamps docProps/core.xml with the
    time of saving and the zip entries with the time of writing, so every build rewrote every roster."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _PROPERTY_TIME.sub(lambda m: m.group(1) + FIXED_TIME + m.group(2), body.decode("utf-8")).encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, body)
    return out.getvalue()


def _only_our_formulas(wb: Any, sheet: Any, ours: set[str]) -> None:
    """openpyxl makes any text starting with `=` a live formula: a policy title, heading, option or note written
    `=HYPERLINK(…)` would run when the template is opened. Every such cell but jxjy's own formulas is stored as
    text (a string cell, which no spreadsheet evaluates)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and not (ws is sheet and cell.coordinate in ours):
                    cell.data_type = "s"


# ---------------------------------------------------------------------------------------------
# import


@dataclass
class RosterRow:
    row: int
    person: dict
    values: dict[str, str]
    entry: dict
    account: str = ""


@dataclass
class RosterImport:
    file: str
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    header: dict[str, str] = field(default_factory=dict)

    @property
    def entries(self) -> list[dict]:
        return [r.entry for r in self.rows]

    def ledgers(self, policy: Policy | None = None) -> list[dict]:
        """One jxjy-ledger/1 per person (same account, or same name and school), rows in order."""
        out: dict[tuple, dict] = {}
        for r in self.rows:
            key = ("account", r.account) if r.account else ("name", r.person.get("name"), r.person.get("school"))
            ledger = out.setdefault(key, {"format": "jxjy-ledger/1", "person": dict(r.person), "entries": []})
            if policy is not None:
                ledger["policy"] = {"id": policy.id, "edition": policy.edition}
            ledger["entries"].append(r.entry)
        return list(out.values())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


def _number(value: Any) -> Fraction | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value) if value >= 0 else None
    if isinstance(value, float):
        try:
            return parse_rational(Decimal(repr(value))) if value >= 0 else None
        except ValueError:
            return None
    try:
        return parse_rational(_text(value))
    except ValueError:
        return None


def _date(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _meta(wb) -> dict | None:
    if META_SHEET not in wb.sheetnames:
        return None
    try:
        return json.loads(wb[META_SHEET].cell(1, 2).value or "")
    except (TypeError, ValueError):
        return None


def import_roster(policy: Policy, path: str | Path, form_id: str, item: str | None = None,
                  date: str | None = None) -> RosterImport:
    """Read a filled roster workbook into ledger entries; every bad row is an error with its row number.

    Raises InputError when the workbook cannot be read as this form at all (another form, no
    headings, no item or date to register under); row problems are returned in `.errors`.
    """
    path = Path(path)
    file = str(path)
    form = find_form(policy, form_id)
    if not is_roster(form):
        raise InputError([Diagnostic.of(file, 1, 1, "diagnostics.roster.not_a_roster", form=form.title)])
    section = form.sections[0]
    leaves = section.leaves()
    by_id = {c.id: c for c in leaves}
    item_id = item or section.item or None
    entry_fields = column_entry_fields()
    if item_id is None or policy.item(item_id) is None:
        amount_cols = {entry_fields.get(c.id) for c in leaves}
        choices = [i.id for i in policy.items if i.input in amount_cols] or [i.id for i in policy.items]
        code = "diagnostics.roster.unknown_item" if item_id is not None else "diagnostics.roster.no_item"
        raise InputError([Diagnostic.of(file, 1, 1, code, item=item_id or "", form=form.title,
                                        section=section.title or section.id, choices=choices)])
    the_item = policy.item(item_id)
    assert the_item is not None
    # the item's own input, else a unit the policy converts into it (Guangdong: 天 → 学时); the engine converts
    accepted = [the_item.input, *input_conversions(policy.conversions, the_item.input)]
    amount_col = next((c for field in accepted for c in leaves
                       if entry_fields.get(c.id) == field and not c.computed), None)
    if the_item.input != "none" and amount_col is None:
        raise InputError([Diagnostic.of(file, 1, 1, "diagnostics.roster.no_amount_column", item=the_item.name,
                                        input=the_item.input)])
    date_col = next((c for c in leaves if entry_fields.get(c.id) == "date"), None)
    if date is None and date_col is None:
        raise InputError([Diagnostic.of(file, 1, 1, "diagnostics.roster.no_date")])

    wb = load_workbook(path, data_only=True)
    meta = _meta(wb)
    ws = wb.worksheets[0]
    if meta is not None:
        found = f"{meta.get('policy')}/{meta.get('edition')}/{meta.get('form')}"
        if (meta.get("policy"), meta.get("edition"), meta.get("form")) != (policy.id, policy.edition, form_id):
            raise InputError([Diagnostic.of(file, 1, 1, "diagnostics.roster.wrong_form", form=form.title, found=found)])
        positions = {cid: i + 1 for i, cid in enumerate(meta["columns"]) if cid in by_id}
        first = int(meta["first_data_row"])
        header = {fid: neutralise(_text(ws[coord].value)) for fid, coord in (meta.get("header_cells") or {}).items()}
    else:  # a workbook made by hand: find the heading row by the leaf labels
        positions, first, header = {}, 0, {}
        want = {c.label: c.id for c in leaves}
        for r in range(1, min(ws.max_row, 30) + 1):
            row_labels = {_text(ws.cell(r, c).value): c for c in range(1, ws.max_column + 1)}
            hits = {want[label]: c for label, c in row_labels.items() if label in want}
            if len(hits) >= max(2, len(leaves) // 2) and "name" in hits:
                positions, first = hits, r + 1
                break
        if not positions:
            raise InputError([Diagnostic.of(file, 1, 1, "diagnostics.roster.header_not_found",
                                            labels=[c.label for c in leaves])])
    out = RosterImport(file, header=header)
    quiet = {"seq"} | {c.id for c in leaves if c.computed or c.sum_of}
    for r in range(first, ws.max_row + 1):
        raw = {cid: ws.cell(r, c).value for cid, c in positions.items()}
        if not any(_text(v) for cid, v in raw.items() if cid not in quiet):
            continue
        before = len(out.errors)

        def bad(cid: str, key: str, r: int = r, **kw: Any) -> None:
            col = by_id[cid]
            out.errors.append(Diagnostic.of(file, r, positions.get(cid, 1), f"diagnostics.roster.{key}",
                                            _row_path(r, col.label), label=col.label, **kw))

        values: dict[str, str] = {}
        for cid, value in raw.items():
            col = by_id[cid]
            text = _text(value)
            if not text:
                continue
            if cid in quiet:
                values[cid] = text
                continue
            if isinstance(value, str) and is_formula_like(text) and not (col.type == "number" or col.type == "date"):
                text = neutralise(text)  # `=cmd|' /C calc'!A0` (or ＝1+1, = after NFKC) stays text downstream
            if col.options and text not in col.options:
                bad(cid, "unknown_option", value=text, options=list(col.options))
            elif col.type == "number" and cid != "seq":
                number = _number(value)
                if number is None:
                    bad(cid, "bad_number", value=text)
                else:
                    text = format_rational(number)
            elif col.type == "date" or (date_col is not None and cid == date_col.id):
                iso = _date(value)
                if iso is None:
                    bad(cid, "bad_date", value=text)
                else:
                    text = iso
            values[cid] = text
        if "name" in by_id and not values.get("name"):
            bad("name", "missing_name")
        if amount_col is not None and not values.get(amount_col.id) and \
                not any(e.line == r and e.path == _row_path(r, amount_col.label) for e in out.errors):
            bad(amount_col.id, "missing_amount")
        if len(out.errors) > before:
            continue
        entry: dict[str, Any] = {"item": item_id, "date": values.get(date_col.id) if date_col else date}
        if amount_col is not None:
            entry[entry_fields[amount_col.id]] = values[amount_col.id]
        course = next((values[c] for c in values if entry_fields.get(c) == "course" and c != "name"), "")
        if course:
            entry["course"] = course
        entry["note"] = render("diagnostics.roster.row_note", {"form": form.title, "row": r}, "zh")
        for col in leaves:
            comp = col.computed
            typed = values.get(col.id) if comp else None
            if comp and typed:
                expected = computed_credit(policy, comp.item, values.get(comp.source_column, ""))
                got = _number(raw[col.id])
                if expected is not None and got != expected:
                    out.warnings.append(Diagnostic.of(file, r, positions[col.id], "diagnostics.roster.computed_mismatch",
                                                      _row_path(r, col.label), severity="warning", label=col.label,
                                                      value=typed, expected=expected))
        person = {"name": values.get("name", "")}
        school = values.get("school") or header.get("school", "")
        if school:
            person["school"] = school
        if values.get("subject"):
            person["subject"] = values["subject"]
        problems = check_entry(policy, entry, set(the_item.roles))
        for prob in problems:  # the engine's own code and parameters, so the reader's language renders it too
            out.errors.append(Diagnostic(file, r, 1, prob["code"], _row_path(r, column_label(prob["field"])),
                                         params_of(prob["params"])))
        if problems:
            continue
        out.rows.append(RosterRow(r, person, values, entry, values.get("account", "")))
    return out


def _row_path(row: int, column: str) -> str:
    return render("diagnostics.roster.where", {"row": row, "column": column})
