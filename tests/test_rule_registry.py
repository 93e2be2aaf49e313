"""The rule registry (generator/rules/types.py) is the one home of each rule type: the schemas are generated
from it, the JS engine has one section per type, and the spreadsheet formula each type writes computes what
the type credits — recalculated by a real spreadsheet (LibreOffice), not by us."""

from __future__ import annotations

import csv
import json
import random
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
from openpyxl import Workbook

from generator.base.rational import format_rational
from generator.outputs.forms.roster import write_roster_xlsx
from generator.outputs.forms.statement import find_form
from generator.policy.loader import load_policy
from generator.policy.model import Item, Level
from generator.policy.schema import load_schema
from generator.rules.types import RULE_TYPES, Lookup, Manual, Multiplier, PerOccurrence, PerSubject, Rate, RuleType

ROOT = Path(__file__).resolve().parent.parent
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (scripts/setup.sh installs it)")

EXAMPLES: list[RuleType] = [
    Rate(per=Fraction(3), value=Fraction(1), rounding="floor"),
    Rate(per=Fraction(2), value=Fraction(3), rounding="floor"),
    Rate(per=Fraction(1), value=Fraction(1, 2), rounding="exact"),
    Rate(per=Fraction(2), value=Fraction(1), rounding="exact"),
    Multiplier(factor=Fraction(4)),
    Multiplier(factor=Fraction(3, 2)),
    PerOccurrence(value=Fraction(3)),
    Lookup(table=(("level-3a", Fraction(7)), ("level-2b", Fraction(10)), ("level-2a", Fraction(14)))),
    PerSubject(passed=Fraction(10), failed=Fraction(2)),
    Manual(assessed_by="校管理员", defers_to="《办法》第15条"),
]
LEVELS = (Level("level-3a", "三甲"), Level("level-2b", "二乙"), Level("level-2a", "二甲及以上"))


def test_schemas_are_generated_from_the_registry():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_schemas.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    policy_rule = load_schema("policy.schema.json")["$defs"]["rule"]
    assert policy_rule["properties"]["type"]["enum"] == list(RULE_TYPES)


def test_the_js_engine_has_one_section_per_rule_type():
    source = (ROOT / "calculator" / "engine.js").read_text(encoding="utf-8")
    body = source[source.index("  var RULES = {"):source.index("\n  };\n", source.index("  var RULES = {"))]
    sections = re.findall(r"^    ([a-z_]+): \{$", body, re.M)
    assert sections == list(RULE_TYPES)


def test_every_rule_type_says_everything_about_itself():
    for name, cls in RULE_TYPES.items():
        assert cls.type == name and cls.inputs and cls.description[0] and cls.description[1]
        for method in ("parse", "entry_credit", "trace", "prose", "bundle"):
            assert getattr(cls, method) is not getattr(RuleType, method), f"{name} does not define {method}"


@pytest.mark.parametrize("rule", EXAMPLES, ids=lambda r: f"{r.type}")
def test_bundle_form_matches_the_bundle_schema_and_parses_back(rule):
    schema = load_schema("bundle.schema.json")
    validator = jsonschema.Draft202012Validator({"$ref": "#/$defs/rule", "$defs": schema["$defs"]})
    validator.validate(rule.bundle())
    assert type(rule).parse(rule.bundle()) == rule


def _item(rule: RuleType) -> Item:
    inp = next(iter(sorted(rule.inputs))) if rule.type != "rate" else "hours"
    return Item(id="x", name="项目", category="c", input=inp, rule=rule, source="一",
                levels=LEVELS if inp == "level" else ())


def _recalculate(workbook: Path, out_dir: Path) -> list[list[str]]:
    """The sheet as LibreOffice computes and displays it (formulas recalculated on load)."""
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{out_dir}/profile",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out_dir), str(workbook)],
                   check=True, capture_output=True, timeout=180)
    with open(out_dir / (workbook.stem + ".csv"), encoding="utf-8") as f:
        return list(csv.reader(f))


def amounts(count: int = 240, seed: int = 20181) -> list[Decimal]:
    """What people type into a roster: whole hours, halves, two decimals; around every block edge (2.99, 3, 3.01)."""
    rng = random.Random(seed)
    edges = [Decimal(k * 3) + d for k in range(0, 12) for d in (Decimal("-0.01"), Decimal(0), Decimal("0.01"))]
    out = [e for e in edges if e >= 0]
    while len(out) < count:
        kind = rng.random()
        if kind < 0.4:
            out.append(Decimal(rng.randint(0, 400)))
        elif kind < 0.7:
            out.append(Decimal(rng.randint(0, 800)) / 2)
        else:
            out.append(Decimal(rng.randint(0, 40000)) / 100)
    return out


