"""The jxjy command line: exit codes, report text, JSON valid against the result schema."""

import json

import jsonschema
import pytest

from generator.cli.main import main
from generator.policy.schema import load_schema

DEMO = "tests/fixtures/policies/demo/2020.yaml"


def test_check_prints_a_chinese_table(capsys):
    # 灵活性 is 2.5 short after the school year's end: a failed requirement exits 1
    assert main(["check", DEMO, "tests/fixtures/ledgers/demo.yaml", "--as-of", "2020-08-01"]) == 1
    out = capsys.readouterr().out
    assert "== 2019—2020学年（2019-08-01 至 2020-07-31）==" in out
    assert "合计：16.5 学分" in out
    assert "灵活性未达标，还差 2.5 学分（截止 2020年7月31日 已过）" in out
    # on the year's last day it is still running: not a failure
    assert main(["check", DEMO, "tests/fixtures/ledgers/demo.yaml", "--as-of", "2020-07-31"]) == 0
    assert "灵活性进行中，还差 2.5 学分（截止 2020年7月31日）" in capsys.readouterr().out
    assert "微课学习：8 学时 → ⌊8/3⌋ = 2 学分（二）" in out


def test_check_json_is_valid_against_the_result_schema(capsys):
    assert main(["check", DEMO, "tests/fixtures/ledgers/demo.csv", "--json", "--role", "teacher"]) in (0, 1)
    result = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(load_schema("result.schema.json")).validate(result)
    assert result["periods"]["2019-2020"]["requirements"]["annual-total"]["actual"] == "16.5"


def test_check_reports_bad_entries_and_exits_1(capsys):
    assert main(["check", DEMO, "tests/fixtures/ledgers/bad-entries.yaml"]) == 1
    err = capsys.readouterr().err
    assert "tests/fixtures/ledgers/bad-entries.yaml:4:12: 本政策没有登记项目「weeke」；是不是「weike」？ (entries[1].item)" in err


def test_check_says_the_engines_errors_in_the_readers_language(capsys):
    assert main(["--lang", "en", "check", DEMO, "tests/fixtures/ledgers/bad-entries.yaml", "--json"]) == 1
    captured = capsys.readouterr()
    assert ('tests/fixtures/ledgers/bad-entries.yaml:5:44: "微课学习" is registered by hours; leave this out '
            "(entries[2].count)") in captured.err
    result = json.loads(captured.out)  # the result document is the bundle's: Chinese whoever reads it
    assert result["errors"][1]["message"] == "「微课学习」按学时登记，不填这一项"
    assert main(["check", DEMO, "tests/fixtures/ledgers/bad.csv"]) == 1
    assert ("tests/fixtures/ledgers/bad.csv:2:3: 「abc」不是不小于 0 的数（可写 2、0.5 或 1/3） (第 2 行 学时)"
            in capsys.readouterr().err)


def test_check_rejects_a_bad_as_of(capsys):
    assert main(["check", DEMO, "tests/fixtures/ledgers/demo.yaml", "--as-of", "2020-13-01"]) == 2
    assert "不是日期" in capsys.readouterr().err


def test_validate_ok_and_missing_path(capsys):
    assert main(["validate", "tests/fixtures/policies/demo"]) == 0
    assert "通过  demo/2020" in capsys.readouterr().out
    assert main(["validate", "no/such/dir"]) == 3  # an input that cannot be read
    assert "没有这个文件或文件夹" in capsys.readouterr().err


def test_lang_en_for_one_run(capsys):
    assert main(["--lang", "en", "validate", "tests/broken/sem-zero-values"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == ["tests/broken/sem-zero-values/2020.yaml:41:29: 'per' must be greater than 0 (items[0].rule.per)",
                   "tests/broken/sem-zero-values/2020.yaml:50:31: a cap of 0 means the item never counts; "
                   "remove the item instead (items[1].caps[0].max)",
                   "2 error(s)"]
    assert main(["validate", "tests/broken/sem-zero-values"]) == 1  # --lang held for that run only
    assert capsys.readouterr().err.splitlines()[-1] == "共 2 个错误"


def test_test_command_summary_in_both_languages(capsys):
    assert main(["test", "tests/fixtures/policies/demo"]) == 0
    [summary] = capsys.readouterr().out.splitlines()
    assert summary.endswith("个用例通过，0 个未通过")
    assert main(["--lang", "en", "test", "-v", "tests/fixtures/policies/demo"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("PASS tests/fixtures/policies/demo/2020.tests.yaml:") and out[-1].endswith(" passed, 0 failed")


def test_module_entry_point_and_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "validate" in capsys.readouterr().out


def test_check_refuses_compact_and_week_dates(capsys):
    for bad in ("20200301", "2020-W10-1"):
        assert main(["check", DEMO, "tests/fixtures/ledgers/demo.yaml", "--as-of", bad]) == 2
        assert "不是日期，请写成 YYYY-MM-DD" in capsys.readouterr().err
