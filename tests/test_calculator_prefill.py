"""The calculator's "用我的记录生成表格": from the teacher's entries to a prefilled form page.

The calculator lists each edition's forms (config.js, written by generator.outputs.calculator.assets from
the forms generator.outputs.forms.render.write_forms wrote); a click stores the prefill payload in
localStorage["jxjy-prefill:<policy>/<edition>"] and opens ``<form>.html#prefill=local`` in a new tab
(docs/forms.md, "Prefill contract"). Both pages are opened from file://, as in
tests/test_calculator_browser.py: console errors, uncaught exceptions and requests that leave the
site fail the test. Needs playwright and /usr/bin/chromium, else the browser tests skip.

Set JXJY_SCREENSHOT_DIR=<dir> to keep the screenshot of the prefilled form.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from generator.base.rational import format_rational
from generator.outputs.calculator.assets import detect_forms, write_calculator
from generator.outputs.calculator.data import read_registered
from generator.rules.engine import entry_credit, evaluate

ROOT = Path(__file__).resolve().parent.parent
LOCAL_SCHEMES = ("file:", "data:", "blob:")
KEY = "chengdu-teachers/2018"
AS_OF = "2018-07-31"
PERSON = {"name": "王小明", "school": "成都市<b>实验</b>小学", "subject": "小学数学"}
ENTRIES = [  # typed into the calculator in this order
    {"item": "admin-training", "date": "2017-10-20", "hours": "24", "course": "区教育局组织的数学学科培训"},
    {"item": "school-based-training", "date": "2018-04-25", "hours": "26", "course": "校本研修：课堂观察"},
    {"item": "lecture-attendee", "date": "2018-05-18", "hours": "8", "course": "专题讲座：作业设计"},
    {"item": "school-based-training", "date": "2017-11-02", "hours": "3.5", "course": "校本研修：说课"},
]


# ---------------------------------------------------------------------------------------------
# without a browser: what config.js lists, and the build order


@pytest.fixture(scope="module")
def policies(built_site):
    return {p.key: p for p in built_site.policies}


@pytest.fixture(scope="module")
def site(built_site, tmp_path_factory):
    """The session's whole site (tests/conftest.py: `jxjy build`, forms written before the calculator),
    and beside it a calculator over the same bundles that was told there are no forms."""
    noforms = tmp_path_factory.mktemp("prefill-noforms") / "calculator-noforms"
    write_calculator(noforms, forms_dir=False, bundles_dir=built_site.site_dir / "bundles")
    return {"dir": built_site.site_dir, "calculator": built_site.site_dir / "calculator", "noforms": noforms}


def forms_of(path: Path) -> dict:
    """What an edition's data file registers as JXJY_FORMS ({} when none)."""
    return read_registered(path, "JXJY_FORMS")


@pytest.mark.slow
def test_the_edition_data_lists_the_forms_that_exist(site):
    data = site["calculator"] / "data"
    forms = forms_of(data / f"{KEY}.js")
    assert list(forms) == [KEY]
    # each edition lists its own forms, only when some were written, and nothing in the other editions' downloads
    editions = [p for p in data.glob("*/*.js") if not p.name.endswith(".texts.js")]
    for path in editions:
        key = path.relative_to(data).as_posix()[:-len(".js")]
        written = (site["dir"] / "forms" / key / "index.json").is_file()
        assert list(forms_of(path)) == ([key] if written else []), key
    # every edition has forms now: at least its personal statement, which the calculator prints
    assert all(any(f["statement"] for f in forms_of(p)[key]) for p in editions
               for key in [p.relative_to(data).as_posix()[:-len(".js")]])
    by_id = {f["id"]: f for f in forms[KEY]}
    registration = by_id["flexible-registration-form"]
    assert registration["title"] == "2017～2018学年度成都市教师灵活性培训学分登记表"
    assert registration["attachment"] == "附件2" and registration["prefill"] is True
    assert registration["html"] == "../forms/chengdu-teachers/2018/flexible-registration-form.html"
    assert registration["items"][:2] == ["school-based-training", "lecture-attendee"]
    statement = by_id["personal-credit-statement"]  # laid out by jxjy: the calculator prints it
    assert statement["prefill"] is True and statement["statement"] is True and statement["fillable_pdf"]
    assert by_id["title-review-report"]["prefill"] is True  # 附件3: the five-year breakdown of one teacher
    assert "annual-review-report" not in by_id  # the source only names it: no empty sheet to offer
    assert by_id["school-based-roster"]["prefill"] is False  # a school's roster: nothing of one teacher's
    for form in forms[KEY]:
        for kind in ("html", "fillable_pdf", "blank_pdf"):
            if form[kind]:
                assert (site["calculator"] / form[kind]).resolve().is_file(), form[kind]
    assert forms_of(site["noforms"] / "data" / f"{KEY}.js") == {}


