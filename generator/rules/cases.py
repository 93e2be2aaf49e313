"""Run a policy's own test cases (policies/<id>/<edition>.tests.yaml): ledger → expected result.

Expectations are partial: only the keys a case lists are compared, so a case states exactly the
numbers its clause talks about. Every error must be listed: a case with unexpected ledger errors
fails, so a typo in a test ledger cannot pass silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from generator.base.diagnostics import Diagnostic, InputError
from generator.policy.loader import load_policy
from generator.policy.model import Policy
from generator.policy.schema import load_schema, schema_diagnostics
from generator.policy.source import SourceDoc, load_yaml
from generator.rules.engine import evaluate


@dataclass
class CaseResult:
    file: str
    case_id: str
    name: str
    failures: list[str]
    line: int = 1

    @property
    def passed(self) -> bool:
        return not self.failures


def cases_file_for(policy_file: Path) -> Path:
    return policy_file.with_name(f"{policy_file.stem}.tests.yaml")


def plain_data(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_data(v) for v in value]
    return value


def _same_number(expected: Any, actual: Any) -> bool:
    from generator.base.rational import parse_rational
    try:
        return parse_rational(str(expected)) == parse_rational(str(actual))
    except ValueError:
        return str(expected) == str(actual)


def compare(expected: Any, actual: Any, path: str, out: list[str]) -> None:
    """Partial, recursive comparison; numbers compare as exact rationals."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            out.append(f"{path}: expected a mapping, got {actual!r}")
            return
        for key, value in expected.items():
            if value is None:
                if key in actual:
                    out.append(f"{path}.{key}: expected to be absent, got {actual[key]!r}")
                continue
            if key not in actual:
                out.append(f"{path}.{key}: missing from the result (have: {', '.join(map(str, actual)) or 'nothing'})")
                continue
            compare(value, actual[key], f"{path}.{key}", out)
    elif isinstance(expected, bool) or isinstance(actual, bool):
        if expected != actual:
            out.append(f"{path}: expected {expected!r}, got {actual!r}")
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            out.append(f"{path}: expected {expected!r}, got {actual!r}")
            return
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            compare(e, a, f"{path}[{i}]", out)
    elif not _same_number(expected, actual):
        out.append(f"{path}: expected {expected}, got {actual}")


def run_case(policy: Policy, case: dict) -> list[str]:
    result = evaluate(policy, case["ledger"], case.get("as_of"))
    failures: list[str] = []
    expect = case["expect"]
    for key in ("periods", "checks"):
        if key in expect:
            compare(expect[key], result[key], key, failures)
    want_errors = sorted((e["entry"], e["field"]) for e in expect.get("errors", []))
    got_errors = sorted({(e["entry"], e["field"]) for e in result["errors"]})
    if want_errors != got_errors:
        details = "; ".join(f"entries[{e['entry']}].{e['field']}: {e['message']}" for e in result["errors"])
        failures.append(f"errors: expected {want_errors}, got {got_errors} ({details or 'none'})")
    texts = "\n".join(t["text"] for t in result["trace"])
    for snippet in expect.get("trace_contains", []):
        if snippet not in texts:
            failures.append(f"trace: does not contain {snippet!r}")
    return failures


def load_cases(tests_file: Path) -> tuple[SourceDoc, list[Diagnostic]]:
    doc = load_yaml(tests_file)
    diags = schema_diagnostics(doc, "policy-tests.schema.json")
    return doc, diags


def run_policy_tests(policy_file: Path) -> list[CaseResult]:
    """Run the cases beside a policy file; an unreadable file raises InputError."""
    policy = load_policy(policy_file)
    tests_file = cases_file_for(policy_file)
    if not tests_file.exists():
        return []
    doc, diags = load_cases(tests_file)
    if diags:
        raise InputError(diags)
    data = plain_data(doc.data)
    if data["policy"] != policy.id or data["edition"] != policy.edition:
        raise InputError([doc.diagnostic(("policy",), f"tests are for {data['policy']}/{data['edition']}, "
                                                      f"but the policy file is {policy.key}")])
    known_clauses = {c.id for c in policy.clauses}
    results = []
    for i, case in enumerate(data["cases"]):
        failures = []
        if case.get("source") and case["source"] not in known_clauses:
            failures.append(f"source '{case['source']}' is not a clause of the policy")
        failures += run_case(policy, case)
        results.append(CaseResult(str(tests_file), case["id"], case["name"], failures, doc.locate(("cases", i))[0]))
    return results


def case_schema() -> dict:
    return load_schema("policy-tests.schema.json")
