"""The reference engine on a small fixture policy: rules, caps, gates, periods, checks, trace."""

import json
from pathlib import Path

import jsonschema
import pytest

from generator.policy.loader import load_policy
from generator.policy.schema import load_schema
from generator.rules.engine import evaluate, shortfall_phrases


@pytest.fixture(scope="module")
def cycle_policy():
    return load_policy(Path(__file__).resolve().parent / "fixtures" / "policies" / "cycle" / "2016.yaml")


def run(policy, entries, roles=("teacher",), as_of=None, dates=None):
    ledger = {"person": {"roles": list(roles), "dates": dates or {}}, "entries": entries}
    result = evaluate(policy, ledger, as_of)
    jsonschema.Draft202012Validator(load_schema("result.schema.json")).validate(result)
    json.dumps(result)  # JSON-ready: no Fractions or dates leak out
    return result


def credited(result, period, item):
    return result["periods"][period]["items"][item]["credited"]


def test_floor_rate_counts_whole_blocks_of_the_period_sum(demo_policy):
    r = run(demo_policy, [{"item": "weike", "date": "2020-03-01", "hours": 8}])
    assert credited(r, "2019-2020", "weike") == "2"
    assert any(t["text"] == "微课学习：8 学时 → ⌊8/3⌋ = 2 学分" and t["source"] == "二" for t in r["trace"])
    r = run(demo_policy, [{"item": "weike", "date": "2020-03-01", "hours": 2},
                          {"item": "weike", "date": "2020-03-02", "hours": 2}])
    assert credited(r, "2019-2020", "weike") == "1"


def test_floor_below_one_block_is_zero(demo_policy):
    r = run(demo_policy, [{"item": "weike", "date": "2020-03-01", "hours": 2}])
    assert credited(r, "2019-2020", "weike") == "0"


def test_item_cap_per_period(demo_policy):
    r = run(demo_policy, [{"item": "weike", "date": "2020-03-01", "hours": 27}])
    item = r["periods"]["2019-2020"]["items"]["weike"]
    assert (item["raw"], item["credited"]) == ("9", "4")
    assert any("超过每学年上限 4 学分" in t["text"] for t in r["trace"])


def test_exact_halves_never_drift(demo_policy):
    entries = [{"item": "school-based", "date": "2020-03-01", "hours": "0.1", "exam_passed": True, "course": f"c{i}"}
               for i in range(3)]
    r = run(demo_policy, entries)
    assert credited(r, "2019-2020", "school-based") == "0.15"


def test_school_year_boundary(demo_policy):
    r = run(demo_policy, [{"item": "weike", "date": "2020-07-31", "hours": 3},
                          {"item": "weike", "date": "2020-08-01", "hours": 6}], as_of="2020-08-01")
    assert credited(r, "2019-2020", "weike") == "1"
    assert credited(r, "2020-2021", "weike") == "2"
    assert r["periods"]["2019-2020"]["end"] == "2020-07-31"
    assert r["periods"]["2020-2021"]["start"] == "2020-08-01"


def test_shared_cap_cuts_the_last_listed_item(demo_policy):
    r = run(demo_policy, [{"item": "reading-notes", "date": "2020-03-01", "count": 2},
                          {"item": "reflection", "date": "2020-03-01", "count": 2}])
    assert credited(r, "2019-2020", "reading-notes") == "6"
    assert credited(r, "2019-2020", "reflection") == "2"


def test_lookup_and_per_subject_and_manual(demo_policy):
    r = run(demo_policy, [{"item": "putonghua", "date": "2020-03-01", "level": "level-3a"},
                          {"item": "degree", "date": "2020-03-01", "passed": 1, "failed": 2},
                          {"item": "other", "date": "2020-03-01", "credits": "1.5"}])
    assert credited(r, "2019-2020", "putonghua") == "7"
    assert credited(r, "2019-2020", "degree") == "14"
    assert credited(r, "2019-2020", "other") == "1.5"
    assert any("人工认定 1.5 学分（校管理员认定，依据《办法》）" in t["text"] for t in r["trace"])


def test_gate_and_dedupe(demo_policy):
    r = run(demo_policy, [
        {"item": "school-based", "date": "2020-03-01", "hours": 2, "exam_passed": True, "course": "课程 A"},
        {"item": "school-based", "date": "2020-03-02", "hours": 2, "exam_passed": True, "course": "课程A"},
        {"item": "school-based", "date": "2020-03-03", "hours": 2, "exam_passed": False, "course": "课程 B"},
    ])
    item = r["periods"]["2019-2020"]["items"]["school-based"]
    assert item["credited"] == "1" and item["entries"] == [0, 1, 2]
    texts = [t["text"] for t in r["trace"]]
    assert any("重复选学" in t for t in texts) and any("考试未合格" in t for t in texts)