@pytest.mark.slow
def test_only_existing_files_are_listed(site, tmp_path):
    forms = tmp_path / "forms"
    shutil.copytree(site["dir"] / "forms", forms)
    (forms / "chengdu-teachers" / "2018" / "flexible-registration-form-fillable.pdf").unlink()
    (forms / "chengdu-teachers" / "2018" / "title-review-report.html").unlink()
    found = {f["id"]: f for f in detect_forms(tmp_path / "calculator", forms)[KEY]}
    assert "title-review-report" not in found
    assert found["flexible-registration-form"]["fillable_pdf"] is None
    blank = "../forms/chengdu-teachers/2018/flexible-registration-form-blank.pdf"
    assert found["flexible-registration-form"]["blank_pdf"] == blank
    assert detect_forms(tmp_path / "calculator", tmp_path / "nothing-here") is None


def test_the_site_writes_forms_before_the_calculator():
    from generator.outputs.site.producers import site_producers

    assert [p.folder for p in site_producers(with_forms=True)] == ["bundles", "forms", "calculator"]
    # --no-forms: no forms, so the calculator links none
    assert [p.folder for p in site_producers(with_forms=False)] == ["bundles", "calculator"]


# ---------------------------------------------------------------------------------------------
# the browser



class Watch:
    """Console errors, uncaught exceptions and non-local requests of every page of a context."""

    def __init__(self, context):
        self.errors: list[str] = []
        self.external: list[str] = []
        context.on("page", self.attach)

    def attach(self, page):
        page.on("console", lambda m: self.errors.append(f"{page.url}: console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: uncaught: {e}"))
        page.on("request", lambda r: None if r.url.startswith(LOCAL_SCHEMES) else self.external.append(r.url))

    def check(self):
        assert self.errors == [], self.errors
        assert self.external == [], f"requests left the site: {self.external}"


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    watch = Watch(ctx)
    yield ctx
    ctx.close()
    watch.check()


def ready(pg) -> int:
    return int(pg.evaluate("document.documentElement.dataset.ready"))


def wait_render(pg, before: int):
    pg.wait_for_function("n => Number(document.documentElement.dataset.ready) > n", arg=before)


def open_calculator(context, url: str):
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.goto(url + "#policy=" + KEY)
    pg.wait_for_function("k => window.JXJY_CALCULATOR && window.JXJY_CALCULATOR.policy === k "
                         "&& Number(document.documentElement.dataset.ready) > 0", arg=KEY)
    return pg


def enter(pg):
    n = ready(pg)
    pg.fill("#as-of", AS_OF)
    wait_render(pg, n)
    for key, value in PERSON.items():
        pg.fill(f"#person-{key}", value)
    for entry in ENTRIES:
        pg.select_option("#item", entry["item"])
        pg.fill("#f-hours", entry["hours"])
        pg.fill("#entry-date", entry["date"])
        pg.fill("#entry-course", entry["course"])
        n = ready(pg)
        pg.click("#entry-submit")
        wait_render(pg, n)
        assert pg.is_hidden("#form-errors"), pg.inner_text("#form-errors")


