"""Rule prose is generated from the rule data: every rule type, cap scope, gate, dedupe and role."""

from pathlib import Path

import pytest

from generator.policy.loader import merged_document
from generator.policy.model import Offset, Window
from generator.rules import prose as rt
from tests.variants import DEMO, variant

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _variant(demo_policy, **changes):
    """The demo policy with top-level keys or single items replaced (no file needed)."""
    items = changes.pop("items", {})

    def mutate(data):
        for item_id, fields in items.items():
            for it in data["items"]:
                if it["id"] == item_id:
                    it.update(fields)
                    break
            else:
                data["items"].append({"id": item_id, **fields})
        data.update(changes)

    return variant(mutate)


def sentence(policy, item_id):
    return rt.rule_sentence(policy, policy.item(item_id))


def test_rate_floor_with_period_cap_reads_like_the_notice(demo_policy):
    assert sentence(demo_policy, "weike") == (
        "每满 3 学时计 1 学分，不足 3 学时不计（按每学年合计计算）；每学年最多 4 学分")


def test_per_occurrence_with_own_and_shared_caps(demo_policy):
    assert sentence(demo_policy, "reading-notes") == (
        "每篇计 3 学分；每学年最多 6 学分；与「自学反思」合计每学年最多 8 学分")
    assert sentence(demo_policy, "reflection") == "每篇计 2 学分；与「读书笔记」合计每学年最多 8 学分"


def test_lookup_lists_every_level_with_its_value(demo_policy):
    assert sentence(demo_policy, "putonghua") == "按等级计：三甲 7 学分，二乙 10 学分"


def test_exact_rate_with_gate_and_dedupe(demo_policy):
    assert sentence(demo_policy, "school-based") == "每学时计 0.5 学分；考试合格后方可计入；同一课程只计一次"


def test_per_subject_manual_and_roles(demo_policy):
    assert sentence(demo_policy, "degree") == "每及格一科计 10 学分，不及格一科计 2 学分"
    assert sentence(demo_policy, "other") == "由校管理员认定学分，依据《办法》"
    assert sentence(demo_policy, "party-online") == "每学时计 1 学分；仅限党员教师"


def test_multiplier_fixed_and_fractional_numbers(demo_policy):
    p = _variant(demo_policy, items={
        "lecturer": {"name": "讲课", "category": "normative", "input": "hours", "source": "二",
                     "rule": {"type": "multiplier", "factor": 4}},
        "exam": {"name": "考试", "category": "normative", "input": "none", "source": "二",
                 "rule": {"type": "fixed", "value": 20}},
        "thirds": {"name": "三分", "category": "normative", "input": "half_days", "source": "二",
                   "rule": {"type": "rate", "per": 2, "value": "1/3", "rounding": "exact"}},
    })
    assert sentence(p, "lecturer") == "按学时数的 4 倍计学分"
    assert sentence(p, "exam") == "每项计 20 学分"
    assert sentence(p, "thirds") == "每 2 半天计 1/3 学分，不足部分按比例折算"


def test_cap_scopes_cycle_and_ever_and_dedupe_scopes(demo_policy):
    p = _variant(demo_policy, items={
        "weike": {"caps": [{"per": "cycle", "max": 20, "source": "二"}, {"per": "ever", "max": "40.5", "source": "二"}],
                  "dedupe": {"by": "course", "scope": "period", "source": "二"}},
    })
    assert sentence(p, "weike") == (
        "每满 3 学时计 1 学分，不足 3 学时不计（按每学年合计计算）；每个考核周期（5 个学年）最多 20 学分；"
        "累计最多 40.5 学分；同一课程每学年只计一次")


