"""The hostile-input corpus (issue 12): policies and ledgers written to break jxjy, each with the exact
diagnostic it must produce (like tests/broken/). tests/hostile/ is a policies folder: each case is
`<case-id>/2020.yaml` with `expected.txt` (the stderr lines of `jxjy validate tests/hostile/<case-id>`
without the summary line), and `sources/` holds the texts cases may quote (and symlinks that must
not be followed out of it). Re-record with `python3 scripts/record_broken.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli.main import main
from generator.policy.layers import read_layers

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "hostile"
CASES = sorted(p.name for p in HOSTILE.iterdir() if p.is_dir() and p.name != "sources")


@pytest.mark.parametrize("case", CASES)
def test_hostile_policy_reports_exactly_the_expected_errors(case, capsys):
    folder = f"tests/hostile/{case}"
    code = main(["validate", folder])
    out, err = capsys.readouterr()
    expected = (HOSTILE / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert code == 1, out + err
    lines = err.splitlines()
    assert lines[-1] == f"共 {len(lines) - 1} 个错误"
    assert lines[:-1] == expected
    assert "root:" not in out + err


def test_extends_never_reads_a_file_outside_the_policies_folder(tmp_path):
    """`extends.edition: ../../outside/evil` and an absolute path: the chain stops at the layer itself,
    whatever the schema pass says (the parent is never opened)."""
    (tmp_path / "outside").mkdir()
    evil = tmp_path / "outside" / "evil.yaml"
    evil.write_text("id: evil\n", encoding="utf-8")
    layer = tmp_path / "policies" / "p" / "2020.yaml"
    layer.parent.mkdir(parents=True)
    for edition in ("../../outside/evil", str(evil.with_suffix(""))):
        layer.write_text(f'id: p\nedition: "2020"\nextends: {{policy: p, edition: "{edition}"}}\n', encoding="utf-8")
        chain = read_layers(layer)
        assert [x.path for x in chain.layers] == [layer.resolve()]
        assert not chain.complete


def test_a_symlinked_parent_edition_outside_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text('id: q\nedition: "2019"\n', encoding="utf-8")
    (tmp_path / "policies" / "q").mkdir(parents=True)
    (tmp_path / "policies" / "q" / "2019.yaml").symlink_to(outside)
    layer = tmp_path / "policies" / "p" / "2020.yaml"
    layer.parent.mkdir(parents=True)
    layer.write_text('id: p\nedition: "2020"\nextends: {policy: q, edition: "2019"}\n', encoding="utf-8")
    chain = read_layers(layer)
    assert len(chain.layers) == 1 and [d.code for d in chain.diagnostics] == ["diagnostics.policy.parent_outside"]


def test_a_leaking_policy_publishes_nothing_of_the_file(tmp_path):
    """The model of a policy naming /etc/passwd has no text file: no output can read it."""
    from generator.policy.loader import check_policy  # noqa: PLC0415

    checked = check_policy(HOSTILE / "path-etc-passwd" / "2020.yaml")
    assert checked.policy is None or checked.policy.document.text_file == ""
    assert all(not c.text_file for c in (checked.policy.clauses if checked.policy else ()))


# ---- ledgers: tests/hostile_ledgers/<case>.<ext> with <case>.<ext>.expected.txt, the stderr lines of
# `jxjy check tests/fixtures/policies/demo/2020.yaml <file> --no-trace` without the summary line

LEDGERS = ROOT / "tests" / "hostile_ledgers"
LEDGER_CASES = sorted(p.name for p in LEDGERS.iterdir()
                      if p.is_file() and not p.name.endswith(".expected.txt") and p.name != "README.md")


@pytest.mark.parametrize("case", LEDGER_CASES)
def test_hostile_ledger_reports_exactly_the_expected_errors(case, capsys):
    code = main(["check", "tests/fixtures/policies/demo/2020.yaml", f"tests/hostile_ledgers/{case}", "--no-trace"])
    out, err = capsys.readouterr()
    expected = (LEDGERS / f"{case}.expected.txt").read_text(encoding="utf-8").splitlines()
    assert code in (1, 3), out + err
    lines = err.splitlines()
    assert "Traceback" not in err
    assert lines[-1] == f"共 {len(lines) - 1} 个错误"
    assert lines[:-1] == expected


@pytest.mark.parametrize("role,hint", [("teachr", "；是不是「teacher」？"), ("<script>", "")])
def test_an_unknown_role_on_the_command_line_is_refused_with_a_did_you_mean(role, hint, capsys):
    code = main(["check", "tests/fixtures/policies/demo/2020.yaml", "tests/fixtures/ledgers/demo.yaml", "--role", role])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.splitlines()[0] == (f"--role「{role}」不是本政策的身份（可选：teacher（教师）、party-member（党员教师）、"
                                   f"title-applicant（拟评职称教师））{hint}")


def test_json_numbers_are_read_exactly_as_json_defines_them(tmp_path, demo_policy):
    """Valid JSON numbers were refused (1e2, 1.5E1) or re-spelt (0.0000001 as 1E-7) by the YAML reader; an
    escaped emoji became lone surrogates. Now each is its exact value, and the result is the CSV one's."""
    from generator.rules.engine import evaluate  # noqa: PLC0415
    from generator.rules.ledger import read_ledger  # noqa: PLC0415

    f = tmp_path / "x.json"
    f.write_text('{"entries": [{"item": "weike", "date": "2020-03-01", "hours": 1e2},'
                 ' {"item": "weike", "date": "2020-03-02", "hours": 1.5E1, "course": "\\ud83d\\ude00"},'
                 ' {"item": "school-based", "date": "2020-03-03", "hours": 0.0000001, "exam_passed": true},'
                 ' {"item": "weike", "date": "2020-03-04", "hours": 1e21}]}', encoding="utf-8")
    entries = read_ledger(f).data["entries"]
    assert [e["hours"] for e in entries] == [100, 15, "0.0000001", 10**21]
    assert entries[1]["course"] == "😀"
    c = tmp_path / "x.csv"
    c.write_text("item,date,hours,exam_passed,course\nweike,2020-03-01,100,,\nweike,2020-03-02,15,,😀\n"
                 "school-based,2020-03-03,0.0000001,是,\nweike,2020-03-04,1000000000000000000000,,\n", encoding="utf-8")
    assert evaluate(demo_policy, read_ledger(f).data) == evaluate(demo_policy, read_ledger(c).data)


def test_json_positions_are_found_only_for_a_problem(tmp_path):
    from generator.rules.ledger import read_ledger  # noqa: PLC0415

    f = tmp_path / "x.json"
    f.write_text('{"entries": [\n  {"item": "weike", "date": "2020-03-01"},\n  {"item": "weike", "date": "2020-3-1"}\n]}',
                 encoding="utf-8")
    from generator.base.diagnostics import InputError  # noqa: PLC0415

    with pytest.raises(InputError) as exc:
        read_ledger(f)
    [d] = exc.value.diagnostics
    assert (d.line, d.column, d.path) == (3, 29, "entries[1].date")
    good = tmp_path / "good.json"
    good.write_text('{"entries": [{"item": "weike", "date": "2020-03-01"}]}', encoding="utf-8")
    doc = read_ledger(good).doc
    assert doc is not None and not doc.positions  # a valid ledger never paid for them
