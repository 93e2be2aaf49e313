"""The static credit calculator (calculator/, copied by generator.outputs.calculator.assets) in headless Chromium.

The browser tests open a calculator written (write_calculator → <site>/calculator) beside a copy of
the bundles of the session's built site (tests/conftest.py) from file://, as a teacher would after
downloading the site. Every page fails the test on a console error, an uncaught exception or a
request that is not file:, data: or blob: (nothing may leave the site).

Needs the `playwright` Python package and Debian's chromium at /usr/bin/chromium (never
`playwright install`); the accessibility test also needs axe-core from npm:

    npm ci            # or: npm install --save-dev axe-core   (creates node_modules/axe-core)

Set JXJY_SCREENSHOT_DIR=<dir> to keep the screenshots (360 px, 1280 px, print) for review.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from generator.outputs.anchors import clause_anchor
from generator.outputs.calculator.assets import FILES, config_js, detect_pages, write_calculator
from generator.rules.engine import evaluate
from generator.rules.ledger import read_ledger
from generator.rules.verify import verification_code

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LOCAL_SCHEMES = ("file:", "data:", "blob:")

# The sample ledgers under examples/ with the as-of date their header names; shuangliu-teachers
# (a layer on chengdu-teachers with the same items) is checked with the Chengdu sample.
SCENARIOS = {
    "chengdu-teachers/2018": ("chengdu-teachers", "2018-07-31"),
    "shuangliu-teachers/2018": ("chengdu-teachers", "2018-07-31"),
    "zhengzhou-education/2021": ("zhengzhou-education", "2021-12-20"),
    "guangzhou-cycle/2016": ("guangzhou-cycle", "2016-05-20"),
    "guangdong/2018": ("guangdong", "2019-12-31"),
    "guangdong-accounting/2018": ("guangdong-accounting", "2019-12-31"),
}
AMOUNTS = ("hours", "count", "half_days", "days", "years", "passed", "failed", "credits")


# ---------------------------------------------------------------------------------------------
# without a browser: the asset writer
# ---------------------------------------------------------------------------------------------

def test_write_calculator_copies_the_page_and_writes_config(tmp_path):
    written = write_calculator(tmp_path / "calculator", guidance_pages=False, minify=False)
    names = sorted(p.name for p in written)
    assert names == sorted([*FILES, "config.js"])  # no bundles beside it: no data/
    for name in FILES:
        assert (tmp_path / "calculator" / name).read_bytes() == (ROOT / "calculator" / name).read_bytes()
    config = (tmp_path / "calculator" / "config.js").read_text(encoding="utf-8")
    assert '"pages_root": null' in config and '"data": "data/"' in config
    # reproducible: the same call writes the same bytes
    before = {p: p.read_bytes() for p in written}
    assert write_calculator(tmp_path / "calculator", guidance_pages=False, minify=False) == written
    assert {p: p.read_bytes() for p in written} == before


@pytest.mark.slow
def test_guidance_pages_are_linked_only_when_they_exist(tmp_path):
    site = tmp_path / "site"
    (site / "bundles").mkdir(parents=True)
    index = {"bundles": [{"id": "chengdu-teachers", "edition": "2018"}, {"id": "guangdong", "edition": "2018"}]}
    (site / "bundles" / "index.json").write_text(json.dumps(index), encoding="utf-8")
    assert detect_pages(site / "calculator") is None
    (site / "guangdong" / "2018").mkdir(parents=True)
    (site / "guangdong" / "2018" / "source.md").write_text("# 原文\n", encoding="utf-8")
    assert detect_pages(site / "calculator") == ["guangdong/2018"]
    write_calculator(site / "calculator", bundles_dir=tmp_path / "no-bundles")  # that index.json is a stub
    config = (site / "calculator" / "config.js").read_text(encoding="utf-8")
    assert '"pages_root": "../"' in config and '"page_editions": ["guangdong/2018"]' in config
    assert b'"pages_root": "../"' in config_js(True) and b'"page_editions": null' in config_js(True)


def test_the_repository_config_links_nothing():
    text = (ROOT / "calculator" / "config.js").read_text(encoding="utf-8")
    assert '"pages_root": null' in text


# ---------------------------------------------------------------------------------------------
# browser fixtures
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(built_site, tmp_path_factory):
    """The calculator beside a copy of the session's bundles (tests/conftest.py: built_site), with no
    guidance pages or forms beside it: clause ids are not links and no forms are offered."""
    out = tmp_path_factory.mktemp("site")
    shutil.copytree(built_site.site_dir / "bundles", out / "bundles")
    write_calculator(out / "calculator")
    index = json.loads((out / "bundles" / "index.json").read_text(encoding="utf-8"))
    return {"dir": out, "url": (out / "calculator" / "index.html").as_uri(),
            "policies": {p.key: p for p in built_site.policies},
            "sha256": {e["key"]: e["sha256"] for e in index["bundles"]}}



class Watch:
    """Console errors, uncaught exceptions, dialogs and non-local requests of one page."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.external: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("request", lambda r: None if r.url.startswith(LOCAL_SCHEMES) else self.external.append(r.url))

        def dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()
        page.on("dialog", dialog)

    def check(self):
        assert self.errors == [], self.errors
        assert self.external == [], f"requests left the site: {self.external}"
        assert self.dialogs == [], f"unexpected dialogs: {self.dialogs}"


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", timezone_id="Asia/Shanghai")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, site):
    pg = context.new_page()
    watch = Watch(pg)
    pg.set_default_timeout(15000)
    open_calculator(pg, site)
    yield pg
    watch.check()


def open_calculator(pg, site, key: str | None = None):
    pg.goto(site["url"] + (f"#policy={key}" if key else ""))
    pg.wait_for_function("document.documentElement.dataset.ready && document.documentElement.dataset.ready !== 'error'")
    if key:
        pg.wait_for_function("k => window.JXJY_CALCULATOR.policy === k", arg=key)


