"""`jxjy build`'s trust gate: an edition is published only when it validates and its own test cases
pass; otherwise the build refuses, says why in one run, and the previous site stays."""

import shutil
from pathlib import Path

import pytest

from generator.base.diagnostics import InputError
from generator.base.messages import render
from generator.cli.main import main
from generator.outputs.site.build import load_policies
from generator.policy.loader import policy_files

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "policies"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def old_site(tmp_path: Path) -> Path:
    """A previously published site: the refused build must leave it exactly as it was."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>the previous site</p>", encoding="utf-8")
    return site


def build(tmp_path: Path, policies: Path, site: Path, *global_options: str) -> int:
    return main([*global_options, "build", str(policies), "--site-dir", str(site), "--docs-dir", str(tmp_path / "docs"),
                 "--no-forms"])


def test_the_chengdu_cap_edit_fails_the_build_naming_the_help_and_the_failing_case(tmp_path, old_site, capsys):
    """Issue 11: cap 8 → 10 for 微课 — validate used to pass and build used to publish both numbers."""
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    policy = policies / "chengdu-teachers" / "2018.yaml"
    edit(policy, "      - {per: period, max: 8, source: 二(三)1(2)第三}\n",
         "      - {per: period, max: 10, source: 二(三)1(2)第三}\n")
    assert build(tmp_path, policies, old_site) == 1
    err = capsys.readouterr().err.splitlines()
    lines = policy.read_text(encoding="utf-8").splitlines()
    contradictions = [line for line in err if "与模型不一致" in line]
    assert len(contradictions) == 2
    for line in contradictions:  # at the statement itself: file:line:col of 最多8学分 in help and description
        where = line.split(": ", 1)[0]
        file, row, col = where.rsplit(":", 2)
        assert file == str(policy) and lines[int(row) - 1][int(col) - 1:].startswith("最多8学分")
    failing = [line for line in err if "测试用例 weike-cap-27-hours" in line]
    assert failing and all(line.startswith(f"{policies / 'chengdu-teachers' / '2018.tests.yaml'}:") for line in failing)
    assert any("periods.2017-2018.items.weike.credited：应为 8，实际是 9" in line for line in failing)
    assert err[-1] == f"共 {len(err) - 1} 个错误；{render('diagnostics.cli.site_not_built', (), 'zh')}"
    assert sorted(p.name for p in old_site.iterdir()) == ["index.html"]
    assert (old_site / "index.html").read_text(encoding="utf-8") == "<p>the previous site</p>"
    assert not (tmp_path / "docs").exists() or not any((tmp_path / "docs").rglob("*.md"))


def test_a_failing_case_alone_refuses_the_build(tmp_path, old_site, capsys):
    shutil.copytree(FIXTURES / "demo", tmp_path / "policies" / "demo")
    shutil.copytree(FIXTURES / "sources", tmp_path / "policies" / "sources")
    edit(tmp_path / "policies" / "demo" / "2020.yaml", 'caps: [{per: period, max: 4, source: "二"}]',
         'caps: [{per: period, max: 5, source: "二"}]')
    with pytest.raises(InputError) as exc:
        load_policies([tmp_path / "policies"])
    codes = {d.code for d in exc.value.diagnostics}
    assert codes == {"diagnostics.cases.failed"}  # valid policy, wrong numbers: only the cases say so
    assert {d.file for d in exc.value.diagnostics} == {str(tmp_path / "policies" / "demo" / "2020.tests.yaml")}
    assert build(tmp_path, tmp_path / "policies", old_site, "--lang", "en") == 1
    err = capsys.readouterr().err
    assert "test case item-cap-per-school-year (" in err and "failed: periods.2019-2020" in err
    assert err.splitlines()[-1].endswith(render("diagnostics.cli.site_not_built", (), "en"))
    assert (old_site / "index.html").read_text(encoding="utf-8") == "<p>the previous site</p>"


def test_an_unsound_model_reports_validation_errors_without_running_cases(tmp_path):
    shutil.copytree(FIXTURES / "demo", tmp_path / "policies" / "demo")
    shutil.copytree(FIXTURES / "sources", tmp_path / "policies" / "sources")
    weike = "    category: normative\n    input: hours\n    rule: {type: rate, per: 3,"
    edit(tmp_path / "policies" / "demo" / "2020.yaml", weike, weike.replace("normative", "normativ"))
    with pytest.raises(InputError) as exc:
        load_policies([tmp_path / "policies"])
    assert [d.code for d in exc.value.diagnostics] == ["diagnostics.policy.unknown.category"]


def test_valid_policies_pass_the_gate():
    files = policy_files([ROOT / "policies"])
    assert len(files) >= 6
    assert [p.key for p in load_policies([ROOT / "policies"])] == [f"{f.parent.name}/{f.stem}" for f in files]
