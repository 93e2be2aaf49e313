"""The personal statement (个人学分统计表 / 个人学时统计表): one document for a teacher's records.

Notices name the statement (成都: 《2017～2018学年度个人学分统计表》需加盖学校公章) without laying it
out, and a reviewer needs the same sheet whoever prints it. So there is one layout, built here from
the policy model, and everything prints it: the form page (and its blank and fillable PDFs) and the
calculator, whose 打印 button opens that page prefilled with the teacher's records. A policy's form
marked `statement: true` gives its title, source and notes; an edition without one gets the layout
under STATEMENT_ID, titled after its unit.

The layout: a header a reviewer needs (姓名、单位、学科、学年), one row per record of the period
(date, item, category, what it was, the amount, the credit the item's rule gives it), the credits
counted after caps per category and in all, and lines to sign and stamp. Every word comes from
site_templates/forms/labels.zh.yaml (`statement:`) or the policy.
"""

from __future__ import annotations

from generator.base.messages import message
from generator.outputs.forms.view import labels
from generator.policy.model import Form, FormColumn, FormField, FormSection, Policy, Signature

STATEMENT_ID = "personal-statement"
BLANK_ROWS = 12  # rows the blank sheet prints; a prefilled one has one row per record, at least these
# an item's name and what was done can be long: they wrap (textarea; a multi-line field in the PDF)
COLUMN_TYPES = (("date", "date"), ("item", "textarea"), ("category", "text"), ("content", "textarea"),
                ("amount", "text"), ("credits", "number"))


def statement_form(policy: Policy) -> Form:
    """The edition's personal statement, laid out."""
    words = labels()["statement"]
    declared = next((f for f in policy.forms if f.statement), None)
    unit = policy.unit
    period_noun = message(f"rule_text.period_noun.{policy.period.kind}")
    header = (
        FormField(id="name", label=words["name"], prefill="person.name"),
        FormField(id="school", label=words["school"], prefill="person.school"),
        FormField(id="subject", label=words["subject"], prefill="person.subject"),
        FormField(id="period", label=period_noun, prefill="period.label"),
    )
    columns = tuple(FormColumn(id=cid, label=words["columns"][cid].format(unit=unit), type=ctype)
                    for cid, ctype in COLUMN_TYPES)
    section = FormSection(id="entries", columns=columns, title=words["entries"], rows=BLANK_ROWS, all_items=True)
    totals = tuple(FormField(id=f"category-{c.id}", label=words["category_total"].format(category=c.name, unit=unit),
                             type="number", prefill=f"result.category.{c.id}")
                   for c in policy.categories if not c.parent)
    totals += (FormField(id="total", label=words["total"].format(unit=unit), type="number", prefill="result.total"),)
    signatures = (Signature(label=words["sign_person"], date=True),
                  Signature(label=words["sign_unit"], stamp=True, date=True))
    notes = (words["note_rows"].format(unit=unit), words["note_totals"].format(unit=unit))
    if declared is None:
        return Form(id=STATEMENT_ID, title=words["title"].format(unit=unit), source="", orientation="portrait",
                    header=header, sections=(section,), totals=totals, signatures=signatures,
                    notes=(words["note_generated"],) + notes, statement=True)
    return Form(id=declared.id, title=declared.title, source=declared.source, attachment=declared.attachment,
                purpose=declared.purpose, filled_by=declared.filled_by, orientation=declared.orientation or "portrait",
                header=declared.header or header, sections=declared.sections or (section,),
                totals=declared.totals or totals, signatures=declared.signatures or signatures,
                notes=declared.notes + (words["note_layout"],) + notes, undefined_in_source=declared.undefined_in_source,
                statement=True, period_label=declared.period_label)


def output_forms(policy: Policy) -> list[Form]:
    """The forms that get a page and PDFs: every form the source lays out, and the personal statement (in
    place of the policy's, else last). A form the source only names gets none — an empty sheet with a note
    helps nobody; the guidance page says what the source says about it."""
    out: list[Form] = []
    for form in policy.forms:
        if form.statement:
            out.append(statement_form(policy))
        elif form.laid_out:
            out.append(form)
    if not any(f.statement for f in out):
        out.append(statement_form(policy))
    return out


def find_form(policy: Policy, form_id: str) -> Form:
    """One of output_forms (the statement laid out); KeyError naming the others when there is none."""
    forms = output_forms(policy)
    form = next((f for f in forms if f.id == form_id), None)
    if form is None:
        raise KeyError(f"{policy.key} has no form '{form_id}' (forms: {', '.join(f.id for f in forms)})")
    return form
