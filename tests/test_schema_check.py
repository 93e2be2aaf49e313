"""Schema errors as a policy author reads them: located, plain, with a suggestion, all at once."""

import copy
from pathlib import Path

import pytest

from generator.policy.loader import POLICY_SCHEMA, load_policy
from generator.policy.schema import schema_diagnostics
from generator.policy.source import load_yaml, parse_yaml

DEMO = "tests/fixtures/policies/demo/2020.yaml"


@pytest.fixture(scope="module")
def demo_text() -> str:
    return (Path(__file__).resolve().parent / "fixtures" / "policies" / "demo" / "2020.yaml").read_text(encoding="utf-8")


def check(text: str, lang: str = "en") -> list[str]:
    """The schema's diagnostics as printed, in English here (tests/broken holds the Chinese)."""
    return [d.format(lang) for d in schema_diagnostics(parse_yaml(text, "p.yaml"), POLICY_SCHEMA)]


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_demo_policy_validates_clean():
    assert schema_diagnostics(load_yaml(DEMO), POLICY_SCHEMA) == []
    policy = load_policy(DEMO)
    assert policy.key == "demo/2020"


def test_misspelt_key_gets_did_you_mean_at_the_key_and_no_missing_key_echo(demo_text):
    text = edit(demo_text, "    name: 微课学习\n    category: normative", "    name: 微课学习\n    catgory: normative")
    assert check(text) == ["p.yaml:39:5: unknown key 'catgory'; did you mean 'category'? (items[0].catgory)"]


def test_unknown_key_without_a_close_match_lists_the_allowed_keys(demo_text):
    text = edit(demo_text, "rule: {type: per_occurrence, value: 2}", "rule: {type: per_occurrence, value: 2, step: 1}")
    assert check(text) == ["p.yaml:57:44: unknown key 'step'; allowed keys: type, value (items[2].rule.step)"]


def test_enum_typo_gets_did_you_mean_at_the_value(demo_text):
    text = edit(demo_text, "rule: {type: rate, per: 3,", "rule: {type: rat, per: 3,")
    [message] = check(text)
    assert message.startswith("p.yaml:41:18: text 'rat' is not allowed here; expected one of: rate, per_occurrence")
    assert message.endswith("did you mean 'rate'? (items[0].rule.type)")


@pytest.mark.parametrize("written", ["2020-5-1", "2020/05/01", "20200501"])
def test_date_format_message(demo_text, written):
    text = edit(demo_text, "issued: 2020-05-01", f"issued: {written}")
    got = f"number {written}" if written.isdigit() else f"text '{written}'"
    assert check(text) == [f"p.yaml:6:61: expected a date written YYYY-MM-DD (e.g. 2018-07-31), got {got} (document.issued)"]


def test_dates_must_be_on_the_calendar(demo_text):
    text = edit(demo_text, "issued: 2020-05-01", "issued: 2019-02-29")
    text = edit(text, 'start: "08-01"', 'start: "04-31"')
    assert check(text) == [
        "p.yaml:6:61: '2019-02-29' is not a real date: 2019-02 has only 28 days (document.issued)",
        "p.yaml:24:36: '04-31' is not a real day: month 04 has only 30 days (period.start)",
    ]
    assert check(edit(demo_text, "issued: 2020-05-01", "issued: 2020-02-29")) == []  # a leap year


def test_month_day_must_be_quoted_mm_dd(demo_text):
    text = edit(demo_text, 'start: "08-01"', "start: 8-1")
    assert check(text) == ["p.yaml:24:36: expected a quoted month-day \"MM-DD\" (e.g. \"08-01\"), got text '8-1' (period.start)"]


def test_every_error_is_reported_at_once(demo_text):
    text = edit(demo_text, "title: 示例政策\n", "")
    text = edit(text, 'caps: [{per: period, max: 4, source: "二"}]', 'caps: [{per: period, max: "eight", source: "二"}]')
    text = edit(text, "rounding: floor}", "rounding: flor}")
    text = edit(text, "    roles: [party-member]\n", "    roles: party-member\n")
    assert check(text) == [
        "p.yaml:2:1: missing required key 'title'",
        "p.yaml:40:52: text 'flor' is not allowed here; expected one of: floor, exact; did you mean 'floor'? "
        "(items[0].rule.rounding)",
        "p.yaml:41:31: expected a non-negative number such as 3, 0.5 or \"1/3\", got text 'eight' (items[0].caps[0].max)",
        "p.yaml:90:12: expected a list, got text 'party-member'; write it as a list: [party-member] (items[7].roles)",
    ]