def test_requirements_and_shortfall_words(demo_policy):
    r = run(demo_policy, [{"item": "putonghua", "date": "2020-03-01", "level": "level-2b"},
                          {"item": "other", "date": "2020-03-01", "credits": 1}])
    reqs = r["periods"]["2019-2020"]["requirements"]
    deadline = {"date": "2020-07-31", "title": "2019—2020学年结束", "source": "一-学年", "kind": "period_end"}
    assert reqs["annual-total"] == {"id": "annual-total", "name": "年度总学分", "required": "10", "actual": "11",
                                    "met": True, "shortfall": "0", "state": "met", "deadline": deadline,
                                    "source": "一"}
    assert reqs["annual-flexible"]["met"] is False and reqs["annual-flexible"]["shortfall"] == "3"
    assert reqs["annual-flexible"]["state"] == "in_progress"  # as of the last entry's date, 2020-03-01
    assert "2019—2020学年 灵活性进行中，还差 3 学分（截止 2020年7月31日）" in shortfall_phrases(r)


def test_checks_window_and_roles(demo_policy):
    entries = [{"item": "putonghua", "date": f"{y}-03-01", "level": "level-2b"} for y in range(2016, 2021)]
    r = run(demo_policy, entries, as_of="2020-07-31")
    assert "title-evaluation" not in r["checks"]  # role missing
    five = r["checks"]["five-year"]
    assert five["periods"] == ["2015-2016", "2016-2017", "2017-2018", "2018-2019", "2019-2020"]
    assert five["met"] is True and five["requirements"]["total"]["actual"] == "50"
    r = run(demo_policy, entries, roles=("teacher", "title-applicant"), as_of="2020-08-01")
    assert r["checks"]["title-evaluation"]["requirements"]["total"]["actual"] == "40"
    assert r["checks"]["title-evaluation"]["met"] is False


def test_bad_entries_are_reported_not_dropped(demo_policy):
    r = run(demo_policy, [
        {"item": "weeke", "date": "2020-03-01", "hours": 3},
        {"item": "weike", "hours": 3},
        {"item": "weike", "date": "2020-3-1", "hours": 3},
        {"item": "weike", "date": "2020-03-01", "hours": "-3"},
        {"item": "weike", "date": "2020-03-01", "count": 3},
        {"item": "putonghua", "date": "2020-03-01", "level": "一甲"},
        {"item": "party-online", "date": "2020-03-01", "hours": 1},
        "not a mapping",
    ])
    got = [(e["entry"], e["field"], e["code"]) for e in r["errors"]]
    assert got == [(0, "item", "errors.entry.unknown_item_close"), (1, "date", "errors.entry.missing.date"),
                   (2, "date", "errors.entry.date_not_a_date"), (3, "hours", "errors.entry.not_an_amount"),
                   (4, "count", "errors.entry.not_taken.hours"), (4, "hours", "errors.entry.missing.hours"),
                   (5, "level", "errors.entry.unknown_level"), (6, "item", "errors.entry.role_only"),
                   (7, "", "errors.entry.not_an_object")]
    first = r["errors"][0]
    assert first["params"] == {"item": "weeke", "suggestion": "weike"}
    assert first["message"] == "本政策没有登记项目「weeke」；是不是「weike」？"
    assert r["errors"][6]["params"] == {"value": "一甲", "name": "普通话测试", "levels": "level-3a（三甲）、level-2b（二乙）"}
    assert r["errors"][7]["message"] == "「党员在线学习」仅限党员教师"
    assert r["errors"][8]["message"] == "这一条不是完整的记录，实际是「not a mapping」"
    assert r["periods"] == {}


def test_entries_after_as_of_are_left_out_with_a_reason(demo_policy):
    r = run(demo_policy, [{"item": "weike", "date": "2020-03-01", "hours": 3},
                          {"item": "weike", "date": "2020-05-01", "hours": 3}], as_of="2020-04-01")
    assert credited(r, "2019-2020", "weike") == "1"
    assert any("晚于评估日" in t["text"] for t in r["trace"])


def test_odd_ledgers_do_not_crash(demo_policy):
    for ledger in ({}, {"entries": None}, {"entries": "x"}, {"person": None, "entries": []}, []):
        result = evaluate(demo_policy, ledger)
        assert result["periods"] == {}


