"""The broken-policy corpus: each tests/broken/<case-id>/ must fail validation with exactly its expected.txt.

expected.txt holds the stderr lines of `jxjy validate tests/broken/<case-id>` (run from the repository
root, in Chinese) without the final "共 N 个错误" line. After changing a message on purpose, re-record
with `python3 scripts/record_broken.py` and review the diff.
"""

from pathlib import Path

import pytest

from generator.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir() and p.name != "sources")  # sources/: the quoted texts


def test_corpus_has_enough_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES)
def test_case_layout(case):
    """The loader wants <id>/<edition>.yaml, so each case's folder name is its policy id."""
    folder = BROKEN / case
    assert (folder / "2020.yaml").is_file()
    expected = folder / "expected.txt"
    assert expected.is_file(), "run python3 scripts/record_broken.py"
    assert expected.read_text(encoding="utf-8").strip(), "expected.txt must list at least one error"


@pytest.mark.parametrize("case", CASES)
def test_broken_policy_reports_exactly_the_expected_errors(case, capsys):
    folder = f"tests/broken/{case}"  # conftest runs every test from the repository root
    code = main(["validate", folder])
    err = capsys.readouterr().err.splitlines()
    expected = (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert code == 1
    assert err, "validate printed nothing"
    assert err[-1] == f"共 {len(err) - 1} 个错误"
    assert err[:-1] == expected
    assert all("Traceback" not in line for line in err)
    for line in err[:-1]:  # every error is located: file:line:col: message
        where, _, message = line.partition(": ")
        assert where.startswith(f"{folder}/") and where.count(":") == 2 and message, line


def test_every_pass_runs_in_one_run(capsys):
    """Two unknown keys (schema pass) and three semantic errors (references, rules, dates) in one
    file: all five in one run, in Chinese by default and in English with --lang en."""
    folder = "tests/broken/all-keys-and-semantics"
    assert main(["validate", folder]) == 1
    zh = capsys.readouterr().err.splitlines()
    assert zh[-1] == "共 5 个错误"
    assert sum("未知的键" in line for line in zh) == 2
    assert main(["--lang", "en", "validate", folder]) == 1
    en = capsys.readouterr().err.splitlines()
    assert en[-1] == "5 error(s)" and sum("unknown key" in line for line in en) == 2
    assert [line.split(": ", 1)[0] for line in en[:-1]] == [line.split(": ", 1)[0] for line in zh[:-1]]  # same places


def test_a_yaml_error_in_one_file_does_not_stop_the_others(capsys):
    assert main(["validate", "tests/broken/yaml-error-beside-valid"]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("通过  yaml-error-beside-valid/2020 ")
    assert [line.split(":")[0] for line in err.splitlines()[:-1]] == ["tests/broken/yaml-error-beside-valid/2019.yaml"]