def ready(pg) -> int:
    return int(pg.evaluate("document.documentElement.dataset.ready"))


def wait_render(pg, before: int):
    pg.wait_for_function("n => Number(document.documentElement.dataset.ready) > n", arg=before)


def choose_policy(pg, key: str):
    pg.select_option("#policy", key)
    pg.wait_for_function("k => window.JXJY_CALCULATOR.policy === k", arg=key)


def result(pg) -> dict:
    return pg.evaluate("JSON.parse(JSON.stringify(window.JXJY_CALCULATOR.result))")


def sample(name: str) -> dict:
    return read_ledger(ROOT / "examples" / f"{name}-sample.yaml").data


def enter_person(pg, person: dict, as_of: str):
    n = ready(pg)
    pg.fill("#as-of", as_of)
    wait_render(pg, n)
    for box in pg.query_selector_all("#role-list input[type=checkbox]"):
        want = box.get_attribute("value") in person.get("roles", [])
        if box.is_checked() != want:
            n = ready(pg)
            box.set_checked(want)
            wait_render(pg, n)
    for key, value in (person.get("dates") or {}).items():
        n = ready(pg)
        pg.fill(f"#person-date-{key}", value)
        wait_render(pg, n)
    for key in ("name", "school", "subject"):
        if person.get(key):
            pg.fill(f"#person-{key}", person[key])


def enter_entry(pg, entry: dict):
    """Fill the form as a person would: item, amounts, date, 申报计入, 考试合格, texts; then 添加."""
    count = len(pg.query_selector_all("#entries li.entry"))
    pg.select_option("#item", entry["item"])
    for field in AMOUNTS:
        if field in entry:
            pg.fill(f"#f-{field}", str(entry[field]))
    if "level" in entry:
        pg.select_option("#f-level", entry["level"])
    pg.fill("#entry-date", entry["date"])
    if "counts_for" in entry:
        pg.select_option("#entry-counts-for", entry["counts_for"])
    if pg.is_visible("#entry-exam"):
        pg.set_checked("#entry-exam", entry.get("exam_passed") is True)
    for field in ("course", "evidence", "note"):
        pg.fill(f"#entry-{field}", entry.get(field, ""))
    n = ready(pg)
    pg.click("#entry-submit")
    wait_render(pg, n)
    assert pg.is_hidden("#form-errors"), pg.inner_text("#form-errors")
    assert len(pg.query_selector_all("#entries li.entry")) == count + 1


def exported(pg, tmp_path) -> dict:
    with pg.expect_download() as info:
        pg.click("#export")
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return json.loads(target.read_text(encoding="utf-8"))


def same_entries(got: list[dict], want: list[dict], gated: set[str]) -> None:
    """The exported entries are the sample's; an unticked 考试合格 box is exported as false."""
    norm = []
    for e in want:
        e = dict(e)
        if e["item"] in gated:
            e.setdefault("exam_passed", False)
        norm.append(e)
    assert got == norm


def open_all_details(pg):
    """Open every explanation (their content is built when first opened) and wait until it is there."""
    pg.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    pg.wait_for_function("Array.from(document.querySelectorAll('details')).every(d => d.children.length > 1)")


