"""The engine and schema concepts the Zhengzhou, Guangzhou and Guangdong seeds needed, on small fixtures.

- make-up learning: ledger `counts_for` + policy `period.makeup` (counts or not, with the citation)
- no carry-over: `period.carry_over: false` is stated in the trace when a period exceeds its total
- a period verdict (`period.verdict`, 年度认证): passed only when every requirement is met
- relative deadlines (`timeline` kind `relative` with `offset`)
- layering a sector variant: `extends.remove` and override by id
- the title_cycle window, `min_per_period` and `periods_between` (existed, untested until now)
"""

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from generator.base.diagnostics import InputError
from generator.policy.loader import load_policy
from generator.policy.model import Offset
from generator.policy.schema import load_schema
from generator.rules.engine import evaluate, shortfall_phrases
from generator.rules.ledger import read_csv_ledger, read_ledger

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "policies"


@pytest.fixture(scope="module")
def concepts():
    return load_policy(FIXTURES / "concepts" / "2020.yaml")


@pytest.fixture(scope="module")
def layer():
    return load_policy(FIXTURES / "concepts-layer" / "2020.yaml")


@pytest.fixture(scope="module")
def cycle():
    return load_policy(FIXTURES / "cycle" / "2016.yaml")


def run(policy, entries, as_of=None, dates=None, roles=("staff",)):
    ledger = {"person": {"roles": list(roles), "dates": dates or {}}, "entries": entries}
    result = evaluate(policy, ledger, as_of)
    jsonschema.Draft202012Validator(load_schema("result.schema.json")).validate(result)
    json.dumps(result)
    return result


def texts(result, ref=None):
    return [t["text"] for t in result["trace"] if ref is None or t.get("ref") == ref]


def full_year(year, extra=()):
    """Entries meeting every concepts/2020 minimum exactly (10 = 公需 4 + 专业 4 + 选修 2)."""
    return [{"item": "public-course", "date": f"{year}-03-01", "hours": 4, "course": f"公需{year}"},
            {"item": "professional-course", "date": f"{year}-05-01", "hours": 4, "exam_passed": True},
            {"item": "elective-course", "date": f"{year}-09-01", "hours": 2}, *extra]


# ---------- make-up learning: counts_for + period.makeup ----------

def test_makeup_not_counted_is_refused_with_its_citation(concepts):
    r = run(concepts, [{"item": "professional-course", "date": "2019-06-01", "hours": 2, "exam_passed": True},
                       {"item": "professional-course", "date": "2020-04-01", "hours": 2, "exam_passed": True,
                        "counts_for": "2019"}], as_of="2020-12-31")
    assert r["errors"] == []
    item = r["periods"]["2019"]["items"]["professional-course"]
    assert item == {"raw": "2", "credited": "2", "entries": [0, 1]}
    assert r["periods"]["2019"]["requirements"]["professional"]["shortfall"] == "2"
    assert "professional-course" not in r["periods"]["2020"]["items"]  # nor does it count for its own year
    [line] = [t for t in r["trace"] if t.get("ref") == "entry:1" and "补学" in t["text"]]
    assert line == {"text": "专业课：2020-04-01 完成的补学申报计入2019年度，补学学时不计入2019年度的考核，本条不计",
                    "period": "2019", "ref": "entry:1", "source": "二"}


def test_makeup_that_counts_goes_to_the_declared_period(layer):
    r = run(layer, [{"item": "public-course", "date": "2021-02-01", "hours": 6, "course": "x", "counts_for": "2020"}],
            as_of="2021-02-01")
    assert r["periods"]["2020"]["items"]["public-course"]["credited"] == "6"
    assert r["periods"]["2020"]["requirements"]["public"]["met"] is True
    assert r["periods"]["2021"]["total"] == "0"
    assert "公需课：2021-02-01 完成的学习按申报计入2020年度" in texts(r, "entry:0")


