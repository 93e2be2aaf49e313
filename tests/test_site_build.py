"""The whole site, built once per session by `jxjy build` (tests/conftest.py: built_site): strict,
linked, complete, offline.

Parses the HTML MkDocs wrote and checks that every item, requirement, deadline and form of every
policy appears with its numbers, that no internal link or anchor is broken and that no page loads
anything from another host.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.request
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from icalendar import Calendar

from generator.base.diagnostics import InputError
from generator.base.rational import format_rational
from generator.outputs import anchors
from generator.outputs.site.build import SiteBuildError, build_site, sync_tree
from generator.outputs.site.ics import entry_span
from generator.rules import prose as rt

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "tests" / "fixtures" / "policies" / "demo" / "2020.yaml"


class _Page(HTMLParser):
    RESOURCE_TAGS = {"script": "src", "img": "src", "iframe": "src", "source": "src", "link": "href"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag in self.RESOURCE_TAGS and a.get(self.RESOURCE_TAGS[tag]):
            self.resources.append(a[self.RESOURCE_TAGS[tag]])

    def handle_data(self, data):
        self.text.append(data)


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def text_of(html: str) -> str:
    """Visible text, whitespace (and the search plugin's zero-width spaces) removed."""
    page = _Page()
    page.feed(html)
    return re.sub(r"[\s\u200b]+", "", "".join(page.text))


def row_text(html: str, anchor: str) -> str:
    m = re.search(rf'<tr id="{re.escape(anchor)}">(.*?)</tr>', html, re.S)
    assert m, f"no table row #{anchor}"
    return text_of(m.group(1))


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="session")
def built(built_site):
    """The session's whole site (tests/conftest.py: `jxjy build` of policies/ and the test fixtures)."""
    return built_site.report, list(built_site.policies)


@pytest.fixture(scope="session")
def pages(built):
    report, _ = built
    return {p.relative_to(report.site_dir).as_posix(): p for p in report.site_dir.rglob("*.html")}


