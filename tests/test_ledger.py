"""Ledger files: YAML, JSON and CSV (UTF-8, BOM, GBK) read the same; bad rows are named, not dropped."""

import pytest

from generator.base.diagnostics import InputError
from generator.rules.engine import evaluate
from generator.rules.ledger import read_ledger

LEDGERS = "tests/fixtures/ledgers"


@pytest.mark.parametrize("name", ["demo.yaml", "demo.json", "demo.csv", "demo-gbk.csv", "demo-bom.csv"])
def test_every_format_gives_the_same_result(demo_policy, name):
    ledger = read_ledger(f"{LEDGERS}/{name}", {"roles": ["teacher"]})
    result = evaluate(demo_policy, ledger.data)
    assert result["errors"] == []
    period = result["periods"]["2019-2020"]
    assert {k: v["credited"] for k, v in period["items"].items()} == {
        "weike": "2", "reading-notes": "6", "putonghua": "7", "school-based": "1.5"}
    assert period["total"] == "16.5"


def test_csv_cells_are_located_by_row_and_column():
    with pytest.raises(InputError) as exc:
        read_ledger(f"{LEDGERS}/bad.csv")
    lines = [d.format() for d in exc.value.diagnostics]
    assert lines == [
        "tests/fixtures/ledgers/bad.csv:2:3: 「abc」不是不小于 0 的数（可写 2、0.5 或 1/3） (第 2 行 学时)",
        "tests/fixtures/ledgers/bad.csv:3:2: 缺少日期 (第 3 行 日期)",
        "tests/fixtures/ledgers/bad.csv:4:3: 「-2」是负数，应不小于 0 (第 4 行 学时)",
    ]
    assert [d.text("en") for d in exc.value.diagnostics][1:] == ["日期 is missing", '"-2" is negative; it must be at least 0']


def test_engine_errors_on_a_csv_row_are_placed_at_its_cell(demo_policy, tmp_path, monkeypatch):
    f = tmp_path / "x.csv"
    f.write_text("项目,日期,学时,次数\nweike,2020-03-01,3,2\nweeke,2020-03-01,3,\n", encoding="utf-8")
    ledger = read_ledger(f)
    result = evaluate(demo_policy, ledger.data)
    located = [ledger.diagnostic(e) for e in result["errors"]]
    assert [(d.line, d.column, d.path, d.code) for d in located] == [
        (2, 4, "第 2 行 次数", "errors.entry.not_taken.hours"), (3, 1, "第 3 行 项目", "errors.entry.unknown_item_close")]
    assert located[1].text("en") == 'this policy has no item "weeke"; did you mean "weike"?'
    monkeypatch.setenv("JXJY_LANG", "en")
    assert ledger.locate(0, "count").path == "row 2, 次数"


def test_yaml_schema_errors_are_located():
    with pytest.raises(InputError) as exc:
        read_ledger(f"{LEDGERS}/bad-schema.yaml")
    lines = [d.format() for d in exc.value.diagnostics]
    assert any(line.startswith("tests/fixtures/ledgers/bad-schema.yaml:3:25: 应为 YYYY-MM-DD 格式的日期")
               for line in lines)
    assert any(":4:26:" in line and "hours" in line for line in lines)
    assert any(":5:37: 未知的键「huors」；是不是「hours」？" in line for line in lines)
    english = [d.format("en") for d in exc.value.diagnostics]
    assert any(":5:37: unknown key 'huors'; did you mean 'hours'?" in line for line in english)


def test_engine_errors_map_back_to_lines(demo_policy):
    ledger = read_ledger(f"{LEDGERS}/bad-entries.yaml")
    result = evaluate(demo_policy, ledger.data)
    located = [(ledger.locate(e["entry"], e["field"]).line, e["field"]) for e in result["errors"]]
    assert located == [(4, "item"), (5, "count"), (5, "hours")]
    assert [ledger.diagnostic(e).format("en") for e in result["errors"]] == [
        f'{LEDGERS}/bad-entries.yaml:4:12: this policy has no item "weeke"; did you mean "weike"? (entries[1].item)',
        f'{LEDGERS}/bad-entries.yaml:5:44: "微课学习" is registered by hours; leave this out (entries[2].count)',
        f"{LEDGERS}/bad-entries.yaml:5:5: the hours are missing (entries[2].hours)"]


def test_input_errors_come_from_the_command_line_and_have_no_place_in_the_file(demo_policy):
    ledger = read_ledger(f"{LEDGERS}/demo.yaml", {"dates": {"title": "2020-02-30"}})
    result = evaluate(demo_policy, ledger.data, "0001-01-01")
    as_of, title = (ledger.diagnostic(e) for e in result["input_errors"])
    assert (as_of.file, as_of.code, as_of.path) == ("", "errors.input.as_of_out_of_range", "")
    assert title.format("zh") == "关键日期 title 的「2020-02-30」不是日期，请写成 2018-07-31 这样"
    assert title.format("en") == 'key date title: "2020-02-30" is not a date; write it like 2018-07-31'


def test_unreadable_and_non_utf8_files():
    with pytest.raises(InputError) as exc:
        read_ledger(f"{LEDGERS}/does-not-exist.yaml")
    assert exc.value.diagnostics[0].code == "diagnostics.ledger.no_such_file"
    assert exc.value.diagnostics[0].message == "没有这个文件"


def test_unknown_csv_column(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("item,date,minutes\nweike,2020-01-01,3\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_ledger(f)
    [d] = exc.value.diagnostics
    assert (d.line, d.column, d.code) == (1, 3, "diagnostics.ledger.unknown_column")
    assert d.message.startswith("不认识的列「minutes」；可用的列名：项目、日期、学时、")


@pytest.mark.parametrize("text,code,position", [
    ('{"entries": [\n  {"item": "weike",}\n]}', "expecting_name", (2, 20)),
    ('{"entries": [1 2]}', "expecting_comma", (1, 16)),
    ('{"entries": []} x', "extra_data", (1, 17)),
    ('{"entries": ["a\\q"]}', "bad_escape", (1, 16)),
])
def test_json_syntax_errors_are_said_in_words(tmp_path, text, code, position):
    f = tmp_path / "x.json"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_ledger(f)
    [d] = exc.value.diagnostics
    assert (d.code, (d.line, d.column)) == (f"diagnostics.ledger.json.{code}", position)
    assert d.message.startswith("JSON 语法错误：") and d.text("en").startswith("JSON syntax error: ")