def test_evaluation_is_deterministic(demo_policy):
    entries = [{"item": "weike", "date": "2020-03-01", "hours": 5}, {"item": "other", "date": "2019-09-01", "credits": 2}]
    a = json.dumps(run(demo_policy, entries), ensure_ascii=False, sort_keys=True)
    b = json.dumps(run(demo_policy, list(reversed(entries))), ensure_ascii=False, sort_keys=True)
    assert a.replace("entries", "") != "" and json.loads(a)["periods"]["2019-2020"]["total"] == "3"
    assert json.loads(b)["periods"]["2019-2020"]["total"] == "3"


# ---------- input that is not what the schema says: reported, never raised (JS: tests/js/engine.test.mjs) ----------

def weike(date, **extra):
    return {"item": "weike", "date": date, "hours": 3, **extra}


def evaluate_checked(policy, ledger, as_of=None):
    """evaluate, and the result is valid per result.schema.json and JSON-ready."""
    result = evaluate(policy, ledger, as_of)
    jsonschema.Draft202012Validator(load_schema("result.schema.json")).validate(result)
    json.dumps(result)
    return result


def test_dates_whose_period_cannot_be_represented_are_entry_errors(demo_policy):
    r = evaluate_checked(demo_policy, {"entries": [weike("9999-08-01"), weike("0001-07-31"), weike("9999-07-31"),
                                                   weike("2020-03-01")]})
    out_of_range = "超出了可以核算的年代（周期须在公元 1 年至 9998 年之间）"
    assert r["errors"] == [
        {"entry": 0, "field": "date", "code": "errors.entry.date_out_of_range", "params": {"date": "9999-08-01"},
         "message": f"9999-08-01 {out_of_range}"},
        {"entry": 1, "field": "date", "code": "errors.entry.date_out_of_range", "params": {"date": "0001-07-31"},
         "message": f"0001-07-31 {out_of_range}"},
    ]
    assert r["as_of"] == "9999-07-31" and sorted(r["periods"]) == ["2019-2020", "9998-9999"]
    assert "input_errors" not in r


def test_an_as_of_that_is_not_a_usable_date_is_reported_and_ignored(demo_policy):
    entries = [weike("2020-03-01")]
    for as_of, code, params in [("0001-01-01", "as_of_out_of_range", {"date": "0001-01-01"}),
                                ("2020-W10-1", "as_of_not_a_date", {"value": "2020-W10-1"}),
                                ("20200301", "as_of_not_a_date", {"value": "20200301"}),
                                ("soon", "as_of_not_a_date", {"value": "soon"}),
                                (20200301, "as_of_not_a_date", {"value": "20200301"})]:
        r = evaluate_checked(demo_policy, {"entries": entries}, as_of)
        [error] = r["input_errors"]
        assert (error["field"], error["code"], error["params"]) == ("as_of", f"errors.input.{code}", params)
        assert error["message"].endswith("，按没有给出评估日期核算")
        assert r["as_of"] == "2020-03-01" and list(r["periods"]) == ["2019-2020"]
    r = evaluate_checked(demo_policy, {"entries": []}, "2020-13-01")
    assert r["as_of"] is None and r["periods"] == {} and r["input_errors"][0]["field"] == "as_of"


def test_windows_leave_out_periods_before_year_one(demo_policy):
    r = evaluate_checked(demo_policy, {"entries": [weike("0001-09-01")]}, "0001-08-01")
    assert r["as_of"] == "0001-08-01" and list(r["periods"]) == ["1-2"]
    assert r["checks"]["five-year"]["periods"] == ["1-2"]


def test_dates_are_strictly_yyyy_mm_dd(demo_policy):
    bad = ["20200301", "2020-W10-1", "2020W101", "2020-03-01 ", "2020-03-01\n", "202003011x", "٢٠٢٠-03-01", "2020-02-30"]
    r = evaluate_checked(demo_policy, {"entries": [weike(d) for d in bad] + [weike("2020-02-29")]})
    assert r["errors"] == [{"entry": n, "field": "date", "code": "errors.entry.date_not_a_date", "params": {"value": d},
                            "message": f"「{d}」不是日期，请写成 2018-03-15 这样"} for n, d in enumerate(bad)]
    assert r["as_of"] == "2020-02-29"