def save_shot(pg, tmp_path, name: str, **kw) -> Path:
    path = tmp_path / name
    pg.screenshot(path=str(path), **kw)
    keep = os.environ.get("JXJY_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / name)
    return path


# ---------------------------------------------------------------------------------------------
# scenarios: one real ledger per policy, entered through the form
# ---------------------------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(SCENARIOS))
def test_real_scenario_entered_by_hand(page, site, tmp_path, key):
    name, as_of = SCENARIOS[key]
    ledger = sample(name)
    policy = site["policies"][key]
    choose_policy(page, key)
    enter_person(page, ledger["person"], as_of)
    for entry in ledger["entries"]:
        enter_entry(page, entry)

    got = result(page)
    doc = exported(page, tmp_path)
    assert doc["policy"] == {"id": policy.id, "edition": policy.edition}
    gated = {i.id for i in policy.items if i.gate}
    same_entries(doc["entries"], ledger["entries"], gated)
    # the browser's numbers are the Python reference engine's, trace included
    assert got == evaluate(policy, doc, as_of, bundle_sha256=site["sha256"][key])
    assert got["errors"] == []

    # what the person reads: every period's total, and every shortfall in words
    text = page.inner_text("#results")
    for period in got["periods"].values():
        card = page.inner_text(f"article.period:has(h3#period-{period['id']})")
        assert period["label"] in card
        assert f"合计\n{period['total']} {policy.unit}" in card or f"合计 {period['total']} {policy.unit}" in card
        for req in period["requirements"].values():
            assert ("达标" if req["met"] else f"还差 {req['shortfall']} {policy.unit}") in card
            assert {"met": "达标", "in_progress": "进行中", "failed": "未达标"}[req["state"]] in card
    for check in got["checks"].values():
        assert check["name"] in text
        for req in check["requirements"].values():
            if not req["met"]:
                assert f"还差 {req['shortfall']} {policy.unit}" in text

    # reload: the data stayed in the browser and gives the same result
    page.reload()
    page.wait_for_function("document.documentElement.dataset.ready && window.JXJY_CALCULATOR.policy")
    assert page.evaluate("window.JXJY_CALCULATOR.policy") == key
    assert len(page.query_selector_all("#entries li.entry")) == len(ledger["entries"])
    assert page.input_value("#as-of") == as_of
    assert result(page) == got


@pytest.mark.browser
@pytest.mark.slow
def test_chengdu_shortfall_in_words_and_explanations(page, site):
    """灵活性还差 …: the summary says it in words, and every number opens its trace with the clause."""
    choose_policy(page, "chengdu-teachers/2018")
    enter_person(page, {"roles": ["teacher"]}, "2018-07-31")
    enter_entry(page, {"item": "admin-training", "date": "2017-10-20", "hours": 60})
    enter_entry(page, {"item": "school-based-training", "date": "2018-04-25", "hours": "36.5"})
    enter_entry(page, {"item": "weike", "date": "2018-03-15", "hours": 8})
    enter_entry(page, {"item": "weike", "date": "2018-05-15", "hours": 2})
    summary = page.inner_text("#summary")
    # 36.5 h × 0.5 = 18.25 → 灵活性培训 still 5.75 short; 3+… weike hours summed per school year: ⌊10/3⌋ = 3
    # on the day of the deadline the year is still running: 进行中 (not a red 未达标), with the deadline's clause
    assert "进行中 2017—2018学年：灵活性培训还差 5.75 学分（截止 2018年7月31日）" in summary
    assert "未达标" not in summary
    assert "截止日期依据〔成教继（2018）1号 三（三）2〕" in summary
    card = page.locator("article.period", has=page.locator("h3#period-2017-2018"))
    weike = card.locator(".item-rows > li", has_text="微师培专项培训")
    assert "3 学分" in weike.inner_text()
    weike.locator("summary").click()
    trace = weike.locator(".trace").inner_text()
    assert "10 学时 → ⌊10/3⌋ = 3 学分" in trace
    assert "〔成教继（2018）1号 二（三）1（2）第三〕" in trace  # as the notice numbers it, not the author's id
    # the quotes arrive with data/<policy>/<edition>.texts.js, loaded when the first explanation opens
    weike.locator(".quotes blockquote").first.wait_for()
    assert "参加微课学习满3个学时记1学分" in weike.locator(".quotes").inner_text()
    # no guidance pages in this site: clause ids are not links (never a broken link)
    assert weike.locator("a.clause").count() == 0


@pytest.mark.browser
@pytest.mark.slow
def test_in_progress_why_not_counted_and_the_verification_code(page, site, tmp_path):
    """Zhengzhou 2021 in June: 进行中 until the 12月20日 review, not red; a 选修课 without 考试合格 says why it
    counts 0, in the summary and beside the entry; the code printed on the statement is the reference's."""
    key = "zhengzhou-education/2021"
    choose_policy(page, key)
    assert page.input_value("#as-of") == "2021-12-31"  # today, moved into the edition's window (2021)
    enter_person(page, {}, "2021-06-30")
    enter_entry(page, {"item": "public-elective-course", "date": "2021-05-10", "hours": 10})
    summary = page.inner_text("#summary")
    assert "进行中 2021年度：" in summary and "（截止 2021年12月20日）" in summary
    assert "截止日期依据〔郑教明电〔2021〕407号 五（三）〕" in summary
    assert "第 1 条 公需科目选修课（2021-05-10）：考试未合格（或未注明合格），不计入" in summary
    assert page.inner_text("#entries .entry-reason") == "考试未合格（或未注明合格），不计入"
    assert page.locator("#summary .badge.bad").count() == 0
    # past the deadline the same year fails
    enter_person(page, {}, "2021-12-21")
    assert "未达标 2021年度：" in page.inner_text("#summary")
    page.wait_for_function("/^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/.test(window.JXJY_CALCULATOR.code)")
    doc = exported(page, tmp_path)
    assert page.evaluate("window.JXJY_CALCULATOR.code") == verification_code(doc, site["sha256"][key], "2021-12-21")


@pytest.mark.browser
@pytest.mark.slow
def test_days_where_the_policy_converts_them_and_dates_outside_the_edition(page, site):
    """Guangdong 2018: 1 天 = 6 学时, so a training can be recorded in days; a date after the edition's window
    is evaluated with a notice in words."""
    key = "guangdong/2018"
    choose_policy(page, key)
    assert page.input_value("#as-of") == "2023-10-31"  # the last day of the edition's window
    enter_person(page, {}, "2019-06-30")
    page.select_option("#item", "professional-class")
    assert "或填天数（1 天 = 6 学时）" in page.inner_text("#amount-fields")
    enter_entry(page, {"item": "professional-class", "date": "2019-05-10", "days": 2})
    got = result(page)
    assert got["periods"]["2019"]["items"]["professional-class"]["credited"] == "12"
    assert "2 天 × 6 = 12 学时（按本政策的换算）" in page.inner_text("#entries")
    assert "进行中 2019年度" in page.inner_text("#summary")
    enter_person(page, {}, "2024-03-01")
    assert "评估日 2024-03-01 晚于本版本适用期（至 2023-10-31）" in page.inner_text("#summary")


@pytest.mark.browser
@pytest.mark.slow
def test_quotes_and_item_descriptions_load_only_when_opened(context, site):
    """The first download is calculator JS + the edition's view; .texts.js follows the first explanation
    or 项目说明 a teacher opens, once, and fills both."""
    pg = context.new_page()
    watch = Watch(pg)
    loaded: list[str] = []
    pg.on("request", lambda r: loaded.append(r.url.rsplit("/calculator/", 1)[-1]))
    open_calculator(pg, site, "chengdu-teachers/2018")
    assert "data/chengdu-teachers/2018.js" in loaded and not any(u.endswith(".texts.js") for u in loaded)
    assert not any("/bundles/" in u for u in loaded)  # the page needs none of the published bundles
    pg.select_option("#item", "weike")
    more = pg.locator("#item-help details.more")
    more.locator("summary").click()
    bundle = site["policies"]["chengdu-teachers/2018"]
    description = next(i for i in bundle.items if i.id == "weike").description
    more.locator("p").filter(has_text=description[:12]).wait_for()
    assert more.locator("p").inner_text() == description.strip()
    assert [u for u in loaded if u.endswith(".texts.js")] == ["data/chengdu-teachers/2018.texts.js"]
    enter_person(pg, {"roles": ["teacher"]}, "2018-07-31")
    enter_entry(pg, {"item": "weike", "date": "2018-03-15", "hours": 9})
    row = pg.locator("article.period .item-rows > li", has_text="微师培专项培训")
    row.locator("summary").click()
    row.locator(".quotes blockquote").first.wait_for()  # (the toggle event comes after the click)
    assert "参加微课学习满3个学时记1学分" in row.locator(".quotes").inner_text()
    assert len([u for u in loaded if u.endswith(".texts.js")]) == 1
    watch.check()
    pg.close()


@pytest.mark.browser
@pytest.mark.slow
def test_a_missing_texts_file_is_said_in_place_and_nothing_else_breaks(browser, site, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(site["dir"], copy)
    (copy / "calculator" / "data" / "chengdu-teachers" / "2018.texts.js").unlink()
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    try:
        pg = ctx.new_page()
        uncaught = []
        pg.on("pageerror", lambda e: uncaught.append(str(e)))
        pg.goto((copy / "calculator" / "index.html").as_uri() + "#policy=chengdu-teachers/2018")
        pg.wait_for_function("window.JXJY_CALCULATOR && window.JXJY_CALCULATOR.policy === 'chengdu-teachers/2018'")
        pg.select_option("#item", "weike")
        pg.click("#item-help details.more summary")
        pg.locator("#item-help details.more p", has_text="未能载入").wait_for()
        assert "chengdu-teachers/2018.texts.js" in pg.inner_text("#item-help details.more")
        enter_entry(pg, {"item": "weike", "date": "2018-03-15", "hours": 9})
        row = pg.locator("article.period .item-rows > li", has_text="微师培专项培训")
        row.locator("summary").click()
        row.locator(".quotes p", has_text="未能载入").wait_for()
        assert "3 学分" in row.inner_text() and "⌊9/3⌋ = 3 学分" in row.locator(".trace").inner_text()
        assert uncaught == []
    finally:
        ctx.close()


@pytest.mark.browser
@pytest.mark.slow
def test_caps_roles_levels_subjects_and_makeup(page):
    choose_policy(page, "chengdu-teachers/2018")
    enter_person(page, {"roles": ["teacher"]}, "2018-07-31")
    enter_entry(page, {"item": "reading-notes", "date": "2017-12-01", "count": 4})  # 12 → cap 8
    enter_entry(page, {"item": "degree-education", "date": "2018-01-10", "passed": 2, "failed": 1})
    enter_entry(page, {"item": "putonghua", "date": "2018-02-01", "level": "erjia-or-above"})
    enter_entry(page, {"item": "party-elearning", "date": "2018-03-01", "hours": 9})  # needs 党员教师
    card = page.locator("article.period", has=page.locator("h3#period-2017-2018"))
    notes = card.locator(".item-rows > li", has_text="继教网提交读书笔记").inner_text()
    assert "12 → 8 学分" in notes and "超出上限" in notes and "每学年最多 8 学分" in notes
    assert "22 学分" in card.locator(".item-rows > li", has_text="学历教育").inner_text()
    assert "14 学分" in card.locator(".item-rows > li", has_text="普通话测试").inner_text()
    row = page.locator("#entries li.entry", has_text="蓉城先锋")
    assert "不能计入" in row.inner_text() and "党员教师" in row.inner_text()
    page.check("#role-party-member")
    page.wait_for_function("!document.querySelector('#entries .entry-error')")
    assert "3 学分" in card.locator(".item-rows > li", has_text="蓉城先锋").inner_text()

    # Zhengzhou: 次年补学 declared for 2020 is not counted there (补学学时不计入当年年度考核)
    choose_policy(page, "zhengzhou-education/2021")
    enter_person(page, {"roles": ["staff"]}, "2021-12-20")
    enter_entry(page, {"item": "professional-city", "date": "2021-05-18", "hours": 20, "exam_passed": True,
                       "counts_for": "2020"})
    row = page.locator("#entries li.entry").first
    assert "申报计入2020年度" in row.inner_text()
    assert "不计入" in row.inner_text()
    enter_entry(page, {"item": "public-elective-course", "date": "2021-04-28", "hours": 4})
    assert "考试未合格" in page.locator("#entries li.entry", has_text="公需科目选修课").inner_text()


@pytest.mark.browser
@pytest.mark.slow
def test_guangzhou_cycle_needs_the_title_date(page):
    choose_policy(page, "guangzhou-cycle/2016")
    enter_person(page, {"roles": ["applicant"]}, "2016-05-20")
    enter_entry(page, {"item": "public-course", "date": "2015-03-27", "hours": 18})
    cycle = page.inner_text("#cycle")
    assert "请先填写“取得现职称日期”" in cycle
    assert page.inner_text("#as-of-label") == "申请日期（评估日期）"
    n = ready(page)
    page.fill("#person-date-title", "2011-07-01")
    wait_render(page, n)
    cycle = page.inner_text("#cycle")
    assert "取得现职称日期" not in cycle.split("统计范围")[0]
    assert "2015年度" in cycle and "2011年度" in cycle  # 2011…2015: 6 月 30 日前申请 → 到上一年
    assert "2016年度（截至 2016-05-20）" in cycle


@pytest.mark.browser
@pytest.mark.slow
def test_edit_delete_and_undo(page):
    choose_policy(page, "chengdu-teachers/2018")
    enter_person(page, {"roles": ["teacher"]}, "2018-07-31")
    enter_entry(page, {"item": "admin-training", "date": "2017-10-20", "hours": 24, "course": "区级培训"})
    page.click("#entries li.entry button:has-text('修改')")
    assert page.input_value("#f-hours") == "24"
    assert page.inner_text("#entry-submit") == "保存修改"
    page.fill("#f-hours", "30")
    n = ready(page)
    page.click("#entry-submit")
    wait_render(page, n)
    assert "30 学时" in page.inner_text("#entries")
    assert result(page)["periods"]["2017-2018"]["total"] == "30"
    n = ready(page)
    page.click("#entries li.entry button:has-text('删除')")
    wait_render(page, n)
    assert page.query_selector_all("#entries li.entry") == []
    assert "已删除" in page.inner_text("#undo-bar")
    n = ready(page)
    page.click("#undo-bar button")
    wait_render(page, n)
    assert "30 学时" in page.inner_text("#entries")


@pytest.mark.browser
@pytest.mark.slow
def test_the_form_says_what_is_wrong_beside_each_box(page):
    """The form's own checks (an empty box, a word where a number goes) and the engine's (a date outside the
    policy's years) are said beside the box they concern, in the catalog's words."""
    choose_policy(page, "guangzhou-cycle/2016")
    page.select_option("#item", "public-course")
    page.fill("#f-hours", "三")
    page.fill("#entry-date", "2017-03-01")
    page.click("#entry-submit")
    hours = page.inner_text("#f-hours-err")
    assert "应为不小于 0 的数字" in hours and page.get_attribute("#f-hours", "aria-invalid") == "true"
    assert page.inner_text("#entry-date-err") == "2017-03-01 不在本政策适用的期间内（… 至 2016-12-31）"
    assert "还不能添加" in page.inner_text("#form-errors")
    page.fill("#f-hours", "")
    page.click("#entry-submit")
    assert page.inner_text("#f-hours-err").startswith("请填写")


@pytest.mark.browser
@pytest.mark.slow
def test_damaged_storage_is_set_aside_and_said_in_words(context, site):
    """Data the page cannot use is kept as a copy and said once a bundle (with the catalog) is loaded."""
    pg = context.new_page()
    pg.add_init_script("""if (!sessionStorage.getItem('seeded')) {
        sessionStorage.setItem('seeded', '1');
        localStorage.setItem('jxjy-calculator/1', '{not json');
    }""")
    open_calculator(pg, site)
    assert pg.inner_text("#storage-warning") == "本机保存的数据已损坏，无法读取；已另存一份副本，计算器从空白开始。"
    assert pg.evaluate("localStorage.getItem('jxjy-calculator/1.bad')") == "{not json"
    store = {"version": 1, "current": "chengdu-teachers/2018", "ledgers": {"chengdu-teachers/2018": {
        "person": {"name": "", "roles": ["teacher"], "dates": {}}, "as_of": None,
        "entries": [{"item": "weike", "date": "2018-03-01", "hours": 3, "minutes": 2}]}}}
    pg.evaluate("s => localStorage.setItem('jxjy-calculator/1', s)", json.dumps(store))
    pg.reload()
    pg.wait_for_function("document.documentElement.dataset.ready && document.documentElement.dataset.ready !== 'error'")
    warning = pg.inner_text("#storage-warning")
    assert warning.startswith("本机保存的「") and "第 1 条记录：不认识的项「minutes」" in warning, warning
    assert pg.query_selector_all("#entries li.entry") == []
    pg.close()


@pytest.mark.browser
@pytest.mark.slow
def test_a_bad_stored_entry_keeps_the_good_ones_and_every_backup(context, site, tmp_path):
    """Issue 12 item 3: 8 good entries and one the page cannot use opened as 0 entries, saved an empty ledger
    at once, and the original went to one `.bad` slot that the next bad ledger overwrote. Now the 8 stay,
    the bad one is named and set aside, each original keeps a slot of its own and can be downloaded."""
    good = [{"item": "weike", "date": f"2018-0{m}-01", "hours": 3} for m in range(1, 9)]
    ledger = {"person": {"name": "", "roles": ["teacher"], "dates": {}}, "as_of": None,
              "entries": good[:4] + [{"item": "weike", "date": "2018-03-15", "hours": 3, "minutes": 2}] + good[4:]}
    other = {"person": {"name": "", "roles": ["teacher"], "dates": {}}, "as_of": None,
             "entries": [{"item": "weike", "date": "2018-03-01", "hours": "三"}]}
    store = {"version": 1, "current": "chengdu-teachers/2018",
             "ledgers": {"chengdu-teachers/2018": ledger, "shuangliu-teachers/2018": other}}
    pg = context.new_page()
    pg.add_init_script(f"""if (!sessionStorage.getItem('seeded')) {{
        sessionStorage.setItem('seeded', '1'); localStorage.setItem('jxjy-calculator/1', {json.dumps(json.dumps(store))}); }}""")
    open_calculator(pg, site, "chengdu-teachers/2018")
    warning = pg.inner_text("#storage-warning")
    assert warning.startswith("本机保存的「") and "有 1 条有误，已移出，其余 8 条照常保留" in warning, warning
    assert "第 5 条记录：不认识的项「minutes」" in warning
    assert len(pg.query_selector_all("#entries li.entry")) == 8
    saved = json.loads(pg.evaluate("localStorage.getItem('jxjy-calculator/1')"))
    assert saved["ledgers"]["chengdu-teachers/2018"]["entries"] == good
    assert json.loads(pg.evaluate("localStorage.getItem('jxjy-calculator/1.bad')")) == ledger
    with pg.expect_download() as dl:
        pg.click("#download-backup")
    assert json.loads(Path(dl.value.path()).read_text(encoding="utf-8")) == ledger
    choose_policy(pg, "shuangliu-teachers/2018")  # a second bad ledger: its own slot, the first one kept
    assert json.loads(pg.evaluate("localStorage.getItem('jxjy-calculator/1.bad')")) == ledger
    assert json.loads(pg.evaluate("localStorage.getItem('jxjy-calculator/1.bad.2')")) == other
    pg.close()


# ---------------------------------------------------------------------------------------------
# import / export
# ---------------------------------------------------------------------------------------------

def import_file(pg, name: str, text: str):
    pg.set_input_files("#import-file", files=[{"name": name, "mimeType": "application/json", "buffer": text.encode("utf-8")}])


BAD_FILES = {
    "not-json.json": ('{"format": "jxjy-ledger/1", "entries": [\n  {"item": "weike",}\n]}',
                      ["文件不是有效的 JSON", "第 2 行"]),
    "list.json": ("[1, 2]", ["台账的内容不对", "「[…]」"]),
    "other-policy.json": (json.dumps({"policy": {"id": "beijing-teachers", "edition": "2030"}, "entries": []}),
                          ["beijing-teachers/2030", "本计算器没有这个政策"]),
    "bad-rows.json": (json.dumps({
        "format": "jxjy-ledger/1", "policy": {"id": "chengdu-teachers", "edition": "2018"},
        "person": {"roles": ["teacher", "astronaut"]},
        "entries": [
            {"item": "admin-training", "date": "2018-03-01", "hours": 6},
            {"item": "weikee", "date": "2018-03-01", "hours": 3},
            {"item": "weike", "date": "2018-02-30", "hours": "three"},
            {"item": "putonghua", "date": "2018-03-01", "level": "yijia", "hours": 2},
            {"item": "school-based-training", "date": "2018-03-01"},
        ]}, ensure_ascii=False),
        ["第 2 条记录 · 登记项目：本政策没有登记项目「weikee」；是不是「weike」？",
         "第 3 条记录 · 学时：「three」不是不小于 0 的数",
         "第 3 条记录 · 完成日期：「2018-02-30」不是日期",
         "第 4 条记录 · 等级：等级「yijia」不是「普通话测试」的等级（可选：sanjia（三级甲等）、",
         "第 4 条记录 · 学时：「普通话测试」按等级登记，不填这一项",
         "第 5 条记录 · 学时：缺少学时",
         "个人信息 · 身份：身份「astronaut」不是本政策的身份"]),
    "odd-shapes.json": (json.dumps({
        "format": "jxjy-ledger/2", "extra": 1, "person": {"name": 5, "roles": "teacher"},
        "entries": [{"item": "weike", "date": "2018-03-01", "hours": 3, "minutes": 5, "note": "备" * 501}, 7]},
        ensure_ascii=False),
        ["不认识的项「extra」", "这不是学分台账文件（文件注明的格式是「jxjy-ledger/2」）",
         "个人信息 · 姓名：应为文字，实际是「5」", "个人信息 · 身份：身份应为一组身份编号，实际是「teacher」",
         "第 1 条记录：不认识的项「minutes」", "第 1 条记录 · 备注：不能超过 500 个字（现有 501 个）",
         "第 2 条记录：这一条不是完整的记录，实际是「7」"]),
}


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_refused_with_reasons_and_changes_nothing(page, name):
    choose_policy(page, "chengdu-teachers/2018")
    enter_person(page, {"roles": ["teacher"]}, "2018-07-31")
    enter_entry(page, {"item": "admin-training", "date": "2017-10-20", "hours": 24})
    stored = page.evaluate("localStorage.getItem('jxjy-calculator/1')")
    before = result(page)
    text, expected = BAD_FILES[name]
    import_file(page, name, text)
    page.wait_for_selector("#import-errors:not([hidden])")
    message = page.inner_text("#import-errors")
    assert f"未导入「{name}」" in message and "当前数据没有改变" in message
    for part in expected:
        assert part in message, message
    assert page.evaluate("localStorage.getItem('jxjy-calculator/1')") == stored
    assert result(page) == before
    assert len(page.query_selector_all("#entries li.entry")) == 1


@pytest.mark.browser
@pytest.mark.slow
def test_export_is_a_valid_ledger_and_imports_back(page, browser, site, tmp_path):
    import jsonschema

    choose_policy(page, "guangdong/2018")
    ledger = sample("guangdong")
    enter_person(page, ledger["person"], "2019-12-31")
    for entry in ledger["entries"]:
        enter_entry(page, entry)
    doc = exported(page, tmp_path)
    schema = json.loads((ROOT / "schemas" / "ledger.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["format"] == "jxjy-ledger/1"
    assert doc["person"]["name"] == ledger["person"]["name"]
    want = result(page)

    # a fresh browser profile (no localStorage) opened on another policy imports it back
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        other = ctx.new_page()
        watch = Watch(other)
        open_calculator(other, site, "chengdu-teachers/2018")
        n = ready(other)
        import_file(other, "ledger.json", json.dumps(doc, ensure_ascii=False))
        wait_render(other, n)
        other.wait_for_function("window.JXJY_CALCULATOR.policy === 'guangdong/2018'")
        other.wait_for_selector("#import-status:has-text('已导入')")
        assert "4 条记录" not in other.inner_text("#import-status")
        assert f"{len(ledger['entries'])} 条记录" in other.inner_text("#import-status")
        n = ready(other)
        other.fill("#as-of", "2019-12-31")
        wait_render(other, n)
        assert result(other) == want
        watch.check()
    finally:
        ctx.close()


@pytest.mark.browser
@pytest.mark.slow
def test_import_reads_decimal_json_numbers_exactly(page):
    """JSON numbers such as 2.5 are read as the decimal written (the engine refuses binary floats)."""
    choose_policy(page, "chengdu-teachers/2018")
    doc = {"format": "jxjy-ledger/1", "policy": {"id": "chengdu-teachers", "edition": "2018"},
           "person": {"roles": ["teacher"]},
           "entries": [{"item": "school-based-training", "date": "2018-03-01", "hours": 2.5},
                       {"item": "school-based-training", "date": "2018-03-02", "hours": "0.1"},
                       {"item": "school-based-training", "date": "2018-03-03", "hours": "0.2"}]}
    n = ready(page)
    import_file(page, "decimals.json", json.dumps(doc))
    wait_render(page, n)
    page.wait_for_selector("#import-status:has-text('已导入')")
    n = ready(page)
    page.fill("#as-of", "2018-07-31")
    wait_render(page, n)
    got = result(page)
    assert got["errors"] == []
    assert got["periods"]["2017-2018"]["items"]["school-based-training"]["credited"] == "1.4"  # (2.5+0.1+0.2) × 0.5


@pytest.mark.browser
@pytest.mark.slow
def test_two_tabs_share_the_data(context, site):
    a, b = context.new_page(), context.new_page()
    watches = [Watch(a), Watch(b)]
    open_calculator(a, site, "chengdu-teachers/2018")
    open_calculator(b, site, "chengdu-teachers/2018")
    enter_entry(a, {"item": "admin-training", "date": "2017-10-20", "hours": 24})
    b.wait_for_function("document.querySelectorAll('#entries li.entry').length === 1")
    for w in watches:
        w.check()


@pytest.mark.browser
@pytest.mark.slow
def test_user_text_is_never_markup(page):
    choose_policy(page, "chengdu-teachers/2018")
    evil = '<img src=x onerror="window.__pwned=1">'
    enter_person(page, {"roles": ["teacher"], "name": evil}, "2018-07-31")
    enter_entry(page, {"item": "admin-training", "date": "2017-10-20", "hours": 2, "course": evil,
                       "evidence": "</li><script>window.__pwned=2</script>", "note": "{{7*7}} ${7*7}"})
    assert page.evaluate("document.querySelectorAll('img, script:not([src])').length") == 0
    assert page.evaluate("window.__pwned") is None
    assert evil in page.inner_text("#entries")
    assert "{{7*7}} ${7*7}" in page.inner_text("#entries")
    js = (ROOT / "calculator" / "app.js").read_text(encoding="utf-8")
    assert not re.search(r"\.(innerHTML|outerHTML)\b|insertAdjacentHTML\(|document\.write|\beval\(|new Function\(", js)


# ---------------------------------------------------------------------------------------------
# keyboard, zoom, screenshots, print, accessibility
# ---------------------------------------------------------------------------------------------

def tab_to(pg, element_id: str, limit: int = 120):
    for _ in range(limit):
        pg.keyboard.press("Tab")
        if pg.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} is not reachable with Tab")


@pytest.mark.browser
@pytest.mark.slow
def test_keyboard_only(page):
    choose_policy(page, "chengdu-teachers/2018")
    enter_person(page, {"roles": ["teacher"]}, "2018-07-31")
    page.evaluate("document.activeElement.blur()")
    tab_to(page, "item")
    page.keyboard.press("ArrowDown")  # first item of the first group
    first = page.evaluate("document.getElementById('item').value")
    assert first
    tab_to(page, "f-credits" if page.query_selector("#f-credits") else "f-hours")
    page.keyboard.type("5")
    tab_to(page, "entry-date")
    # the date field's segment order follows the browser's UI locale, not the page's: try each
    for digits in ("03152018", "20180315", "15032018"):
        page.keyboard.type(digits)
        if page.input_value("#entry-date") == "2018-03-15":
            break
        for _ in range(3):
            page.keyboard.press("Shift+Tab")
        tab_to(page, "entry-date")
    n = ready(page)
    page.keyboard.press("Enter")
    wait_render(page, n)
    assert len(page.query_selector_all("#entries li.entry")) == 1
    # delete with the keyboard, then undo: focus lands on the undo button
    page.focus("#entries button.danger")
    n = ready(page)
    page.keyboard.press("Enter")
    wait_render(page, n)
    assert page.evaluate("document.activeElement.textContent") == "撤销删除"
    n = ready(page)
    page.keyboard.press("Enter")
    wait_render(page, n)
    assert len(page.query_selector_all("#entries li.entry")) == 1
    # every control has a label, and a visible focus indicator is defined
    unlabelled = page.evaluate("""() => Array.from(document.querySelectorAll('input, select, textarea'))
        .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
        .map(e => e.id)""")
    assert unlabelled == []


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [320, 360, 640, 1280])
def test_no_horizontal_scrolling(page, width):
    """360 px phones, and 1280 px at 200 % zoom (= 640 CSS px) or 400 % (= 320): content reflows."""
    page.set_viewport_size({"width": width, "height": 800})
    choose_policy(page, "chengdu-teachers/2018")
    enter_person(page, {"roles": ["teacher", "title-applicant"], "name": "赵老师"}, "2018-07-31")
    enter_entry(page, {"item": "quality-improvement", "date": "2017-10-20", "hours": 24,
                       "course": "一个非常非常长的课程名称" * 6})
    open_all_details(page)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width


@pytest.mark.browser
@pytest.mark.slow
def test_screenshots_and_the_total_that_stays_on_screen(page, tmp_path):
    """After adding an entry the result is on screen at once: a bar at the foot of the screen shows the period's
    total against its main requirement, wherever the teacher has scrolled (360 px and 1280 px)."""
    choose_policy(page, "chengdu-teachers/2018")
    ledger = sample("chengdu-teachers")
    enter_person(page, ledger["person"], "2018-07-31")
    assert page.is_hidden("#sticky-total")  # nothing entered, nothing to show
    for entry in ledger["entries"]:
        enter_entry(page, entry)
    page.locator("article.period .item-rows > li", has_text="继教网提交读书笔记").locator("summary").click()
    total = page.evaluate("window.JXJY_CALCULATOR.result.periods['2017-2018'].total")
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        save_shot(page, tmp_path, f"calculator-{width}.png", full_page=True)
        page.locator("#entry-submit").scroll_into_view_if_needed()
        bar = page.locator("#sticky-total").bounding_box()
        assert bar and 900 - 2 <= bar["y"] + bar["height"] <= 900 + 1, bar  # at the foot of the viewport
        assert f"{total} / 72 学分" in page.inner_text("#sticky-total")
        save_shot(page, tmp_path, f"calculator-{width}-entry.png")
        page.locator("#results").scroll_into_view_if_needed()
        save_shot(page, tmp_path, f"calculator-{width}-results.png")
    # printing the page itself prints the results (the statement to hand in is the forms' page)
    page.emulate_media(media="print")
    assert page.is_hidden("#entry-form") and page.is_hidden("#sticky-total") and page.is_visible("#results")
    page.emulate_media(media=None)


@pytest.mark.browser
@pytest.mark.slow
def test_the_bar_shows_the_period_the_teacher_is_entering(page):
    """Records of the school year just ended, entered in September (when Chengdu's 审证 is held): the bar shows
    that year's total, not the new year's nought; after a record of another year, that year's."""
    choose_policy(page, "chengdu-teachers/2018")
    enter_person(page, {"roles": ["teacher"]}, "2018-09-15")
    enter_entry(page, {"item": "weike", "hours": 8, "date": "2018-03-15"})
    done = result(page)["periods"]["2017-2018"]
    bar = page.inner_text("#sticky-total")
    assert "2017—2018学年" in bar and f"{done['requirements']['annual-total']['actual']} / 72 学分" in bar, bar
    assert done["requirements"]["annual-total"]["actual"] != "0"
    enter_entry(page, {"item": "weike", "hours": 3, "date": "2018-09-01"})
    bar = page.inner_text("#sticky-total")
    assert "2018—2019学年" in bar and "1 / 72 学分" in bar, bar


@pytest.mark.browser
@pytest.mark.slow
def test_axe_reports_no_serious_or_critical_violation(browser, site):
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `npm ci` (or `npm install --save-dev axe-core`) at the repository root")
    # bypass_csp: axe is injected as an inline script, which the page's own CSP rightly forbids
    for width in (360, 1280):
        ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", bypass_csp=True)
        try:
            pg = ctx.new_page()
            watch = Watch(pg)
            open_calculator(pg, site, "guangzhou-cycle/2016")
            ledger = sample("guangzhou-cycle")
            enter_person(pg, ledger["person"], "2016-05-20")
            for entry in ledger["entries"][:6]:
                enter_entry(pg, entry)
            pg.select_option("#item", "patent")  # a level select in the form
            pg.click("#entry-submit")  # and its error messages
            open_all_details(pg)
            pg.add_script_tag(path=str(AXE))
            violations = pg.evaluate("""async () => {
                const r = await axe.run(document, {resultTypes: ['violations'], preload: false});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
            }""")
            bad = [v for v in violations if v["impact"] in ("serious", "critical")]
            assert bad == [], json.dumps(bad, ensure_ascii=False, indent=1)
            watch.check()
        finally:
            ctx.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(SCENARIOS))
def test_rule_prose_is_the_guidance_sites(page, site, key):
    """The page ports generator/rule_text.py onto the bundle's messages: same sentences as the site."""
    from generator.rules import prose as rule_text

    policy = site["policies"][key]
    choose_policy(page, key)
    prose = page.evaluate("window.JXJY_CALCULATOR.prose()")
    assert prose["items"] == {item.id: rule_text.rule_sentence(policy, item) for item in policy.items}
    assert prose["windows"] == {c.id: rule_text.check_window_phrase(policy, c.window) for c in policy.checks}
    assert prose["cycle"] == rule_text.cycle_phrase(policy)


@pytest.mark.browser
@pytest.mark.slow
def test_clause_anchors_and_citations_match_the_site(page, site):
    """Trace lines cite a clause as the site does (document number and printed clause number) and link to the
    anchor the source page carries (both come with the edition's data)."""
    choose_policy(page, "chengdu-teachers/2018")
    policy = site["policies"]["chengdu-teachers/2018"]
    ids = [c.id for c in policy.clauses]
    got = page.evaluate("ids => ids.map(i => window.JXJY_CALCULATOR.clauseAnchor(i))", ids)
    assert got == [clause_anchor(i) for i in ids]
    page.select_option("#item", "weike")
    assert page.inner_text("#item-help .clause").strip() == "〔成教继（2018）1号 二（三）1（2）第三〕"


@pytest.mark.browser
@pytest.mark.slow
def test_clause_ids_link_to_the_guidance_source_page(browser, built_site):
    """In the site `jxjy build` made (tests/conftest.py), where the guidance pages are beside the calculator."""
    calculator = built_site.site_dir / "calculator"
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        pg = ctx.new_page()
        watch = Watch(pg)
        open_calculator(pg, {"url": (calculator / "index.html").as_uri()}, "chengdu-teachers/2018")
        pg.select_option("#item", "weike")
        link = pg.locator("#item-help a.clause").first
        href = link.get_attribute("href")
        anchor = clause_anchor("二(三)1(2)第三")
        assert href == f"../chengdu-teachers/2018/source.html#{anchor}"
        assert f'id="{anchor}"' in (calculator / href.split("#")[0]).read_text(encoding="utf-8")  # not a broken link
        assert pg.locator("#site-link a").get_attribute("href") == "../index.html"
        watch.check()
    finally:
        ctx.close()


@pytest.mark.browser
@pytest.mark.slow
def test_missing_bundles_say_what_to_do(browser, tmp_path):
    write_calculator(tmp_path / "calculator", guidance_pages=False)
    ctx = browser.new_context(locale="zh-CN")
    try:
        pg = ctx.new_page()
        errors = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto((tmp_path / "calculator" / "index.html").as_uri())
        pg.wait_for_function("document.documentElement.dataset.ready === 'error'")
        assert "没有找到规则数据" in pg.inner_text("#load-error")
        assert errors == []
    finally:
        ctx.close()