def edition_html(report, policy, page: str) -> str:
    return (report.site_dir / anchors.edition_dir(policy.id, policy.edition) / f"{page}.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_build_covers_every_policy_and_leaves_no_temp_dirs(built):
    report, policies = built
    assert sorted(report.policies) == sorted(p.key for p in policies)
    assert "demo/2020" in report.policies and len(policies) >= 2
    # no temporary or old site left; the build's lock file stays (flock: a killed build releases it with its process)
    left = [p for p in report.site_dir.parent.iterdir() if p.name.startswith(".site")]
    assert [p.name for p in left if p.name != ".site.lock"] == []
    assert (report.site_dir / "index.html").is_file() and (report.site_dir / "developers.html").is_file()
    assert not (report.site_dir / "SUMMARY.html").exists()  # the generated nav is not a page


@pytest.mark.slow
def test_no_broken_internal_link_or_anchor(built, pages):
    report, _ = built
    parsed = {rel: parse(path) for rel, path in pages.items()}
    broken = []
    for rel, page in parsed.items():
        here = (report.site_dir / rel).parent
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue  # outgoing links are not requests; resources are checked below
            if not parts.path:
                target_rel = rel
            elif parts.path.startswith("/"):  # 404.html links from the server root
                target_rel = unquote(parts.path).lstrip("/")
            else:
                target_rel = (here / unquote(parts.path)).resolve().relative_to(report.site_dir.resolve()).as_posix()
            target = report.site_dir / target_rel
            if not target.exists():
                broken.append(f"{rel}: {href} (no file)")
            elif parts.fragment and target.suffix == ".html":
                if target_rel == "calculator/index.html" and parts.fragment.startswith("policy="):
                    continue  # the calculator's own parameter (which edition to open), not an anchor
                if unquote(parts.fragment) not in parsed[target_rel].ids:
                    broken.append(f"{rel}: {href} (no anchor)")
    assert not broken, "\n".join(broken[:30])


@pytest.mark.slow
def test_nothing_is_requested_from_another_host(built, pages):
    for rel, path in pages.items():
        page = parse(path)
        remote = [r for r in page.resources if urlsplit(r).scheme or r.startswith("//")]
        assert not remote, (rel, remote)
        html = path.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in html and "unpkg.com" not in html, rel


@pytest.mark.slow
def test_every_item_appears_with_its_rule_numbers_and_source(built):
    report, policies = built
    for policy in policies:
        html = edition_html(report, policy, "items")
        for item in policy.items:
            row = row_text(html, anchors.item_anchor(item.id))
            assert squash(item.name) in row, (policy.key, item.id)
            assert squash(rt.rule_sentence(policy, item)) in row, (policy.key, item.id)
            r = item.rule
            numbers = [getattr(r, f.name) for f in dataclasses.fields(r) if isinstance(getattr(r, f.name), Fraction)]
            if r.type == "rate" and r.rounding == "exact" and r.per == 1:
                numbers.remove(r.per)  # "每学时计 1 学分"
            numbers += [v for _, v in getattr(r, "table", ())] + [c.max for c in item.caps]
            numbers += [c.max for c in policy.shared_caps if item.id in c.items]
            for n in numbers:
                if n is not None:
                    assert format_rational(n) in row, (policy.key, item.id, n)
            for level in item.levels:
                assert squash(level.name) in row
            assert squash(policy.clause(item.source).citation) in row  # cited as the notice numbers it
            for evidence in item.evidence:
                assert squash(evidence) in row, (policy.key, item.id, evidence)
            # the source link of the row points at the clause anchor on the source page
            assert f"source.html#{anchors.clause_anchor(item.source)}" in html


@pytest.mark.slow
def test_every_requirement_and_check_appears_with_its_minimum(built):
    report, policies = built
    for policy in policies:
        req_text = text_of(edition_html(report, policy, "requirements"))
        overview = text_of(edition_html(report, policy, "index"))
        for req in policy.requirements:
            assert squash(req.name) in req_text and squash(rt.requirement_sentence(policy, req)) in req_text
            assert f"{format_rational(req.min)}{policy.unit}" in overview  # in the minimums table
        for check in policy.checks:
            assert squash(check.name) in req_text
            for req in check.requirements:
                assert squash(rt.check_requirement_sentence(policy, req)) in req_text, (policy.key, check.id, req.id)
                value = req.min if req.min is not None else req.min_per_period
                assert f"{format_rational(value)}{policy.unit}" in overview


@pytest.mark.slow
def test_every_deadline_appears_in_date_order_and_in_the_calendar(built):
    report, policies = built
    for policy in policies:
        html = edition_html(report, policy, "timeline")
        entries = policy.timeline
        positions = []
        for entry in entries:
            row = row_text(html, anchors.timeline_anchor(entry.id))
            assert squash(entry.title) in row
            for key in ("date", "start", "end", "month"):
                if getattr(entry, key):
                    assert rt.format_date(getattr(entry, key)) in row, (policy.key, entry.id, key)
            positions.append((entry_span(entry), html.index(f'id="{anchors.timeline_anchor(entry.id)}"')))
        dated = sorted((span, pos) for span, pos in positions if span)
        assert [pos for _, pos in dated] == sorted(pos for _, pos in dated), f"{policy.key}: timeline not in date order"
        schedule_text = text_of(html)
        rows = 0
        for schedule in policy.schedules:
            for r in schedule.rows:
                assert squash(r.organization) in schedule_text and rt.format_date(r.date) in schedule_text
                rows += 1
        ics = report.site_dir / anchors.calendar_file(policy.id, policy.edition)
        events = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
        assert len(events) == sum(1 for e in entries if entry_span(e)) + rows
        assert f'href="{ics.name}"' in html


@pytest.mark.slow
def test_every_form_appears_with_its_columns(built):
    report, policies = built
    for policy in policies:
        text = text_of(edition_html(report, policy, "forms"))
        for form in policy.forms:
            assert squash(form.title) in text

            def labels(cols):
                for c in cols:
                    yield c.label
                    yield from labels(c.children)

            for field in form.header:
                assert squash(field.label) in text
            for section in form.sections:
                for label in labels(section.columns):
                    assert squash(label) in text, (policy.key, form.id, label)


@pytest.mark.slow
def test_every_clause_has_its_anchor_on_the_source_page(built):
    report, policies = built
    for policy in policies:
        page = _Page()
        page.feed(edition_html(report, policy, "source"))
        for clause in policy.clauses:
            assert anchors.clause_anchor(clause.id) in page.ids, (policy.key, clause.id)


@pytest.mark.slow
def test_layered_policy_shows_its_parent_and_changes(built):
    report, policies = built
    layered = [p for p in policies if p.extends]
    if not layered:
        pytest.skip("no layered policy in policies/ yet")
    for policy in layered:
        parent = policy.extends
        changes = text_of(edition_html(report, policy, "changes"))
        overview = edition_html(report, policy, "index")
        assert f"../../{parent.policy}/{parent.edition}/index.html" in overview
        assert "上级政策" in changes and "新增" in changes


@pytest.mark.slow
def test_search_index_is_chinese_and_segmented(built):
    report, _ = built
    index = json.loads((report.site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["zh"]
    text = "".join(d["text"] for d in index["docs"])
    assert "\u200b学分\u200b" in text  # jieba split the word out of its sentence
    assert (report.site_dir / "search" / "search_index.js").is_file()  # offline plugin: search from file://


@pytest.mark.slow
def test_schemas_are_published(built):
    report, _ = built
    for schema in (ROOT / "schemas").glob("*.schema.json"):
        assert (report.site_dir / "schemas" / schema.name).read_bytes() == schema.read_bytes()
    dev = (report.site_dir / "developers.html").read_text(encoding="utf-8")
    assert 'href="schemas/policy.schema.json"' in dev


# --- failure keeps the old site -----------------------------------------------------------------


@pytest.fixture
def demo_site(tmp_path):
    site = tmp_path / "site"
    build_site([DEMO], site_dir=site, docs_dir=tmp_path / "docs")
    return tmp_path, site


@pytest.mark.slow
def test_invalid_policy_fails_with_diagnostics_and_keeps_the_old_site(demo_site):
    tmp, site = demo_site
    before = (site / "index.html").read_bytes()
    bad = tmp / "policies" / "demo" / "2020.yaml"
    bad.parent.mkdir(parents=True)
    shutil.copytree(DEMO.parent.parent / "sources", tmp / "policies" / "sources")
    bad.write_text(DEMO.read_text(encoding="utf-8").replace("min: 10,", "min: -10,"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        build_site([bad.parent.parent], site_dir=site, docs_dir=tmp / "docs")
    assert any(d.line > 1 for d in exc.value.diagnostics)
    assert (site / "index.html").read_bytes() == before


@pytest.mark.slow
def test_mkdocs_failure_keeps_the_old_site_and_cleans_up(demo_site, monkeypatch):
    tmp, site = demo_site
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    import generator.outputs.site.build as sb

    real = sb.generate_docs

    def broken(*args, **kwargs):
        files = real(*args, **kwargs)
        files["demo/2020/items.md"] += b"\n[dangling](nowhere.md#nothing)\n"
        return files

    monkeypatch.setattr(sb, "generate_docs", broken)
    with pytest.raises(SiteBuildError) as exc:
        build_site([DEMO], site_dir=site, docs_dir=tmp / "docs")
    assert any("nowhere.md" in line for line in exc.value.lines)
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == before
    assert [p.name for p in tmp.iterdir() if p.name.startswith(".site") and p.name != ".site.lock"] == []


def test_cli_build_prints_validator_diagnostics(tmp_path, capsys):
    from generator.cli.main import main

    bad = tmp_path / "demo" / "2020.yaml"
    bad.parent.mkdir()
    bad.write_text("id: demo\nedition: '2020'\ntitle: x\n", encoding="utf-8")
    assert main(["build", str(bad), "--site-dir", str(tmp_path / "site"), "--docs-dir", str(tmp_path / "docs")]) == 1
    err = capsys.readouterr().err
    assert re.search(r"2020\.yaml:\d+:\d+: ", err) and "网站没有生成" in err
    assert not (tmp_path / "site").exists()


@pytest.mark.slow
def test_registered_producer_output_is_published_and_linked(tmp_path, monkeypatch):
    import generator.outputs.site.build as sb

    def write_forms(policies, out_dir):
        from generator.outputs.forms.statement import output_forms

        for p in policies:
            for form in list(p.forms) + [f for f in output_forms(p) if f.statement]:  # and the personal statement
                path = out_dir / p.id / p.edition / f"{form.id}.html"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("<!doctype html><title>form</title>", encoding="utf-8")

    def calculator(policies, out_dir):
        (out_dir / "index.html").write_text("<!doctype html><title>calc</title>", encoding="utf-8")

    with pytest.raises(ValueError):
        sb.generate([DEMO.parent.parent], tmp_path / "elsewhere", [sb.Producer("elsewhere", calculator)])
    policies = tmp_path / "policies"
    shutil.copytree(DEMO.parent.parent, policies)
    policy = policies / "demo" / "2020.yaml"
    policy.write_text(policy.read_text(encoding="utf-8") + "forms:\n  - {id: reg, title: 登记表, source: 五}\n",
                      encoding="utf-8")
    site = tmp_path / "site"
    build_site([policies], site_dir=site, docs_dir=tmp_path / "docs",
               producers=[sb.Producer("forms", write_forms), sb.Producer("calculator", calculator)])
    assert (site / "forms" / "demo" / "2020" / "reg.html").is_file() and (site / "calculator" / "index.html").is_file()
    forms = (site / "demo" / "2020" / "forms.html").read_text(encoding="utf-8")
    assert 'href="../../forms/demo/2020/reg.html"' in forms and "尚未构建" not in forms
    assert 'href="../../calculator/index.html#policy=demo/2020"' in (site / "demo" / "2020" / "index.html").read_text(
        encoding="utf-8")  # opens this edition


def test_sync_tree_writes_only_changes_and_keeps_other_generators_files(tmp_path):
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "f.html").write_text("by the forms generator")
    assert sync_tree({"a.md": b"1", "d/b.md": b"2"}, tmp_path) == 2
    assert sync_tree({"a.md": b"1", "d/b.md": b"2"}, tmp_path) == 0
    assert sync_tree({"a.md": b"1"}, tmp_path) == 1
    assert not (tmp_path / "d").exists() and (tmp_path / "forms" / "f.html").exists()


# --- serve ---------------------------------------------------------------------------------------


SERVE_WAIT = 120  # seconds, the bound on each wait below: a rebuild takes a few seconds, ~20 on a loaded 2-core machine


def get_page_until(url: str, wanted, what: str, logs: list[str], within: float = SERVE_WAIT) -> str:
    """GET url until `wanted(page)`; a refused, failed or timed-out request is retried, for at most
    `within` seconds in all, then the test fails saying what was awaited, the last answer and the log.

    While `serve` rebuilds, MkDocs's LiveReloadServer holds every page request until the rebuild has
    finished (it never serves a half-built site), so one request can take as long as a whole rebuild;
    each request may therefore use all the time that is left rather than a fixed few seconds."""
    deadline = time.monotonic() + within
    last = "no answer yet"
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"{what}: not served by {url} within {within:.0f} s (last: {last}); serve log:\n" + "\n".join(logs))
        try:
            with urllib.request.urlopen(url, timeout=left) as response:
                page = response.read().decode()
        except OSError as exc:  # not listening yet, 404 before the first build is served, timed out
            last = f"{type(exc).__name__}: {exc}"
        else:
            if wanted(page):
                return page
            last = f"a page without it ({len(page)} characters)"
        time.sleep(0.2)


@pytest.mark.slow
def test_serve_regenerates_when_a_policy_changes(tmp_path):
    """Pages only (serve is given no producers): a rebuild validates the fixture policies, writes the
    Markdown and runs MkDocs."""
    from generator.outputs.site.build import serve

    policies = tmp_path / "policies"
    shutil.copytree(DEMO.parent.parent, policies)
    policy = policies / "demo" / "2020.yaml"
    ready, holder, logs = threading.Event(), {}, []

    def on_ready(server):
        holder["server"] = server
        ready.set()

    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    thread = threading.Thread(target=serve, args=([policies],), daemon=True,
                              kwargs={"docs_dir": tmp_path / "docs", "port": port, "on_ready": on_ready, "log": logs.append})
    thread.start()
    try:
        assert ready.wait(SERVE_WAIT), f"serve did not finish its first build within {SERVE_WAIT} s: {logs}"
        url = f"http://127.0.0.1:{port}/demo/2020/index.html"
        page = get_page_until(url, lambda page: True, "the first page", logs)  # the HTTP thread starts after on_ready
        assert "示例政策" in page and "livereload" in page
        unchanged = tmp_path / "docs" / "assets" / "stylesheets" / "jxjy.css"
        docs_mtime = unchanged.stat().st_mtime_ns
        edited = tmp_path / "2020.yaml.edited"  # written beside, then renamed in: the watcher sees one complete change
        edited.write_text(policy.read_text(encoding="utf-8").replace("title: 示例政策", "title: 改过的示例政策"),
                          encoding="utf-8")
        os.replace(edited, policy)
        get_page_until(url, lambda page: "改过的示例政策" in page, "the page with the edited title", logs)
        time.sleep(1.5)  # no rebuild loop: the docs dir is not watched, so it settles after one rebuild
        rebuilds = sum("rebuilt" in line for line in logs)
        time.sleep(1.5)
        assert sum("rebuilt" in line for line in logs) == rebuilds, logs
        assert unchanged.stat().st_mtime_ns == docs_mtime  # files that did not change are not rewritten
    finally:
        if "server" in holder:
            holder["server"].shutdown()
        thread.join(10)


@pytest.mark.slow
def test_serve_shows_a_failed_rebuild_in_the_page_until_the_next_good_one(tmp_path):
    """A broken edit shows in the browser, not only in the terminal: every page of the last good build gets a
    banner linking to the errors, each linked to its file and line (marked); fixing it clears them."""
    from generator.outputs.site.build import serve
    from generator.outputs.site.serve_errors import ERRORS_DIR

    policies = tmp_path / "policies"
    shutil.copytree(DEMO.parent.parent, policies)
    policy = policies / "demo" / "2020.yaml"
    good = policy.read_text(encoding="utf-8")
    ready, holder, logs = threading.Event(), {}, []

    def on_ready(server):
        holder["server"] = server
        ready.set()

    def edit(text: str) -> None:  # written beside, then renamed in: the watcher sees one complete change
        edited = tmp_path / "2020.yaml.edited"
        edited.write_text(text, encoding="utf-8")
        os.replace(edited, policy)

    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    thread = threading.Thread(target=serve, args=([policies],), daemon=True,
                              kwargs={"docs_dir": tmp_path / "docs", "port": port, "on_ready": on_ready, "log": logs.append})
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        assert ready.wait(SERVE_WAIT), f"serve did not finish its first build within {SERVE_WAIT} s: {logs}"
        get_page_until(f"{base}/demo/2020/index.html", lambda p: "示例政策" in p and "jxjy-build-error" not in p,
                       "the first page", logs)
        line = next(n for n, text in enumerate(good.splitlines(), 1) if text.startswith("unit:"))
        edit(good.replace("unit: 学分", "unit: 学点", 1))  # not an allowed unit
        page = get_page_until(f"{base}/demo/2020/items.html", lambda p: "jxjy-build-error" in p,
                              "a page of the last good build with the banner", logs)
        assert "网站没有更新" in page and f"/{ERRORS_DIR}/index.html" in page and "登记项目" in page
        errors = get_page_until(f"{base}/{ERRORS_DIR}/index.html", lambda p: "class=\"where\"" in p, "the error page", logs)
        where = re.search(r'<a class="where" href="([^"]+)">([^<]+)</a>', errors)
        assert where and where.group(2).startswith(f"{policy}:{line}:"), errors
        source = get_page_until(base + where.group(1).split("#")[0], lambda p: "<ol>" in p, "the file's view", logs)
        assert f'<li id="L{line}" class="bad">unit: 学点' in source
        assert any(f"/{ERRORS_DIR}/index.html" in entry for entry in logs)  # the terminal says where to look
        edit(good)
        get_page_until(f"{base}/demo/2020/items.html", lambda p: "jxjy-build-error" not in p and "登记项目" in p,
                       "the page without the banner after the fix", logs)
        with pytest.raises(urllib.error.HTTPError):  # gone with the next good build
            urllib.request.urlopen(f"{base}/{ERRORS_DIR}/index.html", timeout=SERVE_WAIT)
    finally:
        if "server" in holder:
            holder["server"].shutdown()
        thread.join(10)


# --- in a real browser ---------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = os.environ.get("JXJY_SCREENSHOT_DIR")


def _chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{time.monotonic_ns()}"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars",
           "--virtual-time-budget=6000", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_item_and_workflow_pages_render_in_a_browser(built, tmp_path):
    """Screenshots at phone and desktop widths (kept when JXJY_SCREENSHOT_DIR is set, to look at);
    the Mermaid flowchart renders offline, and Chinese search finds a word inside a sentence."""
    report, policies = built
    policy = max(policies, key=lambda p: len(p.workflows))
    base = report.site_dir / anchors.edition_dir(policy.id, policy.edition)
    out = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    for page in ("items", "workflows"):
        for name, size in (("phone", "360,1600"), ("desktop", "1280,1200")):
            png = out / f"{policy.id}-{page}-{name}.png"
            _chromium([f"--screenshot={png}", f"--window-size={size}", (base / f"{page}.html").as_uri()], tmp_path)
            assert png.is_file() and png.stat().st_size > 20_000, png  # a blank page compresses to a few KB
    dom = _chromium(["--dump-dom", (base / "workflows.html").as_uri()], tmp_path).stdout
    # Material swaps each <pre class="mermaid"> for a <div> holding the SVG (in a shadow root) once Mermaid ran;
    # the source blocks stay if the script could not be loaded.
    assert '<div class="mermaid">' in dom and '<pre class="mermaid">' not in dom, "Mermaid did not render"
    dom = _chromium(["--dump-dom", (report.site_dir / "index.html").as_uri() + "?q=%E5%AD%A6%E6%97%B6"], tmp_path).stdout
    found = re.search(r'md-search-result__meta">(\d+) ', dom)
    assert found and int(found.group(1)) > 0, "search for 学时 found nothing"