@pytest.mark.parametrize("person,roles,problems", [
    (5, [], [("person", "person_not_an_object", {"value": "5"})]),
    ({"roles": 5}, [], [("person.roles", "roles_not_a_list", {"value": "5"})]),
    ({"roles": "teacher"}, [], [("person.roles", "roles_not_a_list", {"value": "teacher"})]),
    ({"roles": {"teacher": True}}, [], [("person.roles", "roles_not_a_list", {"value": "{…}"})]),
    ({"roles": ["teacher", 3, None, "a", "teacher", ["x"]]}, ["a", "teacher"],
     [("person.roles[1]", "role_not_text", {"value": "3"}),
      ("person.roles[2]", "role_not_text", {"value": "null"}),
      ("person.roles[5]", "role_not_text", {"value": "[…]"})]),
    ({"roles": ["teacher"], "dates": ["2010-05-01"]}, ["teacher"],
     [("person.dates", "dates_not_an_object", {"value": "[…]"})]),
    ({"roles": None, "dates": {"title": "20100501", "other": None, "b": 5, "a": "2010-05-01"}}, [],
     [("person.dates.b", "date_not_a_date", {"name": "b", "value": "5"}),
      ("person.dates.title", "date_not_a_date", {"name": "title", "value": "20100501"})]),
    ({}, [], []),
    (None, [], []),
])
def test_bad_person_data_is_an_input_error_and_ignored(demo_policy, person, roles, problems):
    r = evaluate_checked(demo_policy, {"person": person, "entries": [weike("2020-03-01")]})
    assert r["person"]["roles"] == roles
    assert [(p["field"], p["code"].removeprefix("errors.input."), p["params"]) for p in r.get("input_errors", [])] == problems
    assert r["errors"] == [] and r["periods"]["2019-2020"]["items"]["weike"]["credited"] == "1"


def test_a_ledger_that_is_not_an_object_or_has_no_entry_list(demo_policy):
    r = evaluate_checked(demo_policy, [])
    assert r["input_errors"] == [{"field": "", "code": "errors.input.ledger_not_an_object", "params": {"value": "[…]"},
                                  "message": "台账的内容不对：应为个人信息和登记记录，实际是「[…]」"}]
    r = evaluate_checked(demo_policy, {"person": "x", "entries": "y"}, 20200101)
    assert [p["field"] for p in r["input_errors"]] == ["as_of", "person", "entries"]
    assert r["input_errors"][2]["message"] == "登记记录应为一组记录，实际是「y」"
    assert "input_errors" not in evaluate_checked(demo_policy, {"entries": None})


def test_title_cycle_with_bad_person_dates_is_not_met(cycle_policy):
    entries = [{"item": "public-course", "date": "2016-03-01", "hours": 30}]
    for dates in (["2010-05-01"], {"title": "20100501"}, "2010-05-01"):
        r = evaluate_checked(cycle_policy, {"person": {"dates": dates}, "entries": entries}, "2016-08-01")
        assert r["input_errors"][0]["field"].startswith("person.dates")
        assert r["checks"]["cycle"]["met"] is False and r["checks"]["cycle"]["periods"] == []
        assert any("缺少个人日期 title" in t["text"] for t in r["trace"])


def test_title_cycle_near_year_one(cycle_policy):
    ledger = {"person": {"dates": {"title": "0001-01-01"}},
              "entries": [{"item": "public-course", "date": "0001-03-01", "hours": 5}]}
    r = evaluate_checked(cycle_policy, ledger, "0001-12-31")
    assert r["checks"]["cycle"]["periods"] == ["1"] and r["checks"]["recent"]["periods"] == []
    r = evaluate_checked(cycle_policy, ledger, "0001-03-01")  # the window would end with year 0
    assert r["checks"]["cycle"]["periods"] == [] and r["checks"]["cycle"]["includes_until"] == {"period": "1",
                                                                                                "date": "0001-03-01"}


def test_json_floats_are_amounts_as_written(demo_policy):
    entries = [{"item": "other", "date": "2020-03-01", "credits": x} for x in (0.1, 0.2, 1e-07, 1.5, 2.0, -0.0)]
    r = evaluate_checked(demo_policy, {"entries": json.loads(json.dumps(entries))})
    assert r["errors"] == []
    assert r["periods"]["2019-2020"]["items"]["other"]["raw"] == "3.8000001"  # 0.1 + 0.2 is 0.3 here, not 0.30000000000000004
    assert any(t["text"] == "其他活动：人工认定 0.0000001 学分（校管理员认定，依据《办法》）" for t in r["trace"])
    bad = [-0.5, float("nan"), float("inf"), -1e-07]
    r = evaluate_checked(demo_policy, {"entries": [{"item": "other", "date": "2020-03-01", "credits": x} for x in bad]})
    assert [e["params"]["value"] for e in r["errors"]] == ["-0.5", "NaN", "Infinity", "-0.0000001"]  # display rule
    assert {e["code"] for e in r["errors"]} == {"errors.entry.not_an_amount"}