def test_makeup_counts_still_passes_gates_and_dedupe(layer):
    r = run(layer, [{"item": "public-course", "date": "2020-03-01", "hours": 3, "course": "同一门"},
                    {"item": "public-course", "date": "2021-01-05", "hours": 3, "course": "同一门", "counts_for": "2020"},
                    {"item": "professional-course", "date": "2021-01-06", "hours": 3, "counts_for": "2020"}],
            as_of="2021-01-31")
    items = r["periods"]["2020"]["items"]
    assert items["public-course"] == {"raw": "3", "credited": "3", "entries": [0, 1]}
    assert items["professional-course"]["credited"] == "0"
    assert any("重复选学" in t for t in texts(r)) and any("考试未合格" in t for t in texts(r))


def test_counts_for_own_period_is_the_same_as_none(concepts):
    a = run(concepts, full_year(2020), as_of="2020-12-31")
    b = run(concepts, [dict(e, counts_for="2020") for e in full_year(2020)], as_of="2020-12-31")
    assert a["periods"] == b["periods"]


@pytest.mark.parametrize("value,code,message", [
    ("2021", "counts_for_later", "不能申报计入 2021：它晚于完成日期所在的周期 2020"),
    ("2019-2020", "counts_for_not_a_period", "「2019-2020」不是本政策的周期，请写成 2020 这样"),
    ("20x9", "counts_for_not_a_period", "「20x9」不是本政策的周期，请写成 2020 这样"),
    ("0000", "counts_for_not_a_period", "「0000」不是本政策的周期，请写成 2020 这样"),
])
def test_bad_counts_for_is_an_entry_error(concepts, value, code, message):
    r = run(concepts, [{"item": "elective-course", "date": "2020-03-01", "hours": 2, "counts_for": value}])
    [error] = r["errors"]
    assert (error["entry"], error["field"], error["code"]) == (0, "counts_for", f"errors.entry.{code}")
    assert error["message"] == message
    assert r["periods"] == {}


def test_counts_for_needs_a_policy_that_says_how_makeup_counts(demo_policy):
    r = evaluate(demo_policy, {"entries": [{"item": "weike", "date": "2020-03-01", "hours": 3, "counts_for": "2018-2019"}]})
    [error] = r["errors"]
    assert (error["field"], error["code"]) == ("counts_for", "errors.entry.counts_for_no_makeup")
    assert error["params"] == {"value": "2018-2019"}
    ok = evaluate(demo_policy, {"entries": [{"item": "weike", "date": "2020-03-01", "hours": 3, "counts_for": "2019-2020"}]})
    assert ok["errors"] == [] and ok["periods"]["2019-2020"]["items"]["weike"]["credited"] == "1"


def test_counts_for_outside_the_policy_range_is_an_error(tmp_path):
    policy = _variant(tmp_path, "  makeup: {counts: false, source: \"二\"}\n",
                      "  makeup: {counts: true, source: \"二\"}\n  first: \"2020-01-01\"\n")
    r = evaluate(policy, {"entries": [{"item": "elective-course", "date": "2020-02-01", "hours": 1, "counts_for": "2019"}]})
    assert [(e["field"], e["code"], e["params"]) for e in r["errors"]] == [
        ("counts_for", "errors.entry.counts_for_outside_policy", {"value": "2019", "first": "2020-01-01", "last": "…"})]


