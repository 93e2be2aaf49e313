import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.outputs.site import build as site_build
from generator.policy.loader import load_policy
from generator.policy.model import Policy

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# Debian's chromium, driven by Playwright through executable_path (never `playwright install`).
CHROMIUM = os.environ.get("JXJY_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
# What the session's built site is built from, as a user types it at the repository root.
SITE_PATHS = ("policies", "tests/fixtures/policies")


def pytest_collection_modifyitems(config, items):
    """The markers say what a test costs (pyproject.toml): a test that drives chromium through the
    `browser` fixture must be marked `browser`, one that reads the session's built site `slow`, so
    that `-m "not slow and not browser"` stays fast and complete."""
    wrong = []
    for item in items:
        for fixture, marker in (("browser", "browser"), ("built_site", "slow")):
            if fixture in item.fixturenames and item.get_closest_marker(marker) is None:
                wrong.append(f"{item.nodeid} uses the {fixture} fixture but is not marked {marker}")
    if wrong:
        raise pytest.UsageError("tests/conftest.py: unmarked tests (add @pytest.mark.… or a module pytestmark):\n  "
                                + "\n  ".join(wrong))


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


# --- the whole site, built once ------------------------------------------------------------------


@dataclass(frozen=True)
class BuiltSite:
    """What `jxjy build policies tests/fixtures/policies` made: `report` is build_site's BuildReport,
    `output` what the command printed, `policies` the validated editions it was built from."""

    report: site_build.BuildReport
    output: str
    policies: tuple[Policy, ...]

    @property
    def site_dir(self) -> Path:
        """The published site: guidance pages, bundles/, forms/, calculator/, schemas/, search/."""
        return self.report.site_dir

    @property
    def docs_dir(self) -> Path:
        """What the generators wrote before MkDocs ran (forms/, bundles/, calculator/, the Markdown)."""
        return self.report.docs_dir


def _tree_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> BuiltSite:
    """The whole site of policies/ and the test fixtures, built once per session by `jxjy build` itself
    (build_site with the producers the command passes — bundles, forms, calculator: validate, run them,
    generate the pages, `mkdocs build --strict`) into a temporary folder.

    Shared by every module that reads a built site, bundles, forms or calculator, so it is
    read-only: a test that changes something copies what it needs first. The session reports an
    error at teardown when a file of it was changed, added or removed."""
    from generator.cli import site as site_cli
    from generator.cli.main import main
    from generator.policy.loader import validate_paths

    out = tmp_path_factory.mktemp("built-site")
    reports: list[site_build.BuildReport] = []
    real_build_site = site_cli.build_site

    def build_site(*args, **kwargs):
        reports.append(real_build_site(*args, **kwargs))
        return reports[-1]

    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)  # as the function-scoped _repo_cwd does, which has not run yet
        mp.setenv("JXJY_LANG", "zh")
        mp.setattr(site_cli, "build_site", build_site)  # what `jxjy build` calls, to keep its report
        with contextlib.redirect_stdout(printed):
            code = main(["build", *SITE_PATHS, "--site-dir", str(out / "site"), "--docs-dir", str(out / "docs")])
        policies, diags = validate_paths(list(SITE_PATHS))
    assert code == 0, f"jxjy build failed: {printed.getvalue()}"
    assert len(reports) == 1, "jxjy build no longer calls generator.cli.site.build_site: update tests/conftest.py"
    assert not diags, [d.format() for d in diags]
    site = BuiltSite(reports[0], printed.getvalue(), tuple(policies))
    before = _tree_state(out)
    yield site
    after = _tree_state(out)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"a test changed the shared built site (copy what you change): {changed[:20]}"
