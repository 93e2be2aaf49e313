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


def test_one_crashing_file_does_not_hide_the_others_and_exits_4(monkeypatch, capsys):
    """A bug met on one file is said at that file (with where the traceback went); every other file is still
    checked and reported, and the run exits 4 (an internal error), not 1 like a validation failure."""
    from generator.policy import loader  # noqa: PLC0415

    real = loader.check_policy

    def check(path, **kw):
        if "schema-bad-id" in str(path):
            raise ZeroDivisionError("a bug")
        return real(path, **kw)

    monkeypatch.setattr(loader, "check_policy", check)
    code = main(["validate", "tests/broken/schema-bad-id", "tests/broken/schema-enum-typo"])
    err = capsys.readouterr().err.splitlines()
    assert code == 4
    assert err[0].startswith("tests/broken/schema-bad-id/2020.yaml:1:1: 检查这个文件时 jxjy 内部出错")
    expected = (ROOT / "tests/broken/schema-enum-typo/expected.txt").read_text(encoding="utf-8").splitlines()
    assert err[1:-1] == expected
    report = err[0].split("详细信息已写入 ")[1].split("，")[0]
    assert "ZeroDivisionError: a bug" in Path(report).read_text(encoding="utf-8")
    Path(report).unlink()


def test_files_over_the_size_limits_are_refused_unread(tmp_path, monkeypatch):
    from generator.base import limits  # noqa: PLC0415
    from generator.base.diagnostics import InputError  # noqa: PLC0415
    from generator.policy import source  # noqa: PLC0415
    from generator.rules import ledger  # noqa: PLC0415

    monkeypatch.setattr(source, "MAX_POLICY_BYTES", 1000)
    big = tmp_path / "2020.yaml"
    big.write_text("title: " + "x" * 2000 + "\n", encoding="utf-8")
    doc, [d] = source.read_yaml(big, "p.yaml", limit=1000)
    assert doc is None and d.message == "文件有 2008 字节，超过上限 1000 字节；政策文件不会这么大，请检查是不是选错了文件"
    monkeypatch.setattr(ledger, "MAX_LEDGER_BYTES", 100)
    led = tmp_path / "x.json"
    led.write_text('{"entries": []}' + " " * 200, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        ledger.read_ledger(led)
    assert exc.value.diagnostics[0].code == "diagnostics.ledger.too_large"
    assert limits.MAX_POLICY_BYTES > 82_215 * 10  # far above the largest real policy
