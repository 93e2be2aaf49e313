"""What a form is made of, as every form output sees it: field names, grouped headings, rows.

The HTML page, the printed PDF, the fillable PDF's AcroForm fields, the roster workbook and the
prefill all name a form's cells the same way:

    h:<header-field-id>   s:<section-id>:<row, from 1>:<column-id>   t:<total-field-id>

Ids are [a-z0-9-], so ':' never occurs in them, and there is no '.', which PDF reserves for
field hierarchy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml

from generator.base.paths import FORM_TEMPLATES
from generator.policy.model import Form, FormColumn, FormSection, Policy

FORM_FORMAT = "jxjy-form/1"
WIDE_TABLE_COLUMNS = 10  # more columns than this and an unset orientation prints landscape


def header_name(field_id: str) -> str:
    return f"h:{field_id}"


def cell_name(section_id: str, row: int, column_id: str) -> str:
    return f"s:{section_id}:{row}:{column_id}"


def total_name(field_id: str) -> str:
    return f"t:{field_id}"


@cache
def labels() -> dict:
    """The form pages' fixed words (site_templates/forms/labels.zh.yaml)."""
    return yaml.safe_load((FORM_TEMPLATES / "labels.zh.yaml").read_text(encoding="utf-8"))


@cache
def column_entry_fields() -> dict[str, str]:
    """Which ledger entry field fills a column, by column id (site_templates/forms/columns.yaml)."""
    return yaml.safe_load((FORM_TEMPLATES / "columns.yaml").read_text(encoding="utf-8"))["entry_field"]


def _depth(columns: tuple[FormColumn, ...]) -> int:
    return max((1 + _depth(c.children) if c.children else 1) for c in columns) if columns else 0


def header_rows(columns: tuple[FormColumn, ...]) -> list[list[dict]]:
    """Grouped column headings as table rows of {label, colspan, rowspan, id}."""
    depth = _depth(columns)
    rows: list[list[dict]] = [[] for _ in range(depth)]

    def walk(cols: tuple[FormColumn, ...], level: int) -> None:
        for col in cols:
            if col.children:
                rows[level].append({"label": col.label, "colspan": len(col.leaves()), "rowspan": 1, "id": col.id})
                walk(col.children, level + 1)
            else:
                rows[level].append({"label": col.label, "colspan": 1, "rowspan": depth - level, "id": col.id})

    walk(columns, 0)
    return rows


def is_roster(form: Form) -> bool:
    """A roster lists people: one table section that has a 姓名 (`name`) column."""
    return len(form.sections) == 1 and any(c.id == "name" for c in form.sections[0].leaves())


def form_items(form: Form) -> list[str]:
    """The items whose entries a prefill puts into the form's sections, in section order."""
    out: list[str] = []
    for s in form.sections:
        if s.item and s.item not in out:
            out.append(s.item)
    return out


def prefillable(form: Form) -> bool:
    """Whether a ledger fills anything in: rows of an item's section (or of every item: the statement),
    a header or total field or a column with `prefill:`."""
    return (bool(form_items(form)) or any(s.all_items for s in form.sections)
            or any(f.prefill for f in form.header + form.totals)
            or any(c.prefill for s in form.sections for c in s.leaves()))


