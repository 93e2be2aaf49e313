"""Run a policy's own test cases (policies/<id>/<edition>.tests.yaml): ledger → expected result.

Expectations are partial: only the keys a case lists are compared, so a case states exactly the
numbers its clause talks about. Every error must be listed: a case with unexpected ledger errors
fails, so a typo in a test ledger cannot pass silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from generator.base.diagnostics import Diagnostic, InputError
from generator.base.messages import Phrase, phrase, render
from generator.base.rational import parse_rational
from generator.policy.loader import load_policy
from generator.policy.model import Policy
from generator.policy.schema import load_schema, schema_diagnostics
from generator.policy.source import SourceDoc, load_yaml
from generator.rules.engine import evaluate


@dataclass
class CaseResult:
    """One case run: what differed from its expectation (nothing when it passed), and where it is."""

    file: str
    case_id: str
    name: str
    differences: list[Phrase]
    line: int = 1
    column: int = 1
    index: int = 0

    @property
    def passed(self) -> bool:
        return not self.differences

    @property
    def failures(self) -> list[str]:
        """What differed, in the reader's language."""
        return [render(d.key, d.params) for d in self.differences]

    def diagnostics(self) -> list[Diagnostic]:
        """One located diagnostic per difference, naming the case: what `jxjy build` prints."""
        return [Diagnostic.of(self.file, self.line, self.column, "diagnostics.cases.failed", f"cases[{self.index}]",
                              case=self.case_id, name=self.name, difference=d) for d in self.differences]


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
    try:
        return parse_rational(str(expected)) == parse_rational(str(actual))
    except ValueError:
        return str(expected) == str(actual)


def _shown(value: Any) -> str:
    """A value of the result as an author reads it: JSON for structures, text otherwise."""
    if isinstance(value, (dict, list, bool)) or value is None:
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def compare(expected: Any, actual: Any, path: str, out: list[Phrase]) -> None:
    """Partial, recursive comparison; numbers compare as exact rationals."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            out.append(phrase("diagnostics.cases.expected_mapping", at=path, actual=_shown(actual)))
            return
        for key, value in expected.items():
            if value is None:
                if key in actual:
                    out.append(phrase("diagnostics.cases.expected_absent", at=f"{path}.{key}", actual=_shown(actual[key])))
                continue
            if key not in actual:
                have = [str(k) for k in actual]
                out.append(phrase("diagnostics.cases.missing", at=f"{path}.{key}", have=have) if have
                           else phrase("diagnostics.cases.missing_from_empty", at=f"{path}.{key}"))
                continue
            compare(value, actual[key], f"{path}.{key}", out)
    elif isinstance(expected, bool) or isinstance(actual, bool):
        if expected != actual:
            out.append(phrase("diagnostics.cases.value", at=path, expected=_shown(expected), actual=_shown(actual)))
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            out.append(phrase("diagnostics.cases.value", at=path, expected=_shown(expected), actual=_shown(actual)))
            return
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            compare(e, a, f"{path}[{i}]", out)
    elif not _same_number(expected, actual):
        out.append(phrase("diagnostics.cases.value", at=path, expected=_shown(expected), actual=_shown(actual)))


def _entry_fields(pairs: list[tuple[int, str]]) -> Phrase | list[str]:
    return [f"entries[{e}].{f}" for e, f in pairs] or phrase("diagnostics.cases.no_errors")


def run_case(policy: Policy, case: dict) -> list[Phrase]:
    """What differs between a case's expectation and the engine's result (empty: the case passes)."""
    result = evaluate(policy, case["ledger"], case.get("as_of"))
    failures: list[Phrase] = []
    expect = case["expect"]
    for key in ("periods", "checks"):
        if key in expect:
            compare(expect[key], result[key], key, failures)
    want_errors = sorted((e["entry"], e["field"]) for e in expect.get("errors", []))
    got_errors = sorted({(e["entry"], e["field"]) for e in result["errors"]})
    if want_errors != got_errors:
        details = [f"entries[{e['entry']}].{e['field']}: {e['message']}" for e in result["errors"]]
        failures.append(phrase("diagnostics.cases.errors", expected=_entry_fields(want_errors),
                               actual=_entry_fields(got_errors), details=details or phrase("diagnostics.cases.no_errors")))
    texts = "\n".join(t["text"] for t in result["trace"])
    for snippet in expect.get("trace_contains", []):
        if snippet not in texts:
            failures.append(phrase("diagnostics.cases.trace_missing", snippet=snippet))
    return failures


def load_cases(tests_file: Path) -> tuple[SourceDoc, list[Diagnostic]]:
    doc = load_yaml(tests_file)
    diags = schema_diagnostics(doc, "policy-tests.schema.json")
    return doc, diags


def run_cases(policy: Policy, policy_file: Path) -> list[CaseResult]:
    """Run the cases beside a policy file against a model already built; an unreadable cases file,
    or one written for another edition, raises InputError."""
    tests_file = cases_file_for(policy_file)
    if not tests_file.exists():
        return []
    doc, diags = load_cases(tests_file)
    if diags:
        raise InputError(diags)
    data = plain_data(doc.data)
    if data["policy"] != policy.id or data["edition"] != policy.edition:
        raise InputError([doc.diagnostic(("policy",), "diagnostics.cases.wrong_policy",
                                         tests_for=f"{data['policy']}/{data['edition']}", policy=policy.key)])
    known_clauses = {c.id for c in policy.clauses}
    results = []
    for i, case in enumerate(data["cases"]):
        failures: list[Phrase] = []
        if case.get("source") and case["source"] not in known_clauses:
            failures.append(phrase("diagnostics.cases.unknown_source", source=case["source"]))
        failures += run_case(policy, case)
        line, column = doc.locate(("cases", i))
        results.append(CaseResult(str(tests_file), case["id"], case["name"], failures, line, column, i))
    return results


def run_policy_tests(policy_file: Path) -> list[CaseResult]:
    """Run the cases beside a policy file; an invalid policy or unreadable cases file raises InputError."""
    return run_cases(load_policy(policy_file), policy_file)


def case_schema() -> dict:
    return load_schema("policy-tests.schema.json")
