"""The reference engine on a small fixture policy: rules, caps, gates, periods, checks, trace."""

import json

import jsonschema

from generator.engine import evaluate, shortfall_phrases
from generator.schema_check import load_schema


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
    assert reqs["annual-total"] == {"id": "annual-total", "name": "年度总学分", "required": "10", "actual": "11",
                                    "met": True, "shortfall": "0", "source": "一"}
    assert reqs["annual-flexible"]["met"] is False and reqs["annual-flexible"]["shortfall"] == "3"
    assert "2019—2020学年 灵活性还差 3 学分" in shortfall_phrases(r)


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
    got = {(e["entry"], e["field"]) for e in r["errors"]}
    assert got == {(0, "item"), (1, "date"), (2, "date"), (3, "hours"), (4, "count"), (4, "hours"), (5, "level"),
                   (6, "item"), (7, "")}
    assert "did you mean 'weike'" in r["errors"][0]["message"]
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
