"""Every bundled policy validates, and every test case written beside it passes."""

from pathlib import Path

import pytest

from generator.policy.loader import load_policy, policy_files
from generator.rules.cases import cases_file_for, run_policy_tests

ROOT = Path(__file__).resolve().parent.parent
POLICY_FILES = policy_files([ROOT / "policies"])


def _cases():
    for f in POLICY_FILES:
        if cases_file_for(f).exists():
            for result in run_policy_tests(f):
                yield pytest.param(result, id=f"{f.parent.name}/{f.stem}::{result.case_id}")


@pytest.mark.parametrize("policy_file", POLICY_FILES, ids=lambda f: f"{f.parent.name}/{f.stem}")
def test_policy_validates_and_has_cases(policy_file):
    policy = load_policy(policy_file)
    assert policy.items or policy.extends
    assert cases_file_for(policy_file).exists(), "every policy edition carries its own test cases"


@pytest.mark.parametrize("case", list(_cases()))
def test_policy_case(case):
    assert case.passed, "\n".join(case.failures)