@pytest.mark.slow
@needs_soffice
def test_spreadsheet_formulas_compute_what_the_rule_types_credit(tmp_path):
    """Every rule type's XLSX formula, one column each, over the same amounts (and each level for a lookup),
    recalculated by LibreOffice: each displayed value is the type's exact credit for that row."""
    tmp = tmp_path
    with_formula = [r for r in EXAMPLES if r.xlsx_formula(_item(r), "A1") is not None]
    assert {r.type for r in with_formula} == {"rate", "multiplier", "per_occurrence", "lookup"}
    wb = Workbook()
    ws = wb.active
    rows = amounts()
    for n, value in enumerate(rows, 1):
        ws.cell(n, 1, float(value) if value != value.to_integral() else int(value))
        ws.cell(n, 2, LEVELS[n % len(LEVELS)].name)
        for col, rule in enumerate(with_formula, 3):
            item = _item(rule)
            ws.cell(n, col, rule.xlsx_formula(item, f"{'B' if item.input == 'level' else 'A'}{n}"))
    path = tmp / "rules.xlsx"
    wb.save(path)
    sheet = _recalculate(path, tmp)
    for n, value in enumerate(rows):
        for col, rule in enumerate(with_formula, 2):
            item = _item(rule)
            entry = {"level": LEVELS[(n + 1) % len(LEVELS)].id} if item.input == "level" else {item.input: str(value)}
            want = format_rational(rule.entry_credit(item, entry)[0])
            assert sheet[n][col] == want, (rule, value, sheet[n][col], want)


@pytest.mark.slow
@needs_soffice
def test_a_roster_template_computes_its_credit_column(tmp_path):
    """A roster template as `jxjy roster template` writes it: hours typed in give the 学分 the item's rule gives,
    in a real spreadsheet."""
    policy = load_policy(ROOT / "tests" / "fixtures" / "policies" / "forms-demo" / "2020.yaml")
    form = find_form(policy, "roster")
    path = write_roster_xlsx(policy, form, tmp_path / "roster.xlsx", data_rows=6)
    from openpyxl import load_workbook

    meta = json.loads(load_workbook(path)["_jxjy"].cell(1, 2).value)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    first, columns = meta["first_data_row"], meta["columns"]
    hours_col, credit_col = columns.index("hours") + 1, columns.index("credits") + 1
    hours = [0, 2, 3, 8, 25, 7.5, 13]
    for r, h in enumerate(hours, first):
        ws.cell(r, hours_col, h)
    wb.save(path)
    sheet = _recalculate(path, tmp_path)
    item = policy.get_item(next(c.computed.item for c in form.sections[0].leaves() if c.computed))
    for r, h in enumerate(hours, first - 1):
        want = format_rational(item.rule.entry_credit(item, {item.input: str(h)})[0])
        assert sheet[r][credit_col - 1] == want, (h, sheet[r][credit_col - 1], want)


@pytest.mark.slow
@needs_soffice
def test_a_review_report_adds_up_its_subtotals_and_total_as_the_prefill_does(tmp_path):
    """附件3's 小计 and 合计 are SUM formulas in the workbook (not numbers to type): filled with what a teacher's
    records prefill, LibreOffice shows the same sums as the page and the PDF."""
    from openpyxl import load_workbook

    from generator.outputs.forms.prefill import prefill

    policy = load_policy(ROOT / "tests" / "fixtures" / "policies" / "forms-demo" / "2020.yaml")
    form = find_form(policy, "review-report")
    path = write_roster_xlsx(policy, form, tmp_path / "report.xlsx", data_rows=4)
    meta = json.loads(load_workbook(path)["_jxjy"].cell(1, 2).value)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    first, columns = meta["first_data_row"], meta["columns"]
    sums = {c.id for c in form.sections[0].leaves() if c.sum_of}
    assert sums == {"normative-subtotal", "flexible-subtotal", "total"}
    assert ws.cell(first, columns.index("normative-subtotal") + 1).value == f"=SUM(D{first}:E{first})"
    assert ws.cell(first, columns.index("total") + 1).value == f"=SUM(F{first},I{first})"
    ledger = {"person": {"name": "王小明"}, "entries": [
        {"item": "weike", "date": "2019-12-01", "hours": 9}, {"item": "school-based", "date": "2020-03-01", "hours": 5},
        {"item": "putonghua", "date": "2020-10-01", "level": "level-2b"},
        {"item": "school-based", "date": "2021-01-01", "hours": "2.5"}]}
    values = prefill(policy, form, ledger).values
    for cid in columns:
        v = values.get(f"s:teachers:1:{cid}")
        if v is not None and cid not in sums:
            ws.cell(first, columns.index(cid) + 1, float(v) if "." in v else int(v) if v.isdigit() else v)
    wb.save(path)
    sheet = _recalculate(path, tmp_path)
    row = sheet[first - 1]
    for cid in sums:
        assert row[columns.index(cid)] == values[f"s:teachers:1:{cid}"], (cid, row)
    assert values["s:teachers:1:total"] == "16.75"  # 2019–2020: 3 + 2.5; 2020–2021: 10 + 1.25
