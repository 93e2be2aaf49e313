"""The prose_numbers pass: a number in a hand-written help, description or note that contradicts the
model is an error at its own line and column; statements it cannot read with certainty are left alone."""

import shutil
from pathlib import Path

import pytest

from generator.policy.loader import check_policy, policy_files

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "policies"
ANCHORS = {  # the line after which each item's help is inserted in the demo policy
    "weike": "    caps: [{per: period, max: 4, source: \"二\"}]\n",
    "reading-notes": "    caps: [{per: period, max: 6, source: \"三\"}]\n",
    "reflection": "    rule: {type: per_occurrence, value: 2}\n",
    "putonghua": "    rule: {type: lookup, table: [{level: level-3a, value: 7}, {level: level-2b, value: 10}]}\n",
    "school-based": "    rule: {type: rate, per: 1, value: \"0.5\", rounding: exact}\n",
    "degree": "    rule: {type: per_subject, passed: 10, failed: 2}\n",
    "party-online": "    roles: [party-member]\n",
}


def demo_with(tmp_path: Path, helps: dict[str, str], extra: str = "") -> tuple[Path, str]:
    """The demo policy in tmp_path with a help text added to some items (and `extra` appended)."""
    text = (FIXTURES / "demo" / "2020.yaml").read_text(encoding="utf-8")
    for item, help_text in helps.items():
        assert text.count(ANCHORS[item]) == 1, item
        text = text.replace(ANCHORS[item], f"{ANCHORS[item]}    help: {help_text}\n")
    (tmp_path / "demo").mkdir(exist_ok=True)
    shutil.copytree(FIXTURES / "sources", tmp_path / "sources", dirs_exist_ok=True)
    path = tmp_path / "demo" / "2020.yaml"
    path.write_text(text + extra, encoding="utf-8")
    return path, text + extra


def prose_errors(path: Path) -> list:
    checked = check_policy(path)
    assert all(d.code.startswith("diagnostics.policy.prose.") for d in checked.diagnostics), checked.diagnostics
    return checked.diagnostics


def test_statements_that_agree_with_the_model_pass(tmp_path):
    path, _ = demo_with(tmp_path, {
        "weike": "满3学时记1学分，不足3学时不计；每学年（8月1日至次年7月31日）最多4学分。",
        "reading-notes": "每篇3学分，最多可记6学分；与自学反思合计最多8学分。",
        "reflection": "每篇记2学分，与读书笔记合计最多8学分。",
        "putonghua": "三甲7学分，二乙10学分。",
        "school-based": "每学时计算0.5学分。",
        "degree": "及格每科10学分，不及格每科2学分。",
    })
    checked = check_policy(path)
    assert checked.diagnostics == [] and checked.policy is not None


@pytest.mark.parametrize("help_text", [
    "每5年应接受不少于30学分的培训。",  # a minimum (a requirement), not this item's number
    "如学习8个学时只能记2学分。",  # a worked example
    "按《办法》第14条第6款执行，附件2另有一行（7/10/14学分）。",  # article numbers, other rows
    "两项合计20学分。",  # a total, not a rate
    "最多可记八学分。",  # Chinese numerals are not read
    "最多8学时。",  # not the policy's unit
])
def test_statements_it_cannot_read_with_certainty_are_left_alone(tmp_path, help_text):
    path, _ = demo_with(tmp_path, {"weike": help_text})
    assert check_policy(path).diagnostics == []


