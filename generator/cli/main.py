"""The `jxjy` command line: validate, check, test (build and serve come from the site modules)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path

from generator.base.diagnostics import Diagnostic, InputError, print_errors
from generator.outputs.report import render_report
from generator.policy.cases import cases_file_for, load_cases, run_policy_tests
from generator.policy.loader import load_policy, policy_files, validate_paths
from generator.rules.engine import evaluate
from generator.rules.ledger import read_ledger

DEFAULT_POLICIES = "policies"


def cmd_validate(args: argparse.Namespace) -> int:
    paths = args.paths or [DEFAULT_POLICIES]
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        print_errors([Diagnostic(p, 1, 1, "no such file or directory") for p in missing])
        return 1
    policies, diags = validate_paths(paths)
    for f in policy_files(paths):
        tf = cases_file_for(f)
        if tf.exists():
            try:
                _, case_diags = load_cases(tf)
                diags.extend(case_diags)
            except InputError as exc:
                diags.extend(exc.diagnostics)
    if diags:
        print_errors(diags)
        return 1
    for p in policies:
        print(f"ok  {p.key}  {len(p.items)} items, {len(p.requirements)} requirements, {len(p.checks)} checks")
    return 0


def resolve_policy_path(spec: str) -> Path:
    """Accept a file path or 'id/edition' (looked up under policies/)."""
    path = Path(spec)
    if path.exists():
        return path
    candidate = Path(DEFAULT_POLICIES) / f"{spec}.yaml"
    return candidate if candidate.exists() else path


def _person_overrides(args: argparse.Namespace) -> dict:
    person: dict = {}
    if args.role:
        person["roles"] = args.role
    if args.date:
        dates = {}
        for kv in args.date:
            key, _, value = kv.partition("=")
            dates[key] = value
        person["dates"] = dates
    return person


def _is_iso_date(text: str) -> bool:
    """Strictly YYYY-MM-DD and a real day (date.fromisoformat alone also takes 20180301)."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def cmd_check(args: argparse.Namespace) -> int:
    try:
        policy = load_policy(resolve_policy_path(args.policy))
        ledger = read_ledger(args.ledger, _person_overrides(args) or None)
    except InputError as exc:
        print_errors(exc.diagnostics)
        return 1
    as_of = args.as_of
    if as_of and not _is_iso_date(as_of):
        print(f"--as-of: '{as_of}' is not a date written YYYY-MM-DD", file=sys.stderr)
        return 2
    result = evaluate(policy, ledger.data, as_of)
    located = [Diagnostic(ledger.file, 1, 1, e["message"], e["field"]) for e in result.get("input_errors", [])]
    for err in result["errors"]:
        where = ledger.locate(err["entry"], err["field"])
        located.append(Diagnostic(where.file, where.line, where.column, err["message"], where.path))
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(render_report(policy, result, ledger.data, [d.format() for d in located], with_trace=not args.no_trace))
    if located:
        for d in located:
            print(d.format(), file=sys.stderr)
        return 1
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    paths = args.paths or [DEFAULT_POLICIES]
    passed = failed = 0
    for f in policy_files(paths):
        try:
            results = run_policy_tests(f)
        except InputError as exc:
            print_errors(exc.diagnostics)
            failed += 1
            continue
        for r in results:
            if r.passed:
                passed += 1
                if args.verbose:
                    print(f"PASS {r.file}:{r.line} {r.case_id} {r.name}")
            else:
                failed += 1
                print(f"FAIL {r.file}:{r.line} {r.case_id} {r.name}")
                for line in r.failures:
                    print(f"     {line}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jxjy", description="Continuing-education credit policy compiler")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check policy files against the schema and their own references")
    p.add_argument("paths", nargs="*")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("check", help="evaluate a ledger (YAML, JSON or CSV) under a policy")
    p.add_argument("policy", help="policy file, or id/edition such as chengdu-teachers/2018")
    p.add_argument("ledger")
    p.add_argument("--as-of", help="evaluation date YYYY-MM-DD (default: the latest entry's date)")
    p.add_argument("--json", action="store_true", help="print the result document (schemas/result.schema.json)")
    p.add_argument("--role", action="append", help="role id of the person (repeatable; overrides the ledger)")
    p.add_argument("--date", action="append", help="person date such as title=2014-09-01 (repeatable)")
    p.add_argument("--no-trace", action="store_true", help="leave out the explanation lines")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("test", help="run each policy's own test cases")
    p.add_argument("paths", nargs="*")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_test)
    _add_site_commands(sub)
    return parser


def _add_site_commands(sub) -> None:
    """build/serve live with the site modules; absent until those exist."""
    from generator.cli import site as site_cli  # noqa: PLC0415

    site_cli.register(sub)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