def test_ledger_schema_and_csv_carry_counts_for(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries:\n  - {item: a, date: 2021-05-01, counts_for: 2020}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_ledger(bad)
    assert any("counts_for" in d.format() for d in exc.value.diagnostics)
    csv = "项目,日期,学时,申报年度\nprofessional-course,2021-05-01,2,2020\n".encode()
    assert read_csv_ledger(csv, "x.csv").data["entries"] == [
        {"item": "professional-course", "date": "2021-05-01", "hours": 2, "counts_for": "2020"}]


# ---------- carry_over: false ----------

def test_excess_is_stated_as_not_carried_over(concepts):
    r = run(concepts, full_year(2020, [{"item": "elective-course", "date": "2020-10-01", "hours": "2.5"}])
            + full_year(2021), as_of="2021-12-31")
    [line] = [t for t in r["trace"] if t.get("ref") == "carry_over"]
    assert line == {"text": "2020年度合计 12.5 学时，超出年度总学时要求 2.5 学时；超出部分不结转下一年",
                    "period": "2020", "ref": "carry_over", "source": "一-结转"}
    assert r["periods"]["2021"]["total"] == "10"  # nothing arrived from 2020


def test_no_carry_over_line_at_or_below_the_minimum(concepts):
    r = run(concepts, full_year(2020), as_of="2020-12-31")
    assert not [t for t in r["trace"] if t.get("ref") == "carry_over"]


def test_policies_silent_on_carry_over_say_nothing(layer):
    r = run(layer, [{"item": "public-course", "date": "2020-03-01", "hours": 30, "course": "x"}], as_of="2020-12-31")
    assert layer.period.carry_over is None
    assert not [t for t in r["trace"] if t.get("ref") == "carry_over"]


# ---------- verdict ----------

def test_verdict_passes_only_when_every_requirement_is_met(concepts):
    r = run(concepts, full_year(2020), as_of="2020-12-31")
    assert r["periods"]["2020"]["verdict"] == {"name": "年度考核", "passed": True, "state": "passed", "source": "三"}
    assert "2020年度 年度考核：通过" in texts(r, "verdict")
    short = [e for e in full_year(2020) if e["item"] != "elective-course"] + [
        {"item": "public-course", "date": "2020-11-01", "hours": 2, "course": "另一门"}]
    r = run(concepts, short, as_of="2020-12-31")
    assert r["periods"]["2020"]["requirements"]["total"]["met"] is True
    assert r["periods"]["2020"]["verdict"]["passed"] is False
    # on the year's last day it is still running …
    assert r["periods"]["2020"]["verdict"]["state"] == "in_progress"
    assert texts(r, "verdict") == ["2020年度 年度考核：进行中（选修科目尚未达标（截止 2020年12月31日））"]
    assert "2020年度 选修科目进行中，还差 2 学时（截止 2020年12月31日）" in shortfall_phrases(r)
    # … and failed the day after
    r = run(concepts, short, as_of="2021-01-01")
    assert r["periods"]["2020"]["verdict"]["state"] == "failed"
    assert texts(r, "verdict")[0] == "2020年度 年度考核：不通过（选修科目未达标）"
    assert r["periods"]["2021"]["verdict"]["state"] == "in_progress"  # the as-of year has just begun
    assert "2020年度 选修科目未达标，还差 2 学时（截止 2020年12月31日 已过）" in shortfall_phrases(r)


def test_no_verdict_unless_the_policy_names_one(layer, demo_policy):
    r = run(layer, [{"item": "public-course", "date": "2020-03-01", "hours": 1, "course": "x"}])
    assert "verdict" not in r["periods"]["2020"]
    r = evaluate(demo_policy, {"entries": [{"item": "weike", "date": "2020-03-01", "hours": 3}]})
    assert "verdict" not in r["periods"]["2019-2020"]


# ---------- layering a sector variant ----------

def test_variant_removes_and_overrides_by_id(concepts, layer):
    assert [c.id for c in layer.categories] == ["public", "public-required", "professional"]
    assert [i.id for i in layer.items] == ["public-course", "professional-course"]
    assert {r.id: str(r.min) for r in layer.requirements} == {"total": "12", "public": "6", "public-required": "2",
                                                              "professional": "6"}
    assert layer.unit == "学分" and concepts.unit == "学时"
    assert layer.period.makeup.counts is True and layer.period.verdict is None
    assert layer.files[0].endswith("concepts/2020.yaml") and layer.files[1].endswith("concepts-layer/2020.yaml")
    assert layer.clause("变体").text_file == layer.clause("一").text_file
    r = run(layer, [{"item": "elective-course", "date": "2020-03-01", "hours": 2}])
    assert (r["errors"][0]["field"], r["errors"][0]["code"]) == ("item", "errors.entry.unknown_item")


# ---------- relative deadlines ----------

def test_relative_deadline_is_part_of_the_model(concepts):
    [entry] = concepts.timeline
    assert entry.kind == "relative" and entry.offset == Offset(days=30, relation="within_before", anchor="开班")


# ---------- title_cycle, min_per_period, periods_between ----------

YEARLY = [{"item": "public-course", "date": f"{y}-04-01", "hours": 4} for y in range(2012, 2017)] + \
         [{"item": "professional-course", "date": f"{y}-09-01", "hours": 6} for y in range(2012, 2016)]


def check_of(result, check_id="cycle"):
    return result["checks"][check_id]


@pytest.mark.parametrize("as_of,periods,extra", [
    ("2016-06-29", ["2013", "2014", "2015"], True),
    ("2016-06-30", ["2013", "2014", "2015"], True),  # “6月30日前” includes the 30th
    ("2016-07-01", ["2014", "2015", "2016"], False),
])
def test_title_cycle_ends_by_application_date(cycle, as_of, periods, extra):
    r = run(cycle, YEARLY, as_of=as_of, dates={"title": "2010-05-01"})
    c = check_of(r)
    assert c["periods"] == periods  # at most the latest 3
    assert ("includes_until" in c) is extra
    assert c["requirements"]["total"]["required"] == "30"


def test_title_cycle_starts_with_the_title_year(cycle):
    r = run(cycle, YEARLY, as_of="2016-08-01", dates={"title": "2015-11-20"})
    c = check_of(r)
    assert c["periods"] == ["2015", "2016"]
    assert c["requirements"]["total"]["required"] == "20"
    assert c["requirements"]["public"]["required"] == "4"  # only 2015 lies within 2014–2015
    assert "周期验证：现职称取得于 2015-11-20，申请日期 2016-08-01，验证周期为 2015年度、2016年度" in texts(r, "check:cycle")


def test_application_year_entries_before_the_date_count(cycle):
    entries = YEARLY + [{"item": "professional-course", "date": "2016-05-01", "hours": 5},
                        {"item": "professional-course", "date": "2016-06-01", "hours": 7}]
    r = run(cycle, entries, as_of="2016-05-15", dates={"title": "2010-05-01"})
    c = check_of(r)
    assert c["includes_until"] == {"period": "2016", "date": "2016-05-15"}
    # 2013–2015: 3 × (4 + 6) = 30, plus 2016 before 05-15: 4 + 5 = 9
    assert c["requirements"]["total"]["actual"] == "39"
    assert "周期验证：申请当年（2016年度）申请日前完成的 9 学时 一并计入" in texts(r, "check:cycle")
    assert any("2016-06-01 的记录晚于评估日 2016-05-15" in t for t in texts(r))
    # without count_current_before_as_of the application year does not count at all
    c2 = check_of(r, "cycle-no-current")
    assert c2["periods"] == ["2013", "2014", "2015"] and "includes_until" not in c2
    assert c2["requirements"]["total"]["actual"] == "30"


def test_min_per_period_and_periods_between(cycle):
    r = run(cycle, YEARLY, as_of="2016-05-15", dates={"title": "2010-05-01"})
    reqs = check_of(r)["requirements"]
    assert reqs["total"]["required"] == "30"  # 3 periods × 10
    assert reqs["public"]["required"] == "8"  # 2014 and 2015 × 4; 2013 lies outside 2014–2015
    assert reqs["public"]["actual"] == "16"  # measured over the whole window, plus the 2016 entries before 05-15
    assert "周期总学时：3 个周期 × 10 = 30 学时" in texts(r, "check:cycle:total")
    assert "公需科目：2 个周期 × 4 = 8 学时" in texts(r, "check:cycle:public")


def test_title_cycle_without_the_date_cannot_pass(cycle):
    r = run(cycle, YEARLY, as_of="2016-05-15")
    assert check_of(r)["met"] is False and check_of(r)["periods"] == []
    assert "周期验证：缺少个人日期 title，无法确定验证周期" in texts(r)


def test_title_cycle_with_no_whole_year_cannot_pass(cycle):
    r = run(cycle, YEARLY, as_of="2016-05-15", dates={"title": "2016-02-01"})
    c = check_of(r)
    assert c["periods"] == [] and c["met"] is False


def test_last_periods_with_min_per_period(cycle):
    r = run(cycle, YEARLY, as_of="2016-05-15")
    c = check_of(r, "recent")
    assert c["periods"] == ["2014", "2015"]  # end: previous
    assert c["requirements"]["total"]["required"] == "20" and c["requirements"]["total"]["actual"] == "20"
    assert c["met"] is True


# ---------- validator: the new concepts' semantic checks ----------

def _variant(tmp_path: Path, old: str, new: str):
    """concepts/2020 with one edit, loaded from a temporary policies tree."""
    text = (FIXTURES / "concepts" / "2020.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (tmp_path / "concepts").mkdir(exist_ok=True)
    (tmp_path / "sources").mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "sources" / "concepts.txt", tmp_path / "sources" / "concepts.txt")
    path = tmp_path / "concepts" / "2020.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_policy(path)


def _errors(tmp_path: Path, old: str, new: str) -> list[str]:
    with pytest.raises(InputError) as exc:
        _variant(tmp_path, old, new)
    return [d.text("en") for d in exc.value.diagnostics]  # the English twin: these read as the checks they test


def test_validator_refuses_carry_over_true(tmp_path):
    [msg] = _errors(tmp_path, "carry_over: false", "carry_over: true")
    assert "carry_over: true is not supported" in msg


def test_validator_wants_the_carry_over_clause(tmp_path):
    [msg] = _errors(tmp_path, "  carry_over_source: \"一-结转\"\n", "")
    assert "carry_over needs carry_over_source" in msg


def test_validator_checks_the_makeup_citation(tmp_path):
    [msg] = _errors(tmp_path, "makeup: {counts: false, source: \"二\"}", "makeup: {counts: false, source: \"十\"}")
    assert "source '十' is not a clause id" in msg


def test_validator_wants_requirements_for_a_verdict(tmp_path):
    text = (FIXTURES / "concepts" / "2020.yaml").read_text(encoding="utf-8")
    reqs = text[text.index("requirements:\n"):text.index("timeline:\n")]
    msgs = _errors(tmp_path, reqs, "")
    assert any("a verdict passes when every requirement is met" in m for m in msgs)


def test_validator_relative_deadline_has_no_date(tmp_path):
    [msg] = _errors(tmp_path, "    kind: relative\n", "    kind: relative\n    date: \"2020-01-01\"\n")
    assert "a relative deadline counts days from its anchor; remove 'date'" in msg


def test_schema_relative_deadline_needs_an_offset_and_only_it_has_one(tmp_path):
    msgs = _errors(tmp_path, "    offset: {days: 30, relation: within_before, anchor: 开班}\n", "")
    assert any("offset" in m for m in msgs)
    msgs = _errors(tmp_path, "    kind: relative\n", "    kind: deadline\n    date: \"2020-01-01\"\n")
    assert msgs
    msgs = _errors(tmp_path, "days: 30,", "days: 0,")
    assert msgs


def test_validator_checks_the_title_cycle_cutoff(tmp_path):
    text = (FIXTURES / "cycle" / "2016.yaml").read_text(encoding="utf-8")
    text = text.replace('cutoff: "06-30", count', 'cutoff: "02-30", count')
    (tmp_path / "cycle").mkdir()
    (tmp_path / "sources").mkdir()
    shutil.copy(FIXTURES / "sources" / "cycle.txt", tmp_path / "sources" / "cycle.txt")
    (tmp_path / "cycle" / "2016.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_policy(tmp_path / "cycle" / "2016.yaml")
    [diag] = exc.value.diagnostics
    assert "'02-30' is not a real day" in diag.text("en")
    assert diag.code == "diagnostics.schema.not_a_real_day" and "「02-30」不是真实的日子" in diag.message
