"""Re-record tests/broken/*/expected.txt from what the validator prints now.

    python3 scripts/record_broken.py

Each case folder holds a broken policy (tests/broken/<case-id>/2020.yaml, sometimes with a parent
edition beside it); expected.txt is what `jxjy validate tests/broken/<case-id>` prints on stderr in
Chinese (the default language), without the final summary line ("共 N 个错误"). Run this after
changing a message on purpose, then read the diff: every changed line is a message a policy author
will see.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = (ROOT / "tests" / "broken", ROOT / "tests" / "hostile")
SHARED = {"sources"}  # a corpus folder is a policies folder: its sources/ holds the texts the cases quote


def validator_lines(folder: str) -> tuple[int, list[str]]:
    """Exit code and stderr lines of `jxjy validate <folder>`, run in-process from the repo root."""
    from generator.cli.main import main  # noqa: PLC0415 - after sys.path is set

    os.environ["JXJY_LANG"] = "zh"  # what a Chinese reader sees, whatever this machine's locale
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["validate", folder])
    return code, err.getvalue().splitlines()


LEDGERS = ROOT / "tests" / "hostile_ledgers"
LEDGER_POLICY = "tests/fixtures/policies/demo/2020.yaml"


def ledger_cases() -> list[Path]:
    """tests/hostile_ledgers/*: every file but the expectations."""
    return sorted(p for p in LEDGERS.iterdir() if p.is_file() and not p.name.endswith(".expected.txt")
                  and p.name != "README.md") if LEDGERS.is_dir() else []


def checker_lines(ledger: str) -> tuple[int, list[str]]:
    """Exit code and stderr lines of `jxjy check <demo fixture> <ledger> --no-trace`, in-process."""
    from generator.cli.main import main  # noqa: PLC0415 - after sys.path is set

    os.environ["JXJY_LANG"] = "zh"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["check", LEDGER_POLICY, ledger, "--no-trace"])
    return code, err.getvalue().splitlines()


def summary(count: int) -> str:
    from generator.base.messages import render  # noqa: PLC0415

    return render("diagnostics.summary.errors", {"count": count}, "zh")


def main() -> int:
    os.chdir(ROOT)  # messages carry paths relative to the repository root
    sys.path.insert(0, str(ROOT))
    changed = 0
    cases = sorted(p for corpus in CORPORA if corpus.is_dir() for p in corpus.iterdir()
                   if p.is_dir() and p.name not in SHARED)
    for case in cases:
        folder = case.relative_to(ROOT).as_posix()
        code, lines = validator_lines(folder)
        if code != 1 or not lines:
            print(f"WARNING {folder}: validate exited {code} with {len(lines)} line(s); a broken case must fail")
        body = lines[:-1] if lines and lines[-1] == summary(len(lines) - 1) else lines
        text = "".join(f"{line}\n" for line in body)
        expected = case / "expected.txt"
        old = expected.read_text(encoding="utf-8") if expected.exists() else None
        if old != text:
            expected.write_text(text, encoding="utf-8")
            changed += 1
            print(f"{'created' if old is None else 'changed'} {expected.relative_to(ROOT).as_posix()}")
    for case in ledger_cases():
        name = case.relative_to(ROOT).as_posix()
        code, lines = checker_lines(name)
        if code not in (1, 3) or not lines:
            print(f"WARNING {name}: check exited {code} with {len(lines)} line(s); a hostile ledger must be refused")
        body = lines[:-1] if lines and lines[-1] == summary(len(lines) - 1) else lines
        text = "".join(f"{line}\n" for line in body)
        expected = case.with_name(case.name + ".expected.txt")
        old = expected.read_text(encoding="utf-8") if expected.exists() else None
        if old != text:
            expected.write_text(text, encoding="utf-8")
            changed += 1
            print(f"{'created' if old is None else 'changed'} {expected.relative_to(ROOT).as_posix()}")
    print(f"{len(cases)} policy cases, {len(ledger_cases())} ledger cases, {changed} expected file(s) written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