@pytest.mark.parametrize("item, help_text, stated, code, expected", [
    ("weike", "每学年最多8学分。", "最多8学分", "cap", ("4",)),
    ("weike", "满2学时记1学分。", "满2学时记1学分", "per", "3"),
    ("weike", "满3学时记2学分。", "满3学时记2学分", "rate", ("1",)),
    ("reading-notes", "每篇2学分。", "每篇2学分", "rate", ("3",)),
    ("reflection", "最多可记6学分。", "最多可记6学分", "cap", ("8",)),  # its only cap is the shared one
    ("party-online", "每学时1学分，最多8学分。", "最多8学分", "no_cap", None),
    ("school-based", "每学时计算1学分。", "每学时计算1学分", "rate", ("0.5",)),
    ("putonghua", "三甲7学分，二乙12学分。", "二乙12学分", "level", "10"),
    ("degree", "每及格一学科记12学分。", "每及格一学科记12学分", "rate", ("2", "10")),
])
def test_a_contradiction_names_the_statement_and_the_model(tmp_path, item, help_text, stated, code, expected):
    path, text = demo_with(tmp_path, {item: help_text})
    [diag] = prose_errors(path)
    assert diag.code == f"diagnostics.policy.prose.{code}"
    params = dict(diag.params)
    assert params["stated"] == stated and params["item"] == item
    assert params.get("expected") == expected
    line = text.splitlines()[diag.line - 1]
    assert line.startswith("    help: ") and line[diag.column - 1:].startswith(stated)  # located at the statement
    assert diag.path.endswith(".help")
    assert f"「{stated}」与模型不一致" in diag.message or "说有上限" in diag.message  # Chinese by default
    assert item in diag.text("en")


def test_a_statement_inside_a_folded_block_is_located_on_its_own_line(tmp_path):
    help_text = ">-\n      填写微课学习学时。\n      满3学时记1学分；\n      每学年最多\n      8学分。"
    path, text = demo_with(tmp_path, {"weike": help_text})
    [diag] = prose_errors(path)
    lines = text.splitlines()
    assert lines[diag.line - 1].strip() == "每学年最多" and lines[diag.line - 1][diag.column - 1:] == "最多"


def test_a_note_is_checked_where_a_sentence_names_one_item(tmp_path):
    notes = ("notes:\n"
             "  - {id: one, text: 微课学习每学年最多8学分。读书笔记与自学反思另计。, source: \"二\"}\n"
             "  - {id: two, text: 微课学习与读书笔记合计最多8学分。, source: \"二\"}\n")
    path, text = demo_with(tmp_path, {}, notes)
    [diag] = prose_errors(path)
    assert diag.path == "notes[0].text" and dict(diag.params)["item"] == "weike"
    assert text.splitlines()[diag.line - 1][diag.column - 1:].startswith("最多8学分")


def test_the_chengdu_cap_edit_is_reported_at_the_help_and_description(tmp_path):
    """Issue 11: the 微课 cap changed from 8 to 10 while its prose still says 8."""
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    target = tmp_path / "policies" / "chengdu-teachers" / "2018.yaml"
    text = target.read_text(encoding="utf-8")
    old = "      - {per: period, max: 8, source: 二(三)1(2)第三}\n"
    assert text.count(old) == 1
    text = text.replace(old, old.replace("max: 8", "max: 10"))
    target.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    for edition in ("chengdu-teachers/2018.yaml", "shuangliu-teachers/2018.yaml"):  # the layer reports it too
        checked = check_policy(tmp_path / "policies" / edition)
        assert checked.policy is not None  # the model stays sound: the build can still run the cases
        prose = [d for d in checked.diagnostics if d.code != "diagnostics.policy.revision_stale"]
        where = sorted((lines[d.line - 1].split(":")[0].strip(), lines[d.line - 1][d.column - 1:]) for d in prose)
        assert where == [("description", "最多8学分。"), ("help", "最多8学分。")]
        assert all(dict(d.params)["expected"] == ("10",) for d in prose)
        # and the rules changed without a new revision (issue 13)
        stale = [d for d in checked.diagnostics if d.code == "diagnostics.policy.revision_stale"]
        assert len(stale) == 1  # Shuangliu's merged rules changed with its parent's


def test_the_real_policies_state_no_contradicted_number():
    for f in policy_files([ROOT / "policies"]):
        assert check_policy(f).diagnostics == [], f
