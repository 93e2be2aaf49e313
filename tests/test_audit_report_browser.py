"""The audit's static HTML report in a browser at 360 and 1280 px: offline (no request leaves the file),
Chinese, its three charts drawn, nothing wider than the screen but the tables that say they scroll.
Screenshots go to JXJY_SCREENSHOT_DIR (default: the test's temporary folder) to be looked at."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from generator.audit.imports import import_paths
from generator.audit.report import write_reports
from generator.audit.run import run_edition
from generator.base.dates import parse_date
from generator.cli.common import load_policy_arg

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("audit-report")
    con = duckdb.connect(str(out / "audit.duckdb"))
    import_paths(con, [ROOT / "examples" / "audit-district"], load_policy_arg, date="2018-06-30", item="school-based-training")
    policy = load_policy_arg("shuangliu-teachers/2018")
    run_edition(con, policy, parse_date("2018-07-31"))
    write_reports(con, policy, out / "report", jsonl=False)
    con.close()
    return out / "report" / "report.html"


@pytest.mark.parametrize("width", [360, 1280])
def test_the_report_reads_offline_at(width, browser, report: Path, tmp_path: Path):
    shots = Path(os.environ.get("JXJY_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 800})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    page.screenshot(path=str(shots / f"audit-report-{width}.png"), full_page=True)
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    assert page.evaluate("document.documentElement.lang").startswith("zh")
    assert page.locator("[role=img]").count() == 3  # pass rate by school, distribution of totals, largest shortfalls
    assert "差额最大的要求" in page.inner_text("body")
    # nothing sticks out of the screen; wide tables scroll inside their own box
    overflow = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => {
        const r = e.getBoundingClientRect();
        if (r.width === 0) return false;
        for (let p = e.parentElement; p; p = p.parentElement) {
          const s = getComputedStyle(p);
          if (s.overflowX === 'auto' || s.overflowX === 'scroll') return false;
        }
        return r.right > document.documentElement.clientWidth + 1;
      }).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 30))""")
    assert not overflow, overflow
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # text large enough to read on a phone
    small = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e =>
        e.childNodes.length && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
        && parseFloat(getComputedStyle(e).fontSize) < 11 && e.closest('svg') === null).length""")
    assert small == 0
    page.close()
