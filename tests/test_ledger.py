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
        "tests/fixtures/ledgers/bad.csv:2:3: hours must be a non-negative number, got 'abc' (row 2, hours)",
        "tests/fixtures/ledgers/bad.csv:3:2: missing date (row 3, date)",
        "tests/fixtures/ledgers/bad.csv:4:3: hours must not be negative, got '-2' (row 4, hours)",
    ]


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


def test_unreadable_and_non_utf8_files():
    with pytest.raises(InputError) as exc:
        read_ledger(f"{LEDGERS}/does-not-exist.yaml")
    assert "cannot read file" in exc.value.diagnostics[0].message


def test_unknown_csv_column(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("item,date,minutes\nweike,2020-01-01,3\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_ledger(f)
    assert "unknown column 'minutes'" in exc.value.diagnostics[0].message