def open_form(context, pg, name: str, keyboard: bool = False):
    link = pg.get_by_role("link", name=re.compile(name))
    with context.expect_page() as info:
        if keyboard:
            link.focus()
            pg.keyboard.press("Enter")
        else:
            link.click()
    form = info.value
    form.set_default_timeout(15000)
    form.wait_for_load_state()
    form.wait_for_function("document.getElementById('jxjy-status').textContent !== ''")
    return form


def save_shot(pg, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    pg.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("JXJY_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / name)
    return path


@pytest.mark.browser
@pytest.mark.slow
def test_generate_my_forms_from_the_calculator(context, site, policies, tmp_path):
    pg = open_calculator(context, (site["calculator"] / "index.html").as_uri())
    assert pg.is_visible("#form-gen")
    enter(pg)
    assert "2017—2018学年" in pg.inner_text("#form-period-flexible-registration-form")
    # the PDFs of the form are offered beside it, and they are there
    pdfs = pg.locator("#form-list a[download]")
    assert pdfs.count() >= 4
    for href in pdfs.evaluate_all("links => links.map(a => a.href)"):
        assert href.startswith("file:") and Path(unquote(urlparse(href).path)).is_file(), href

    form = open_form(context, pg, "灵活性培训学分登记表（附件2）")
    assert form.url.endswith("flexible-registration-form.html")  # the fragment is consumed
    assert form.inner_text("#jxjy-status") == "已按计算器的登记记录预填"
    value = lambda name: form.input_value(f'[name="{name}"]')
    assert value("h:teacher-name") == "王小明"
    assert value("h:school") == PERSON["school"]  # typed text stays text
    assert value("h:subject") == "小学数学"
    # 校本培训: both entries of 2017-2018, by date; 学分 computed by the item's rule (0.5 per hour)
    assert [value(f"s:school-based-training:1:{c}") for c in ("time", "content", "hours", "credits")] == \
        ["2017-11-02", "校本研修：说课", "3.5", "1.75"]
    assert [value(f"s:school-based-training:2:{c}") for c in ("time", "content", "hours", "credits")] == \
        ["2018-04-25", "校本研修：课堂观察", "26", "13"]
    assert [value(f"s:lecture-attendee:1:{c}") for c in ("time", "content", "hours", "credits")] == \
        ["2018-05-18", "专题讲座：作业设计", "8", "4"]
    assert value("s:teaching-research:1:hours") == ""  # nothing entered for it
    # the payload came through localStorage, which file:// pages share in Chromium
    stored = json.loads(pg.evaluate("localStorage.getItem('jxjy-prefill:chengdu-teachers/2018')"))
    assert stored["format"] == "jxjy-form-prefill/1" and stored["period"] == "2017-2018"
    assert stored["policy"] == {"id": "chengdu-teachers", "edition": "2018"}
    assert stored["ledger"]["person"]["name"] == "王小明" and len(stored["ledger"]["entries"]) == 4
    assert "trace" not in stored["result"]
    shot = save_shot(form, tmp_path, "prefilled-registration-form.png")
    assert shot.stat().st_size > 10_000
    form.reload()  # prefilled once; a reload keeps what is now on the form
    assert form.input_value('[name="s:school-based-training:2:credits"]') == "13"
    form.close()

    # 个人学分统计表: the calculator's print button opens the same form page a reviewer gets (and its PDFs),
    # filled with the records of the period; opened by keyboard
    assert not pg.locator("#form-list").get_by_role("link", name=re.compile("个人学分统计表")).count()
    statement = open_form(context, pg, "^打印2017～2018学年度个人学分统计表$", keyboard=True)
    assert statement.url.endswith("personal-credit-statement.html")
    value = lambda name: statement.input_value(f'[name="{name}"]')  # noqa: E731
    assert [value(f"h:{f}") for f in ("name", "school", "subject", "period")] == \
        ["王小明", PERSON["school"], "小学数学", "2017～2018学年度"]  # as the form's title writes it
    policy = policies[KEY]
    ledger = {"person": {"roles": ["teacher"]}, "entries": [dict(e) for e in ENTRIES]}
    by_date = sorted(ENTRIES, key=lambda e: e["date"])
    for r, entry in enumerate(by_date, 1):
        item = policy.get_item(entry["item"])
        assert [value(f"s:entries:{r}:{c}") for c in ("date", "item", "category", "content", "amount", "credits")] == \
            [entry["date"], item.name, policy.category(item.category).name, entry["course"], f"{entry['hours']} 学时",
             format_rational(entry_credit(policy, entry))]
    credited = evaluate(policy, ledger, as_of=AS_OF)["periods"]["2017-2018"]
    assert value("t:total") == credited["total"] and value("t:category-flexible") == credited["categories"]["flexible"]
    # under the totals: the edition, its rules revision, the evaluation date and the code the calculator showed
    code = pg.evaluate("window.JXJY_CALCULATOR.code")
    assert re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", code)
    info = statement.inner_text("#jxjy-statement-info")
    assert f"{policy.title}；规则第 {policy.revision.number} 版；评估日期 {AS_OF}" in info
    assert f"校验码 {code}" in info
    save_shot(statement, tmp_path, "prefilled-personal-credit-statement.png")
    statement.close()

    # 附件3 (评职称用): this teacher's row from the five school years of the 职评 window, 小计 and 合计 summed
    report = open_form(context, pg, "送审报表（评职称用）（附件3）")
    cell = lambda c: report.input_value(f'[name="s:teachers:1:{c}"]')  # noqa: E731
    assert cell("name") == "王小明" and cell("subject") == "小学数学"
    assert [cell(f"normative-y{n}") for n in range(1, 6)] == ["0", "0", "0", "0", credited["categories"]["normative"]]
    assert [cell(f"flexible-y{n}") for n in range(1, 6)] == ["0", "0", "0", "0", credited["categories"]["flexible"]]
    assert cell("total") == credited["total"] and cell("flexible-subtotal") == credited["categories"]["flexible"]
    save_shot(report, tmp_path, "prefilled-title-review-report.png")
    report.close()
    pg.close()


@pytest.mark.browser
@pytest.mark.slow
def test_a_chosen_period_and_a_school_roster(context, site):
    pg = open_calculator(context, (site["calculator"] / "index.html").as_uri())
    enter(pg)
    pg.select_option("#print-period", "2017-2018")
    assert "2017—2018学年" in pg.inner_text("#form-period-title-review-report")
    roster = pg.get_by_role("link", name=re.compile("校本研修参培人员花名册（附件1）"))
    assert roster.get_attribute("href").endswith("school-based-roster.html")  # no prefill: the blank page
    assert "不按个人记录预填" in pg.inner_text("#form-period-school-based-roster")
    pg.close()


@pytest.mark.browser
@pytest.mark.slow
def test_without_forms_nothing_is_offered(context, site):
    pg = open_calculator(context, (site["noforms"] / "index.html").as_uri())
    assert pg.is_hidden("#form-gen") and pg.is_hidden("#print-controls")  # nothing to print or fill without forms
    assert pg.locator("#form-list li").count() == 0
    pg.close()


@pytest.mark.browser
@pytest.mark.slow
def test_the_form_list_fits_360px_and_passes_axe(browser, site):
    axe = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if not axe.exists():
        pytest.skip("axe-core is not installed: run `npm ci` at the repository root")
    ctx = browser.new_context(viewport={"width": 360, "height": 900}, locale="zh-CN", bypass_csp=True)  # axe is inline
    watch = Watch(ctx)
    try:
        pg = open_calculator(ctx, (site["calculator"] / "index.html").as_uri())
        enter(pg)
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling at 360 px
        pg.add_script_tag(path=str(axe))
        violations = pg.evaluate("""async () => {
            const r = await axe.run('#data', {resultTypes: ['violations'], preload: false});
            return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }""")
        assert [v for v in violations if v["impact"] in ("serious", "critical")] == [], violations
    finally:
        ctx.close()
    watch.check()
