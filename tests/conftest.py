from pathlib import Path

import pytest

from generator.policy_loader import load_policy

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session")
def demo_policy():
    return load_policy(FIXTURES / "policies" / "demo" / "2020.yaml")


@pytest.fixture(autouse=True)
def _repo_cwd(monkeypatch):
    """Paths in messages are relative to the repository root, as users run jxjy there."""
    monkeypatch.chdir(ROOT)