def test_calendar_year_and_hours_unit_change_the_words(demo_policy):
    p = _variant(demo_policy, unit="学时", period={"kind": "calendar_year", "source": "一"})
    assert sentence(p, "weike") == "每满 3 学时计 1 学时，不足 3 学时不计（按每年合计计算）；每年最多 4 学时"
    assert rt.period_phrase(p) == "自然年：1月1日至12月31日"
    assert rt.requirement_sentence(p, p.requirements[0]) == "每年总学时不少于 10 学时"
    assert rt.cycle_phrase(p) == "5 年为一个考核周期"
    assert rt.check_window_phrase(p, Window(kind="last_periods", count=5)) == "最近 5 年（含本年度）"
    assert rt.check_window_phrase(p, Window(kind="title_cycle", max_periods=5, cutoff="06-30", date="t")) == (
        "取得现职称以来、至多最近 5 年；申请日期在每年6月30日及以前的，统计到上一年为止")


def test_count_rate_uses_the_items_measure_word(demo_policy):
    p = _variant(demo_policy, items={
        "digital": {"name": "数字学校", "category": "normative", "input": "count", "count_unit": "个课程",
                    "source": "二", "rule": {"type": "rate", "per": 3, "value": 1, "rounding": "floor"}},
    })
    assert sentence(p, "digital").startswith("每满 3 个课程计 1 学分，不足 3 个课程不计")


def test_requirements_and_check_windows(demo_policy):
    assert [rt.requirement_sentence(demo_policy, r) for r in demo_policy.requirements] == [
        "每学年总学分不少于 10 学分", "每学年规范性培训不少于 6 学分", "每学年灵活性培训不少于 4 学分"]
    five = demo_policy.checks[0]
    assert rt.check_window_phrase(demo_policy, five.window) == "最近 5 个学年（含本学年）"
    assert rt.check_window_phrase(demo_policy, Window(kind="last_periods", count=3, end="previous")) == \
        "本学年之前的 3 个学年"
    assert rt.check_window_phrase(demo_policy, Window(kind="all")) == "全部登记记录，不限学年"
    title = Window(kind="title_cycle", max_periods=5, cutoff="03-31", date="title", count_current_before_as_of=True)
    assert rt.check_window_phrase(demo_policy, title) == (
        "取得现职称以来、至多最近 5 个学年；申请日期在每年3月31日及以前的，统计到上一学年为止，"
        "申请当年申请日前完成的也计入")
    assert rt.check_requirement_sentence(demo_policy, five.requirements[0]) == "总学分不少于 50 学分"


def test_min_per_period_and_periods_between(demo_policy):
    checks = merged_document(DEMO)["checks"]
    checks[0]["requirements"] = [{"id": "pub", "name": "公需", "of": {"items": ["weike", "reflection"]},
                                  "min_per_period": 24, "periods_between": {"from": 2012, "to": 2015},
                                  "source": "八"}]
    p = _variant(demo_policy, checks=checks)
    assert rt.check_requirement_sentence(p, p.checks[0].requirements[0]) == (
        "「微课学习」、「自学反思」合计每学年不少于 24 学分（按统计的学年数累加）；只统计 2012—2015 年开始的学年")


def test_period_cycle_and_dates(demo_policy):
    assert rt.period_phrase(demo_policy) == "学年：每年8月1日至次年7月31日"
    assert rt.cycle_phrase(demo_policy) == "5 个学年为一个考核周期"
    assert rt.format_date("2018-06-20") == "2018年6月20日"
    assert rt.format_date("2018-11") == "2018年11月"
    assert rt.date_range("2018-09-01", "2018-10-31") == "2018年9月1日至2018年10月31日"
    assert rt.offset_phrase(Offset(days=30, relation="within_before", anchor="开班")) == "开班前 30 日内"


@pytest.mark.parametrize("path", sorted(p for p in (Path(__file__).resolve().parent.parent / "policies").glob("*/*.yaml")
                                        if not p.name.endswith(".tests.yaml")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_real_item_has_prose(path):
    """Every item of every policy renders (no rule type or field the prose does not know)."""
    from generator.base.diagnostics import InputError
    from generator.policy.loader import load_policy

    try:
        policy = load_policy(path)
    except InputError:
        pytest.skip("policy being edited is invalid right now; test_site_build fails on it")
    for item in policy.items:
        text = rt.rule_sentence(policy, item)
        assert text and "{" not in text and "None" not in text, (item.id, text)
