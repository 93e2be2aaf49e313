"""Issue 13: time and truth in every verdict — editions in force, periods still running, deadlines from the
policy, every unit a notice allows, nothing silently zero, verifiable results."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from generator.cli.main import main
from generator.outputs.bundle import bundle_document, dumps, sha256, write_bundles
from generator.policy.loader import load_policy
from generator.policy.schema import load_schema
from generator.rules.engine import default_as_of, edition_in_force, evaluate
from generator.rules.verify import canonical, normal_code, verification_code

ROOT = Path(__file__).resolve().parent.parent
EDITIONS = ROOT / "tests" / "fixtures" / "policies" / "editions"


@pytest.fixture(scope="module")
def chengdu():
    return load_policy(ROOT / "policies" / "chengdu-teachers" / "2018.yaml")


@pytest.fixture(scope="module")
def shuangliu():
    return load_policy(ROOT / "policies" / "shuangliu-teachers" / "2018.yaml")


@pytest.fixture(scope="module")
def zhengzhou():
    return load_policy(ROOT / "policies" / "zhengzhou-education" / "2021.yaml")


@pytest.fixture(scope="module")
def guangdong():
    return load_policy(ROOT / "policies" / "guangdong" / "2018.yaml")


def _valid(result: dict) -> dict:
    jsonschema.Draft202012Validator(load_schema("result.schema.json")).validate(result)
    return result


# ---------- 1. editions in force ----------

def test_the_evaluation_date_defaults_into_the_editions_window(chengdu):
    assert default_as_of(chengdu, dt.date(2026, 11, 30)) == dt.date(2018, 11, 30)  # review ran to 11-30
    assert default_as_of(chengdu, dt.date(2016, 1, 1)) == dt.date(2017, 8, 1)
    assert default_as_of(chengdu, dt.date(2018, 3, 1)) == dt.date(2018, 3, 1)


def test_a_date_or_entries_outside_the_window_are_named_and_no_deadline_is_invented(chengdu):
    r = _valid(evaluate(chengdu, {"entries": [{"item": "school-based-training", "date": "2026-05-10", "hours": 4}]},
                        "2026-11-30"))
    codes = [n["code"] for n in r["notices"]]
    assert codes == ["notice.as_of_after", "notice.entries_after"]
    assert "晚于本版本适用期（至 2018-11-30）" in r["notices"][0]["message"]
    period = r["periods"]["2025-2026"]
    assert period["in_force"] is False
    assert all(req["deadline"] is None for req in period["requirements"].values())  # no made-up 截止
    assert "截止" not in json.dumps([t["text"] for t in r["trace"] if t.get("period") == "2025-2026"],
                                    ensure_ascii=False)
    assert "2026-2027" not in r["periods"]  # the as-of period is one the edition governs, not 2026—2027
    assert r["entries"][0]["reasons"][0]["code"] == "reasons.outside_window"


def test_the_edition_in_force_on_a_date_is_chosen(capsys, tmp_path):
    editions = [load_policy(EDITIONS / "2020.yaml"), load_policy(EDITIONS / "2021.yaml")]
    assert edition_in_force(editions, dt.date(2020, 6, 1)).edition == "2020"
    assert edition_in_force(editions, dt.date(2021, 6, 1)).edition == "2021"
    assert edition_in_force(editions, dt.date(2030, 1, 1)).edition == "2021"  # after every window: the latest
    assert edition_in_force(editions, dt.date(2010, 1, 1)).edition == "2020"
    ledger = tmp_path / "ledger.yaml"
    ledger.write_text('entries:\n  - {item: training, date: "2020-06-01", hours: 9}\n', encoding="utf-8")
    assert main(["check", str(EDITIONS), str(ledger), "--as-of", "2020-12-01", "--no-trace"]) == 0
    out, err = capsys.readouterr()
    assert "按评估日 2020-12-01 选用 editions/2020" in err
    assert "年度总学时  8     9     达标" in out  # 2020's minimum, 8
    assert main(["check", str(EDITIONS), str(ledger), "--as-of", "2021-06-30", "--no-trace"]) == 1
    out, err = capsys.readouterr()
    assert "选用 editions/2021" in err
    assert "2020年度有 1 条记录早于本版本适用期（2021-01-01 起）" in out


# ---------- 2. periods in progress, 3. deadlines from the policy ----------

def _zhengzhou_short(zhengzhou, as_of):
    return _valid(evaluate(zhengzhou, {"entries": [{"item": "professional-city", "date": "2021-03-01", "hours": 10,
                                                     "exam_passed": True}]}, as_of))


def test_zhengzhou_runs_until_the_annual_review_of_december_20_not_the_years_end(zhengzhou):
    req = _zhengzhou_short(zhengzhou, "2021-12-20")["periods"]["2021"]["requirements"]["annual-total"]
    assert req["state"] == "in_progress"
    assert req["deadline"]["date"] == "2021-12-20" and req["deadline"]["kind"] == "timeline"
    r = _zhengzhou_short(zhengzhou, "2021-12-21")  # 年终结转期: no reviews any more, the year is lost
    assert r["periods"]["2021"]["requirements"]["annual-total"]["state"] == "failed"
    text = [t["text"] for t in r["trace"] if t.get("ref") == "requirement:annual-total"][0]
    assert text.endswith("未达标，还差 80 学时（截止 2021年12月20日 已过）")


def test_three_months_into_a_year_the_verdict_is_in_progress(guangdong):
    r = _valid(evaluate(guangdong, {"entries": [{"item": "public-online", "date": "2019-02-01", "hours": 18}]},
                        "2019-03-31"))
    verdict = r["periods"]["2019"]["verdict"]
    assert verdict["state"] == "in_progress" and verdict["passed"] is False
    assert "不通过" not in json.dumps(r["trace"], ensure_ascii=False)


def test_chengdu_shortfalls_name_the_registration_deadline_and_its_clause(chengdu):
    r = _valid(evaluate(chengdu, {"entries": [{"item": "school-based-training", "date": "2018-03-01", "hours": 4}]},
                        "2018-05-01"))
    deadline = r["periods"]["2017-2018"]["requirements"]["annual-total"]["deadline"]
    assert deadline == {"date": "2018-07-31", "title": "2017～2018学年度学分登记截止", "source": "三(三)2",
                        "kind": "timeline"}


def test_shuangliu_uses_the_schools_own_slot_when_the_school_is_known(shuangliu):
    ledger = {"person": {"school": "永安中学"},
              "entries": [{"item": "school-based-training", "date": "2018-03-01", "hours": 4}]}
    r = _valid(evaluate(shuangliu, ledger, "2018-09-01"))
    deadline = r["periods"]["2017-2018"]["requirements"]["annual-total"]["deadline"]
    assert deadline["date"] == "2018-09-12" and deadline["kind"] == "school_slot"
    assert "永安中学" in deadline["title"] and deadline["source"] == "双流-附件2"
    assert r["periods"]["2017-2018"]["requirements"]["annual-total"]["state"] == "in_progress"
    # a school not on the schedule: the city's registration deadline
    ledger["person"]["school"] = "不在表上的学校"
    r = evaluate(shuangliu, ledger, "2018-09-01")
    assert r["periods"]["2017-2018"]["requirements"]["annual-total"]["deadline"]["kind"] == "timeline"


# ---------- 4. every unit a notice allows ----------

def test_guangdong_days_are_converted_at_six_hours_with_the_clause(guangdong, tmp_path, capsys):
    r = _valid(evaluate(guangdong, {"entries": [{"item": "professional-class", "date": "2018-11-20", "days": 2}]},
                        "2019-01-01"))
    assert r["errors"] == []
    assert r["periods"]["2018"]["items"]["professional-class"]["credited"] == "12"
    line = next(t for t in r["trace"] if "× 6 = 12 学时" in t["text"])
    assert line["source"] == guangdong.conversions[0].source
    both = evaluate(guangdong, {"entries": [{"item": "professional-class", "date": "2018-11-20", "days": 2,
                                             "hours": 12}]}, "2019-01-01")
    assert [e["code"] for e in both["errors"]] == ["errors.entry.both_units"]
    csv = tmp_path / "ledger.csv"
    csv.write_text("item,date,days\nprofessional-class,2018-11-20,1.5\n", encoding="utf-8")
    assert main(["check", "guangdong/2018", str(csv), "--as-of", "2019-01-01", "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["errors"] == [] and result["periods"]["2018"]["items"]["professional-class"]["credited"] == "9"


# ---------- 5. nothing silently zero ----------

def test_every_entry_that_counts_less_says_why(zhengzhou, chengdu):
    r = _valid(evaluate(zhengzhou, {"entries": [
        {"item": "public-elective-course", "date": "2021-04-28", "hours": 10},  # no exam passed
        {"item": "professional-city", "date": "2021-05-18", "hours": 8, "exam_passed": True, "counts_for": "2020"},
        {"item": "professional-city", "date": "2022-01-05", "hours": 8, "exam_passed": True},  # after as_of
        {"item": "no-such-item", "date": "2021-01-05", "hours": 8},
    ]}, "2021-12-20"))
    statuses = [(e["status"], [x["code"] for x in e["reasons"]]) for e in r["entries"]]
    assert statuses[0] == ("not_counted", ["reasons.gate"])
    assert statuses[1][0] == "not_counted" and "reasons.makeup_not_counted" in statuses[1][1]
    assert statuses[2] == ("not_counted", ["reasons.after_as_of"])
    assert statuses[3] == ("refused", ["reasons.error"])
    r = evaluate(chengdu, {"entries": [{"item": "reading-notes", "date": "2018-03-01", "count": 3}]}, "2018-05-01")
    capped = r["entries"][0]
    assert capped["status"] == "reduced" and capped["reasons"][0]["code"] == "reasons.capped"
    assert "只计 8 学分" in capped["reasons"][0]["message"]


def test_the_report_lists_each_entry_that_lost_something(capsys):
    assert main(["check", "zhengzhou-education/2021", "examples/zhengzhou-education-sample.yaml", "--as-of",
                 "2021-12-20", "--no-trace"]) == 1
    out = capsys.readouterr().out
    assert "== 未计入或少计的记录 ==" in out
    assert "第 5 条 公需科目选修课 2021-04-28：考试未合格（或未注明合格），不计入" in out


# ---------- 7. verifiable results ----------

def test_results_carry_edition_revision_bundle_hash_and_engine(chengdu):
    digest = sha256(dumps(bundle_document(chengdu)))
    r = _valid(evaluate(chengdu, {"entries": []}, "2018-05-01", bundle_sha256=digest))
    assert r["format"] == "jxjy-result/2" and r["engine"] == "jxjy-engine/2"
    assert r["policy"]["revision"] == chengdu.revision.number == 1
    assert r["bundle_sha256"] == digest


def test_each_revision_has_its_own_immutable_bundle_url(chengdu, tmp_path):
    write_bundles([chengdu], tmp_path)
    index = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    entry = index["bundles"][0]
    assert entry["revision"] == 1 and entry["revision_url"] == "chengdu-teachers/2018.r1.json"
    assert (tmp_path / entry["revision_url"]).read_bytes() == (tmp_path / entry["url"]).read_bytes()
    assert entry["in_force"]["from"] == "2017-08-01"
    assert index["format_version"] == "2.0"


def test_schema_ids_are_not_example_org():
    for schema in (ROOT / "schemas").glob("*.schema.json"):
        assert json.loads(schema.read_text(encoding="utf-8"))["$id"].startswith("urn:jxjy:schema:")


def test_the_verification_code_names_ledger_rules_and_date():
    ledger = {"person": {"name": "王"}, "entries": [{"item": "a", "date": "2020-01-01", "hours": 1.5}]}
    code = verification_code(ledger, "0" * 64, "2020-07-31")
    assert len(code) == 14 and code.count("-") == 2
    assert verification_code(json.loads(json.dumps(ledger)), "0" * 64, "2020-07-31") == code
    assert verification_code(ledger, "1" * 64, "2020-07-31") != code
    assert verification_code(ledger, "0" * 64, "2020-08-01") != code
    ledger["entries"][0]["hours"] = 2
    assert verification_code(ledger, "0" * 64, "2020-07-31") != code
    assert normal_code(code.lower().replace("-", " ")) == code
    assert canonical({"b": 1.0, "a": [1e-7, 1e21, "学"]}) == '{"a":[0.0000001,1000000000000000000000,"学"],"b":1}'


def test_jxjy_verify_recomputes_the_printed_code(capsys, tmp_path):
    ledger = tmp_path / "ledger.json"
    ledger.write_text(json.dumps({"person": {"name": "赵老师"}, "entries": [
        {"item": "school-based-training", "date": "2018-03-01", "hours": 4.5}]}, ensure_ascii=False), encoding="utf-8")
    main(["check", "chengdu-teachers/2018", str(ledger), "--as-of", "2018-05-01", "--no-trace"])
    out = capsys.readouterr().out
    code = out.split("校验码：")[1].split("（")[0]
    assert main(["verify", "chengdu-teachers/2018", str(ledger), code.lower(), "--as-of", "2018-05-01"]) == 0
    assert "相符" in capsys.readouterr().out
    assert main(["verify", "chengdu-teachers/2018", str(ledger), code, "--as-of", "2018-05-02"]) == 1
    assert "校验码不符" in capsys.readouterr().err
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("4.5", "45"), encoding="utf-8")
    assert main(["verify", "chengdu-teachers/2018", str(ledger), code, "--as-of", "2018-05-01"]) == 1


# ---------- the site ----------

@pytest.mark.slow
def test_edition_pages_say_when_they_apply_and_what_follows(built_site):
    page = (built_site.site_dir / "editions" / "2020" / "index.html")
    if not page.exists():
        page = next(p for p in built_site.site_dir.rglob("index.html") if "/editions/2020/" in p.as_posix())
    text = page.read_text(encoding="utf-8")
    assert "本版本适用于 2020年1月1日至2020年12月31日的记录" in text
    assert "之后请看" in text and "示例年度通知（2021）" in text


def test_a_roster_in_days_is_read_where_the_policy_converts_days(tmp_path):
    """A roster whose amount column is in 天 for an item taken in 学时, under a policy that converts 1 天 = 6 学时."""
    from openpyxl import load_workbook

    from generator.outputs.forms import roster
    from generator.outputs.forms.statement import find_form
    from tests.variants import variant

    def in_days(data: dict) -> None:
        data["conversions"] = [{"from": "天", "to": "学时", "factor": 6, "source": data["items"][0]["source"]}]
        form = next(f for f in data["forms"] if f["id"] == "roster")
        columns = form["sections"][0]["columns"]
        columns[:] = [dict(c, id="days", label="天数") if c["id"] == "hours" else c for c in columns
                      if c["id"] != "credits"]

    policy = variant(in_days, ROOT / "tests" / "fixtures" / "policies" / "forms-demo" / "2020.yaml")
    path = roster.write_roster_xlsx(policy, find_form(policy, "roster"), tmp_path / "roster.xlsx")
    wb = load_workbook(path)
    meta = json.loads(wb[roster.META_SHEET].cell(1, 2).value)
    ws = wb.worksheets[0]
    for column, value in {"name": "王小明", "stage": "初中", "days": 1.5}.items():
        ws.cell(meta["first_data_row"], meta["columns"].index(column) + 1, value)
    wb.save(path)
    result = roster.import_roster(policy, path, "roster", date="2020-12-01")
    assert result.errors == []
    assert result.entries[0]["days"] == "1.5" and "hours" not in result.entries[0]
    credited = evaluate(policy, result.ledgers(policy)[0])["periods"]["2020-2021"]["items"]["school-based"]
    assert credited["credited"] == "4.5"  # 1.5 天 × 6 = 9 学时 × 0.5