@dataclass
class FormView:
    """What a template needs to draw one form, and what the PDF and the page's script need to fill it."""

    policy: Policy
    form: Form
    rows: dict[str, int] = field(default_factory=dict)  # row count per section (prefill may add rows)

    @property
    def id(self) -> str:
        return self.form.id

    @property
    def key(self) -> str:
        return f"{self.policy.id}/{self.policy.edition}/{self.id}"

    @property
    def orientation(self) -> str:
        """The form's own `orientation`, else landscape when a table has more than 10 columns."""
        if self.form.orientation:
            return self.form.orientation
        widest = max((len(s.leaves()) for s in self.form.sections), default=0)
        return "landscape" if widest > WIDE_TABLE_COLUMNS else "portrait"

    @property
    def defined(self) -> bool:
        return self.form.laid_out

    def section_rows(self, section: FormSection) -> int:
        return self.rows.get(section.id, section.rows if section.rows is not None else 1)

    def sections(self) -> list[dict]:
        out = []
        for s in self.form.sections:
            leaves = s.leaves()
            n = self.section_rows(s)
            out.append({"id": s.id, "title": s.title, "method": s.method, "evidence": s.evidence, "item": s.item,
                        "all_items": s.all_items,
                        "leaves": leaves, "header_rows": header_rows(s.columns), "row_count": n,
                        "row_names": [[cell_name(s.id, r, c.id) for c in leaves] for r in range(1, n + 1)]})
        return out

    def fields(self) -> list[dict]:
        """Every fillable field: name, label, type, options, computed, part."""
        out: list[dict[str, Any]] = []
        for f in self.form.header:
            out.append({"name": header_name(f.id), "label": f.label, "type": f.type, "options": list(f.options),
                        "computed": None, "part": "header"})
        for s in self.sections():
            for r, names in enumerate(s["row_names"], 1):
                for col, name in zip(s["leaves"], names, strict=True):
                    label = f"{s['title'] or self.form.title} 第{r}行 {col.label}"
                    out.append({"name": name, "label": label, "type": col.type, "options": list(col.options),
                                "computed": col.computed, "part": "cell"})
        for f in self.form.totals:
            out.append({"name": total_name(f.id), "label": f.label, "type": f.type, "options": list(f.options),
                        "computed": None, "part": "total"})
        return out

    def printed_labels(self) -> list[str]:
        """Every label the printed form must show (for tests: the blank PDF renders each)."""
        f = self.form
        out = [f.title] + ([f.attachment] if f.attachment else [])
        out += [x.label for x in f.header]
        for s in f.sections:
            out += [text for text in (s.title, s.method, s.evidence) if text]
            stack = list(reversed(s.columns))
            while stack:
                c = stack.pop()
                out.append(c.label)
                stack.extend(reversed(c.children))
        out += [x.label for x in f.totals]
        out += [x.label for x in f.signatures]
        out += list(f.notes)
        if f.undefined_in_source:
            out.append(f.undefined_in_source)
        return out

    def spec(self) -> dict:
        """The JSON the page's script works from. Rules, periods and dates are not here: the page
        evaluates with calculator/engine.js over the edition's bundle view (rules.js beside it)."""
        sections = []
        for s in self.sections():
            cols = []
            for c in s["leaves"]:
                col: dict[str, Any] = {"id": c.id, "type": c.type, "entry_field": column_entry_fields().get(c.id)}
                if c.computed:
                    col["computed"] = {"item": c.computed.item, "from": c.computed.source_column}
                if c.sum_of:
                    col["sum_of"] = list(c.sum_of)
                if c.prefill:
                    col["prefill"] = c.prefill
                cols.append(col)
            sections.append({"id": s["id"], "item": s["item"] or None, "all_items": s["all_items"],
                             "rows": s["row_count"], "columns": cols})
        policy = self.policy
        return {
            "format": FORM_FORMAT,
            "key": self.key,
            "storage_key": f"jxjy-form:{self.key}",
            "prefill_key": f"jxjy-prefill:{policy.key}",
            "policy": {"id": policy.id, "edition": policy.edition, "key": policy.key, "unit": policy.unit},
            "form": self.id,
            "header": [{"name": header_name(f.id), "id": f.id, "type": f.type, "prefill": f.prefill or None}
                       for f in self.form.header],
            "sections": sections,
            "totals": [{"name": total_name(f.id), "id": f.id, "type": f.type, "prefill": f.prefill or None}
                       for f in self.form.totals],
            "defined": self.defined,
            "period_label": self.form.period_label or None,
            "labels": {k: v for k, v in labels().items() if k in ("toolbar", "statement", "scroll_cue")},
        }