def test_quantity_rejects_negative_numbers_and_accepts_decimals_and_fractions(demo_text):
    assert check(edit(demo_text, "rule: {type: per_occurrence, value: 3}", "rule: {type: per_occurrence, value: -3}")) == [
        "p.yaml:49:41: expected a non-negative number such as 3, 0.5 or \"1/3\", got number -3 (items[1].rule.value)"]
    assert check(edit(demo_text, "rule: {type: per_occurrence, value: 3}", "rule: {type: per_occurrence, value: 2.5}")) == []
    assert check(edit(demo_text, "rule: {type: per_occurrence, value: 3}", 'rule: {type: per_occurrence, value: "1/3"}')) == []


def test_measure_errors_say_which_part_is_off(demo_text):
    text = edit(demo_text, "of: {category: normative}, min: 6", "of: {categry: normative}, min: 6")
    text = edit(text, "of: total, min: 10", "of: totl, min: 10")
    assert check(text) == [
        "p.yaml:97:41: text 'totl' is not allowed here; expected 'total', {category: <id>} or {items: [<id>, ...]}; "
        "did you mean 'total'? (requirements[0].of)",
        "p.yaml:98:44: unknown key 'categry'; did you mean 'category'? (requirements[1].of.categry)",
    ]


def test_min_and_min_per_period_together_point_at_the_second(demo_text):
    old = 'requirements: [{id: total, name: 五年累计, of: total, min: 50, source: "八"}]'
    text = edit(demo_text, old, old.replace("min: 50,", "min: 50, min_per_period: 10,"))
    [message] = check(text)
    assert message.startswith("p.yaml:104:64: give either 'min'")
    assert message.endswith("not both (checks[0].requirements[0].min_per_period)")


def test_comma_inside_flow_mapping_text_is_explained(demo_text):
    text = edit(demo_text, "quote: 考试合格后方可登记}", "quote: 考试合格后, 方可登记}")
    [message] = check(text)
    assert message.startswith("p.yaml:16:32: unknown key '方可登记' (with no value)")
    assert "quote that text" in message


def test_no_raw_jsonschema_wording_for_the_demo_variants(demo_text):
    """jsonschema's own messages ("is not valid under any of the given schemas") never reach authors."""
    variants = [
        ("of: total, min: 10", "of: [total], min: 10"),
        ("kind: deadline, date: 2020-06-20", "kind: deadline"),
        ("window: {kind: last_periods, count: 5}\n    requirements: [{id: total, name: 五年累计, of: total, min: 50, "
         "source: \"八\"}]", "window: {kind: last_periods, count: 0}\n    requirements: []"),
    ]
    for old, new in variants:
        for message in check(edit(copy.copy(demo_text), old, new)):
            assert "valid under" not in message and "is not of type" not in message, message


def test_unquoted_month_day_is_fine_but_unquoted_numbers_as_text_are_named(demo_text):
    assert check(edit(demo_text, 'start: "08-01"', "start: 08-01")) == []
    text = edit(demo_text, 'edition: "2020"', "edition: 2020")
    text = edit(text, "issued: 2020-05-01}", "issued: 2020-05-01, number: 12}")
    assert check(text) == [
        "p.yaml:3:10: expected a quoted label such as \"2018\" (letters, digits, '.', '_' or '-'), got number 2020 (edition)",
        "p.yaml:6:81: expected text, got number 12; quote it: \"12\" (document.number)",
    ]


def test_key_that_belongs_to_another_kind_is_named(demo_text):
    old = "{id: registration-deadline, kind: deadline, date: 2020-06-20,"
    text = edit(demo_text, old, old + " offset: {days: 3, relation: before, anchor: 开班},")
    assert check(text) == ["p.yaml:113:67: 'offset' is not used with kind: deadline; remove it (timeline[0].offset)"]
