import os
from pathlib import Path

import pytest

from generator.policy.loader import load_policy

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# Debian's chromium, driven by Playwright through executable_path (never `playwright install`).
CHROMIUM = os.environ.get("JXJY_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def demo_policy():
    return load_policy(FIXTURES / "policies" / "demo" / "2020.yaml")


@pytest.fixture(autouse=True)
def _repo_cwd(monkeypatch):
    """Paths in messages are relative to the repository root, as users run jxjy there; messages are
    Chinese (the default) whatever the machine's locale."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("JXJY_LANG", "zh")


@pytest.fixture(scope="module")
def browser():
    """A headless chromium per test module (closed at its end: other modules drive their own
    Playwright, which cannot start while one is running); skipped cleanly where it cannot run."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright Python package is not installed (pip install playwright; never `playwright install`)")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium, or set JXJY_CHROMIUM)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()
