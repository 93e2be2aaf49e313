"""Roster (花名册) XLSX: the template school admins fill, and its import into ledger entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from generator.base.diagnostics import InputError
from generator.cli.main import main
from generator.outputs.forms import roster
from generator.outputs.forms.statement import find_form
from generator.policy.loader import load_policy
from generator.rules.engine import evaluate

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "policies" / "forms-demo" / "2020.yaml"
CHENGDU = ROOT / "policies" / "chengdu-teachers" / "2018.yaml"
STAGES = ["高中", "初中", "小学", "幼儿园", "特教"]
COLUMNS = ["seq", "school", "account", "name", "subject", "stage", "hours", "credits"]


@pytest.fixture(scope="module")
def policy():
    return load_policy(FIXTURE)


@pytest.fixture()
def template(policy, tmp_path):
    return roster.write_roster_xlsx(policy, find_form(policy, "roster"), tmp_path / "roster.xlsx")


def _meta(path):
    return json.loads(load_workbook(path)[roster.META_SHEET].cell(1, 2).value)


def _fill(path, rows, header=None):
    """Write rows (dicts by column id) into a template the way an admin would, and save."""
    meta = _meta(path)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    for fid, value in (header or {}).items():
        ws[meta["header_cells"][fid]] = value
    for i, row in enumerate(rows):
        for cid, value in row.items():
            ws.cell(meta["first_data_row"] + i, meta["columns"].index(cid) + 1, value)
    wb.save(path)
    return meta


def test_template_layout(template):
    wb = load_workbook(template)
    ws = wb.worksheets[0]
    meta = _meta(template)
    first = meta["first_data_row"]
    assert meta["columns"] == COLUMNS and meta["policy"] == "forms-demo" and meta["form"] == "roster"
    assert ws.title == "附件1" and ws["A1"].value == "附件1" and ws["A2"].value == "校本研修参培人员花名册"
    assert "A2:H2" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A3"].value == "区" and ws["C3"].value == "学校（公章）" and meta["header_cells"]["school"] == "D3"
    assert [ws.cell(first - 1, c).value for c in range(1, 9)] == ["序号", "学校", "账号", "姓名", "学科", "学段", "学时", "学分"]
    assert ws.freeze_panes == f"A{first}"
    assert ws.print_title_rows == f"${first - 1}:${first - 1}"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 == "9"  # A4
    assert ws.column_dimensions["B"].width >= 22 and ws.column_dimensions["A"].width >= 6
    assert ws.cell(first, 1).value == 1 and ws.cell(first + 99, 1).value == 100
    assert ws.cell(first, 8).value == f'=IF(ISNUMBER(G{first}),G{first}*0.5,"")'
    assert wb[roster.META_SHEET].sheet_state == "hidden"
    assert "校管理员签字" in ws.oddFooter.center.text and "（盖章）" in ws.oddFooter.center.text
    assert wb.sheetnames[1] == "填表说明" and wb["填表说明"]["A2"].value == "学段填高中、初中、小学、幼儿园、特教。"


def test_template_data_validation(template):
    wb = load_workbook(template)
    ws = wb.worksheets[0]
    meta_ws = wb[roster.META_SHEET]
    first = _meta(template)["first_data_row"]
    by_col = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_col[rng.coord.rstrip("0123456789").split(":")[0].rstrip("0123456789")] = (dv, rng.coord)
    stage, coord = by_col["F"]
    assert stage.type == "list" and coord == f"F{first}:F{first + 99}" and stage.showErrorMessage
    sheet, cells = stage.formula1.split("!")
    start, end = cells.replace("$", "").split(":")
    assert sheet == f"'{roster.META_SHEET}'"
    assert [c.value for row in meta_ws[f"{start}:{end}"] for c in row] == STAGES
    subject = by_col["E"][0]
    start, end = subject.formula1.split("!")[1].replace("$", "").split(":")
    assert [c.value for row in meta_ws[f"{start}:{end}"] for c in row] == ["语文", "数学", "英语"]
    hours = by_col["G"][0]
    assert hours.type == "decimal" and hours.operator == "greaterThanOrEqual" and hours.formula1 == "0"
    assert "H" not in by_col  # the computed column is a formula, not an input


def test_import_round_trip(policy, template):
    _fill(template, [
        {"school": "示例中学", "account": "T001", "name": "王小明", "subject": "数学", "stage": "初中", "hours": 6},
        {"account": "T002", "name": "李华", "subject": "语文", "stage": "小学", "hours": 3.5},
        {"account": "T001", "name": "王小明", "subject": "数学", "stage": "初中", "hours": "１２"},  # full-width digits
    ], header={"school": "示例学校", "district": "示例区"})
    result = roster.import_roster(policy, template, "roster", date="2020-12-01")
    assert result.errors == []
    assert result.header["school"] == "示例学校"
    first = _meta(template)["first_data_row"]
    assert [r.row for r in result.rows] == [first, first + 1, first + 2]
    assert result.entries[0] == {"item": "school-based", "date": "2020-12-01", "hours": "6",
                                 "note": f"校本研修参培人员花名册 第{first}行"}
    assert result.entries[1]["hours"] == "3.5" and result.entries[2]["hours"] == "12"
    ledgers = result.ledgers(policy)
    assert [ledger["person"] for ledger in ledgers] == [
        {"name": "王小明", "school": "示例中学", "subject": "数学"},
        {"name": "李华", "school": "示例学校", "subject": "语文"},  # the header's school when the row has none
    ]
    assert len(ledgers[0]["entries"]) == 2
    credited = evaluate(policy, ledgers[0])["periods"]["2020-2021"]["items"]["school-based"]["credited"]
    assert credited == "9"  # (6 + 12) × 0.5


def test_import_reports_bad_rows_with_row_numbers(policy, template):
    _fill(template, [
        {"name": "王小明", "stage": "初中", "hours": 6},
        {"name": "", "account": "T9", "stage": "小学", "hours": 2},  # missing name
        {"name": "李华", "stage": "高一", "hours": 2},  # unknown 学段
        {"name": "赵六", "stage": "高中", "hours": "三小时"},  # bad number
        {"name": "孙七", "stage": "高中", "hours": -1},  # negative
        {"name": "周八", "stage": "高中"},  # no hours
        {},
        {"name": "吴九", "stage": "幼儿园", "hours": 1},
    ])
    first = _meta(template)["first_data_row"]
    result = roster.import_roster(policy, template, "roster", date="2020-12-01")
    got = [(d.line, d.path, d.message) for d in result.errors]
    assert got == [
        (first + 1, f"第 {first + 1} 行 姓名", "缺少姓名"),
        (first + 2, f"第 {first + 2} 行 学段", "学段“高一”不在列表中，只能填写：高中、初中、小学、幼儿园、特教"),
        (first + 3, f"第 {first + 3} 行 学时", "学时“三小时”不是不小于 0 的数字"),
        (first + 4, f"第 {first + 4} 行 学时", "学时“-1”不是不小于 0 的数字"),
        (first + 5, f"第 {first + 5} 行 学时", "缺少学时"),
    ]
    assert [r.row for r in result.rows] == [first, first + 7]  # the empty row is skipped, not an error
    assert all(d.file.endswith("roster.xlsx") for d in result.errors)


def test_import_checks_dates_with_the_engine(policy, template):
    _fill(template, [{"name": "王小明", "stage": "初中", "hours": 6}])
    with pytest.raises(InputError, match="请指定登记日期"):
        roster.import_roster(policy, template, "roster")
    result = roster.import_roster(policy, template, "roster", date="2020-02-30")
    [error] = result.errors  # the engine's own error, rendered from its code in the reader's language
    assert error.code == "errors.entry.date_not_a_date" and error.path.endswith("日期")
    assert error.text("zh") == "「2020-02-30」不是日期，请写成 2018-03-15 这样"
    assert error.text("en") == "\"2020-02-30\" is not a date; write it like 2018-03-15"


def test_computed_column_typed_wrong_is_a_warning(policy, template):
    first = _fill(template, [{"name": "王小明", "stage": "初中", "hours": 6, "credits": 4}])["first_data_row"]
    result = roster.import_roster(policy, template, "roster", date="2020-12-01")
    assert result.errors == [] and len(result.rows) == 1
    assert [(w.line, w.severity) for w in result.warnings] == [(first, "warning")]
    assert "按规则应为 3" in result.warnings[0].message


def test_import_a_hand_made_workbook_by_its_headings(policy, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["校本研修参培人员花名册"])
    ws.append([])
    ws.append(["序号", "学校", "账号", "姓名", "学科", "学段", "学时", "学分"])
    ws.append([1, "示例中学", "T1", "王小明", "数学", "初中", 4, None])
    ws.append([2, "示例中学", "T2", "", "数学", "初中", 4, None])
    path = tmp_path / "hand.xlsx"
    wb.save(path)
    result = roster.import_roster(policy, path, "roster", date="2020-12-01")
    assert [r.entry["hours"] for r in result.rows] == ["4"]
    assert [(d.line, d.column) for d in result.errors] == [(5, 4)]


def test_import_refuses_another_forms_workbook(policy, tmp_path):
    other = roster.write_roster_xlsx(policy, find_form(policy, "review-report"), tmp_path / "report.xlsx")
    with pytest.raises(InputError, match="这不是"):
        roster.import_roster(policy, other, "roster", date="2020-12-01")


def test_cli_template_and_import(policy, tmp_path, capsys):
    path = tmp_path / "r.xlsx"
    assert main(["roster", "template", str(FIXTURE), "roster", str(path)]) == 0
    _fill(path, [{"name": "王小明", "stage": "初中", "hours": 6}, {"name": "李华", "stage": "大学", "hours": 1}])
    out = tmp_path / "ledgers.json"
    assert main(["roster", "import", str(FIXTURE), "roster", str(path), "--date", "2020-12-01", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "学段“大学”不在列表中" in err and "导入 1 行，1 个错误" in err
    assert json.loads(out.read_text(encoding="utf-8"))[0]["person"]["name"] == "王小明"


def test_cli_bad_form_or_policy_exits_1_with_the_reason(tmp_path, capsys):
    path = tmp_path / "r.xlsx"
    assert main(["roster", "template", str(FIXTURE), "no-such-form", str(path)]) == 1
    assert "没有表格「no-such-form」" in capsys.readouterr().err and not path.exists()
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [", encoding="utf-8")
    assert main(["roster", "template", str(broken), "roster", str(path)]) == 1
    assert f"{broken}:1:" in capsys.readouterr().err


def test_real_chengdu_roster(tmp_path):
    try:
        policy = load_policy(CHENGDU)
        form = find_form(policy, "school-based-roster")
    except Exception as exc:  # the policy is being written by others
        pytest.skip(f"chengdu-teachers/2018 roster not available: {exc}")
    path = roster.write_roster_xlsx(policy, form, tmp_path / "roster.xlsx")
    ws = load_workbook(path).worksheets[0]
    first = _meta(path)["first_data_row"]
    labels = [ws.cell(first - 1, c).value for c in range(1, 9)]
    assert labels == ["序号", "学校", "账号", "姓名", "学科", "学段", "学时", "学分"]
    # the roster is shared by two items (city/district base schools): import needs the item named
    _fill(path, [{"name": "王小明", "stage": "初中", "hours": 20}])
    with pytest.raises(InputError) as exc:
        roster.import_roster(policy, path, "school-based-roster", date="2018-06-01")
    assert "district-base-school" in str(exc.value)
    result = roster.import_roster(policy, path, "school-based-roster", item="district-base-school", date="2018-06-01")
    assert result.errors == [] and result.entries[0]["hours"] == "20"


FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(1+1)", "＝1+1", "=HYPERLINK(\"http://x\",\"y\")"]


def test_import_neutralises_formulas_as_owasp_says(policy, template):
    """Issue 12 item 13: formula-looking text in a roster came through unchanged (and NFKC made ＝1+1 into =1+1);
    downstream spreadsheets would run it. Text cells get OWASP's leading single quote; a live formula cell is
    read as the value it computed (openpyxl's cached value), never as its formula."""
    rows = [{"account": f"T{i}", "name": f"教师{i}", "subject": "数学", "stage": "初中", "hours": 2}
            for i, _ in enumerate(FORMULAS)]
    meta = _fill(template, rows, header={"school": "示例学校"})
    wb = load_workbook(template)
    ws = wb.worksheets[0]
    for i, text in enumerate(FORMULAS):  # typed as text (a CSV pasted in, or '=… in Excel): string cells
        for cid in ("account", "name"):
            cell = ws.cell(meta["first_data_row"] + i, meta["columns"].index(cid) + 1)
            cell.value = text
            cell.data_type = "s"
    wb.save(template)
    result = roster.import_roster(policy, template, "roster", date="2020-12-01")
    assert result.errors == []
    names = [r.person["name"] for r in result.rows]
    assert names == ["'=cmd|' /C calc'!A0", "'+SUM(1,2)", "'-2+3", "'@SUM(1+1)", "'=1+1", "'=HYPERLINK(\"http://x\",\"y\")"]
    assert [r.account for r in result.rows] == names


def test_a_policy_text_starting_with_equals_is_text_in_the_template(policy, tmp_path):
    """A policy title, heading or option starting with = became a live formula in the template."""
    import dataclasses  # noqa: PLC0415

    form = find_form(policy, "roster")
    hostile = dataclasses.replace(form, title="=HYPERLINK(\"http://evil\",\"点我\")", notes=("=1+1",))
    path = roster.write_roster_xlsx(policy, hostile, tmp_path / "r.xlsx")
    wb = load_workbook(path)
    formulas = [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f"]
    assert formulas and all(v.startswith(("=IF(", "=SUM(")) for _, _, v in formulas), formulas
    ws = wb.worksheets[0]
    title = next(c for row in ws.iter_rows() for c in row if c.value == hostile.title)
    assert title.data_type == "s"


def test_the_template_is_byte_for_byte_the_same_every_time(policy, tmp_path, monkeypatch):
    """Issue 12 item 19: openpyxl stamped the save time into docProps/core.xml and the zip entries, so every
    build rewrote every roster. Two templates written at different times are now the same bytes."""
    import datetime as dt  # noqa: PLC0415
    import time as time_module  # noqa: PLC0415

    form = find_form(policy, "roster")
    first = roster.write_roster_xlsx(policy, form, tmp_path / "a.xlsx").read_bytes()

    later = time_module.time() + 3 * 86400
    monkeypatch.setattr(time_module, "time", lambda: later)
    monkeypatch.setattr(time_module, "localtime", lambda *a: dt.datetime.fromtimestamp(later).timetuple())
    second = roster.write_roster_xlsx(policy, form, tmp_path / "b.xlsx").read_bytes()
    assert first == second
    assert load_workbook(tmp_path / "b.xlsx").worksheets[0].title  # still a workbook openpyxl reads
