"""`jxjy validate`, `jxjy test`, `jxjy check`: policies, their own cases, and a person's ledger."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from generator.base.dates import parse_date
from generator.base.diagnostics import Diagnostic, InputError
from generator.base.messages import render
from generator.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    fail,
    help_text,
    load_policy_on,
    missing_paths,
    policy_paths,
)
from generator.outputs.bundle import bundle_document, dumps, sha256
from generator.outputs.report import render_report
from generator.policy.loader import policy_files, validate_paths
from generator.policy.model import Policy
from generator.rules.cases import cases_file_for, load_cases, run_policy_tests
from generator.rules.engine import default_as_of, evaluate
from generator.rules.ledger import Ledger, read_ledger, role_diagnostics
from generator.rules.verify import normal_code, verification_code


def cmd_validate(args: argparse.Namespace) -> int:
    paths = policy_paths(args)
    missing = missing_paths(paths)
    if missing:
        return fail(missing)
    policies, diags = validate_paths(paths)
    for f in policy_files(paths):
        tf = cases_file_for(f)
        if tf.exists():
            try:
                _, case_diags = load_cases(tf)
                diags.extend(case_diags)
            except InputError as exc:
                diags.extend(exc.diagnostics)
    for p in policies:  # the editions that passed, even when others did not: each file is checked on its own
        print(render("diagnostics.cli.validate_ok", {"policy": p.key, "items": len(p.items),
                                                      "requirements": len(p.requirements), "checks": len(p.checks)}))
    if diags:
        return fail(diags)
    return EXIT_OK


def cmd_test(args: argparse.Namespace) -> int:
    paths = policy_paths(args)
    missing = missing_paths(paths)
    if missing:
        return fail(missing)
    passed = failed = 0
    problems: list[Diagnostic] = []
    for f in policy_files(paths):
        try:
            results = run_policy_tests(f)
        except InputError as exc:
            problems.extend(exc.diagnostics)
            failed += 1
            continue
        for r in results:
            where = {"file": r.file, "line": r.line, "case": r.case_id, "name": r.name}
            if r.passed:
                passed += 1
                if args.verbose:
                    print(render("diagnostics.cli.case_passed", where))
            else:
                failed += 1
                print(render("diagnostics.cli.case_failed", where))
                for line in r.failures:
                    print(f"     {line}")
    if problems:
        fail(problems)
    print(render("diagnostics.cli.cases_summary", {"passed": passed, "failed": failed}))
    return EXIT_OK if failed == 0 and passed > 0 else EXIT_FAILED


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


def _evaluation(args: argparse.Namespace) -> tuple[Policy, Ledger, str, str] | int:
    """The edition (chosen by date when the policy is named without one), the ledger, the evaluation date
    (default: today, moved into the edition's window) and the bundle's sha256; an exit status on failure."""
    if args.as_of and parse_date(args.as_of) is None:
        print(render("diagnostics.cli.bad_as_of", {"value": args.as_of}), file=sys.stderr)
        return EXIT_USAGE
    today = dt.date.today()
    try:
        policy, chosen = load_policy_on(args.policy, parse_date(args.as_of) or today)
        ledger = read_ledger(args.ledger, _person_overrides(args) or None)
    except InputError as exc:
        return fail(exc.diagnostics)
    roles = role_diagnostics(ledger, {r.id: r.name for r in policy.roles}, args.role)
    if roles:
        return fail(roles)
    as_of = args.as_of or default_as_of(policy, today).isoformat()
    if chosen and policy.in_force is not None:
        print(render("diagnostics.cli.edition_chosen", {"as_of": as_of, "policy": policy.id, "edition": policy.edition,
                                                         "start": policy.in_force.start,
                                                         "end": policy.in_force.last_day}), file=sys.stderr)
    return policy, ledger, as_of, sha256(dumps(bundle_document(policy)))


def _coded_ledger(args: argparse.Namespace, ledger: Ledger) -> Any:
    """The ledger a verification code covers: a JSON file as it was written (what the calculator exports and
    hashes), any other file as read."""
    if Path(args.ledger).suffix.lower() == ".json" and not _person_overrides(args):
        try:
            return json.loads(Path(args.ledger).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    return ledger.data


def _evaluated(args: argparse.Namespace) -> tuple[Policy, Ledger, dict, str] | int:
    """The edition, the ledger, its result and the result's verification code; an exit status on failure."""
    found = _evaluation(args)
    if isinstance(found, int):
        return found
    policy, ledger, as_of, bundle_sha = found
    result = evaluate(policy, ledger.data, as_of, bundle_sha256=bundle_sha)
    return policy, ledger, result, verification_code(_coded_ledger(args, ledger), bundle_sha, result["as_of"])


def cmd_check(args: argparse.Namespace) -> int:
    found = _evaluated(args)
    if isinstance(found, int):
        return found
    policy, ledger, result, code = found
    # the result's messages are Chinese (the bundle's catalog); the terminal reads each error in its own language,
    # rendered from the error's code and parameters, at its line in the ledger file
    located = [ledger.diagnostic(e) for e in result.get("input_errors", []) + result["errors"]]
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(render_report(policy, result, ledger.data, [d.format() for d in located], with_trace=not args.no_trace,
                            code=code))
    if located:
        for d in located:
            print(d.format(), file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK if requirements_met(result) else EXIT_FAILED


def cmd_verify(args: argparse.Namespace) -> int:
    """Recompute a printout's verification code from the exported ledger: 0 when it matches, 1 when not."""
    found = _evaluated(args)
    if isinstance(found, int):
        return found
    policy, _, result, expected = found
    given = normal_code(args.code)
    params = {"code": given, "expected": expected, "policy": policy.id, "edition": policy.edition,
              "revision": str(policy.revision.number if policy.revision else "—"), "as_of": result["as_of"] or "—"}
    if given == expected:
        print(render("diagnostics.cli.verify_match", params))
        return EXIT_OK
    print(render("diagnostics.cli.verify_mismatch", params), file=sys.stderr)
    return EXIT_FAILED


def requirements_met(result: dict) -> bool:
    """Whether no requirement of any period and no check has failed (met, or still in progress before its
    deadline: a period still running is not a failure)."""
    periods = all(r["state"] != "failed" for p in result["periods"].values() for r in p["requirements"].values())
    return periods and all(c["state"] != "failed" for c in result["checks"].values())


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help=help_text("validate"), description=help_text("validate"))
    p.add_argument("paths", nargs="*", help=help_text("paths"))
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("test", help=help_text("test"), description=help_text("test"))
    p.add_argument("paths", nargs="*", help=help_text("paths"))
    p.add_argument("-v", "--verbose", action="store_true", help=help_text("verbose"))
    p.set_defaults(func=cmd_test)
    p = sub.add_parser("check", help=help_text("check"), description=help_text("check"))
    p.add_argument("policy", help=help_text("policy"))
    p.add_argument("ledger", help=help_text("ledger"))
    p.add_argument("--as-of", help=help_text("as_of"))
    p.add_argument("--json", action="store_true", help=help_text("json"))
    p.add_argument("--role", action="append", help=help_text("role"))
    p.add_argument("--date", action="append", help=help_text("person_date"))
    p.add_argument("--no-trace", action="store_true", help=help_text("no_trace"))
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("verify", help=help_text("verify"), description=help_text("verify"))
    p.add_argument("policy", help=help_text("policy"))
    p.add_argument("ledger", help=help_text("ledger"))
    p.add_argument("code", help=help_text("code"))
    p.add_argument("--as-of", help=help_text("verify_as_of"))
    p.add_argument("--role", action="append", help=help_text("role"))
    p.add_argument("--date", action="append", help=help_text("person_date"))
    p.set_defaults(func=cmd_verify)
