"""The guide as its readers meet it (issue #14): search that finds, readers' words only, clean and ordered
sources, clause links that land, forms that fill themselves, phones first.

One `jxjy build` of policies/ (pages, bundles, forms, calculator), read in Debian's chromium through
Playwright (executable_path, never `playwright install`). Set JXJY_SCREENSHOT_DIR=<dir> to keep the
screenshots of every page type at 360 px and 1280 px, `jxjy serve`'s error pages, and each blank PDF's first
page (pdftoppm), to look at before calling a change done.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from generator.cli.main import main
from generator.outputs import anchors
from generator.policy.loader import validate_paths

# One `jxjy build` of policies/ only — the site readers get (the session's built_site also holds the test
# fixtures, whose pages would change what a search ranks first) — read in chromium.
pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = os.environ.get("JXJY_SCREENSHOT_DIR")

# What people type, and the page that must be among the first three results: item names, levels and their
# short forms, categories, roles, the notices' own short forms, deadlines, amounts.
QUERIES = [
    ("学时", "guangdong/2018/requirements.html"),
    ("普通话", "chengdu-teachers/2018/items.html"),
    ("普通话测试", "chengdu-teachers/2018/items.html"),
    ("二乙", "chengdu-teachers/2018/source.html"),
    ("二级乙等", "chengdu-teachers/2018/items.html"),
    ("三甲", "chengdu-teachers/2018/source.html"),
    ("微课", "chengdu-teachers/2018/items.html"),
    ("文翁大讲堂", "chengdu-teachers/2018/items.html"),
    ("师徒结队", "chengdu-teachers/2018/items.html"),
    ("菜单培训", "chengdu-teachers/2018/items.html"),
    ("读书笔记", "chengdu-teachers/2018/items.html"),
    ("支教", "chengdu-teachers/2018/items.html"),
    ("公需课", "guangdong/2018/items.html"),
    ("选修课", "guangdong/2018/items.html"),
    ("面授培训", "guangdong/2018/items.html"),
    ("年度认证", "guangdong/2018/index.html"),
    ("继教证书", "chengdu-teachers/2018/workflows.html"),
    ("继教网", "chengdu-teachers/2018/items.html"),
    ("规范性培训", "chengdu-teachers/2018/requirements.html"),
    ("班主任", "chengdu-teachers/2018/requirements.html"),
    ("新任教师", "chengdu-teachers/2018/requirements.html"),
    ("双流中学", "shuangliu-teachers/2018/timeline.html"),
    ("6月20日", "chengdu-teachers/2018/timeline.html"),
    ("9月1日", "chengdu-teachers/2018/timeline.html"),
    ("12月20日", "zhengzhou-education/2021/timeline.html"),
    ("7月31日", "chengdu-teachers/2018/index.html"),
    ("周期验证", "guangzhou-cycle/2016/requirements.html"),
    ("送审报表", "chengdu-teachers/2018/forms.html"),
    ("花名册", "chengdu-teachers/2018/forms.html"),
    ("个人学分统计表", "chengdu-teachers/2018/forms.html"),
    ("办班计划", "guangdong/2018/workflows.html"),
    ("财政部门", "guangdong-accounting/2018/index.html"),
    ("90学分", "guangdong-accounting/2018/requirements.html"),
    ("72学时", "guangdong/2018/requirements.html"),
    ("360学分", "chengdu-teachers/2018/requirements.html"),
]

# Words a teacher or reviewer must never read: field names, format ids, commands, authors' clause ids and
# policy ids, build words, and what a program prints when a value is missing.
INTERNAL = re.compile(
    r"\b(counts_for|as_of|exam_passed|half_days|undefined_in_source|sum_of|all_items|prefill|text_file)\b"
    r"|jxjy-[a-z-]+/\d|\bjxjy\s+(build|check|serve|validate|test|forms|roster|bundle|calculator)\b|\bmkdocs\b"
    r"|种子|\bseeds?\b|(系统|解读|会计|双流|277号|11号)-|附件\d-[^\s]"
    r"|\b(chengdu-teachers|shuangliu-teachers|guangdong-accounting|guangzhou-cycle|zhengzhou-education)\b"
    r"|\bNone\b|\bnull\b|\bundefined\b|\bNaN\b|\[object Object\]")
GUIDE_ONLY = re.compile(r"评估日")  # the calculator's term, not the guide's


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("guide")
    code = main(["build", "policies", "--site-dir", str(out / "site"), "--docs-dir", str(out / "docs")])
    assert code == 0
    return out / "site"


@pytest.fixture(scope="module")
def policies():
    found, diags = validate_paths([ROOT / "policies"])
    assert not diags
    return {p.key: p for p in found}


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.set_default_timeout(20000)
    yield pg
    ctx.close()
    assert errors == [], errors


def shoot(pg, name: str, tmp_path: Path, full: bool = True) -> Path:
    path = Path(SCREENSHOTS) / name if SCREENSHOTS else tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(path), full_page=full)
    assert path.stat().st_size > 15_000, f"{name} looks blank"
    return path


class _Text(HTMLParser):
    """The text a reader sees: no scripts, styles, attributes or hidden elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template") or (tag != "input" and "hidden" in dict(attrs)):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts))


# ---------------------------------------------------------------------------------------------
# search


def search(pg, site: Path, query: str) -> list[tuple[str, str, str]]:
    """(page, title, highlighted terms) of each result, in the order shown, pages once."""
    pg.goto((site / "index.html").as_uri() + "?q=" + quote(query))
    pg.wait_for_function("() => { const m = document.querySelector('.md-search-result__meta');"
                         " return m && /\\d|没有/.test(m.innerText); }")
    items = pg.eval_on_selector_all(".md-search-result__item > a", """els => els.map(e => [
        e.getAttribute('href'), (e.querySelector('h1, h2') || {innerText: ''}).innerText])""")
    out: list[tuple[str, str, str]] = []
    for href, title in items:
        path = unquote(href.split("?")[0].split("#")[0])
        rel = path.split(str(site) + "/", 1)[-1]
        terms = unquote((re.search(r"[?&]h=([^#&]*)", href) or [None, ""])[1]).replace("+", " ")
        if rel not in [r for r, _, _ in out]:
            out.append((rel, title.replace("\u200b", ""), terms))
    return out


@pytest.mark.parametrize("query,expected", QUERIES, ids=[q for q, _ in QUERIES])
def test_search_finds_what_people_type(page, site, query, expected):
    results = search(page, site, query)
    top = [r for r, _, _ in results[:3]]
    assert expected in top, f"{query}: {results[:5]}"
    # the whole word is what is looked for and highlighted (学时, not 学)
    mine = next(r for r in results if r[0] == expected)
    assert not mine[2] or query.replace(" ", "") in mine[2].replace(" ", "") or mine[2] in query, mine


def test_results_say_whose_page_it_is_and_diagrams_are_not_indexed(page, site, policies):
    results = search(page, site, "登记流程")
    titles = {rel: title for rel, title, _ in results}
    chengdu, shuangliu = titles.get("chengdu-teachers/2018/workflows.html"), titles.get("shuangliu-teachers/2018/workflows.html")
    assert chengdu and shuangliu and chengdu != shuangliu
    assert chengdu == "登记流程｜" + policies["chengdu-teachers/2018"].label
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(d["title"] + " " + d["text"] for d in index["docs"])
    assert "flowchart" not in text and "&lt;br/&gt;" not in text and "<br/>" not in text and "s1[" not in text
    assert len(QUERIES) >= 25


# ---------------------------------------------------------------------------------------------
# readers' words


def _reader_pages(site: Path) -> list[Path]:
    skip = ("developers.html", "404.html", "bundles/", "assets/", "search/")
    return [p for p in sorted(site.rglob("*.html")) if not p.relative_to(site).as_posix().startswith(skip)]


def test_no_internal_word_reaches_a_reader(site, page, policies):
    """The built guide, every form page, blank PDF and workbook, and the calculator as a teacher sees it (with
    every explanation open, each edition with each item picked in turn): no field name, format id, command,
    author's id or program value."""
    found = []
    for path in _reader_pages(site):
        text = visible_text(path.read_text(encoding="utf-8"))
        rel = path.relative_to(site).as_posix()
        for m in INTERNAL.finditer(text):
            found.append(f"{rel}: …{text[max(0, m.start() - 20):m.end() + 20]}…")
        if not rel.startswith(("calculator/", "forms/")):
            for m in GUIDE_ONLY.finditer(text):
                found.append(f"{rel}: …{text[max(0, m.start() - 20):m.end() + 20]}…")
    for pdf in sorted((site / "forms").rglob("*-blank.pdf")):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        found += [f"{pdf.name}: {m.group(0)}" for m in INTERNAL.finditer(text)]
    from openpyxl import load_workbook

    for xlsx in sorted((site / "forms").rglob("*.xlsx")):
        wb = load_workbook(xlsx)
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            for row in ws.iter_rows(values_only=True):
                for v in row:
                    if isinstance(v, str) and not v.startswith("=") and INTERNAL.search(v):
                        found.append(f"{xlsx.name}: {v}")
    pg = page
    pg.goto((site / "calculator" / "index.html").as_uri() + "#policy=chengdu-teachers/2018")
    pg.wait_for_function("window.JXJY_CALCULATOR && window.JXJY_CALCULATOR.policy === 'chengdu-teachers/2018'")
    pg.select_option("#item", "weike")
    pg.fill("#f-hours", "8")
    pg.fill("#entry-date", "2018-03-15")
    pg.click("#entry-submit")
    pg.wait_for_function("document.querySelectorAll('#entries li.entry').length === 1")
    pg.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    pg.wait_for_function("Array.from(document.querySelectorAll('details')).every(d => d.children.length > 1)")
    text = pg.inner_text("body")
    found += [f"calculator: …{text[max(0, m.start() - 20):m.end() + 20]}…" for m in INTERNAL.finditer(text)]
    # every edition in the calculator, and each item's help and description as shown when it is picked
    for key in sorted(policies):
        pg.goto("about:blank")
        pg.goto((site / "calculator" / "index.html").as_uri() + "#policy=" + key)
        pg.wait_for_function(f"window.JXJY_CALCULATOR && window.JXJY_CALCULATOR.policy === {json.dumps(key)}")
        text = pg.inner_text("body")
        items = pg.eval_on_selector_all("#item option", "options => options.map(o => o.value).filter(Boolean)")
        assert len(items) == len(policies[key].items), key
        for item in items:
            pg.select_option("#item", item)
            pg.evaluate("document.querySelectorAll('#item-help details').forEach(d => { d.open = true; })")
            pg.wait_for_function("Array.from(document.querySelectorAll('#item-help details > div'))"
                                 ".every(d => d.textContent.trim())")
            text += " " + pg.inner_text("#item-help")
        found += [f"calculator {key}: …{text[max(0, m.start() - 20):m.end() + 20]}…" for m in INTERNAL.finditer(text)]
    assert not found, "\n".join(found[:40])


# ---------------------------------------------------------------------------------------------
# sources and clause links


def test_each_edition_shows_its_own_notice_first_then_what_it_layers_on(site, policies):
    def headings(key: str) -> list[str]:
        html = (site / anchors.edition_dir(*key.split("/")) / "source.html").read_text(encoding="utf-8")
        return [visible_text(h).replace("¶", "").strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)]

    chengdu, shuangliu = policies["chengdu-teachers/2018"], policies["shuangliu-teachers/2018"]
    assert headings("chengdu-teachers/2018")[0].startswith(chengdu.document.title)
    assert len(headings("chengdu-teachers/2018")) == 2  # the notice, the clause index: no forwarding letter
    assert headings("shuangliu-teachers/2018")[:2] == [shuangliu.document.title, chengdu.document.title]
    accounting = policies["guangdong-accounting/2018"]
    assert headings("guangdong-accounting/2018")[0] == accounting.document.title
    html = (site / "guangdong" / "2018" / "source.html").read_text(encoding="utf-8")
    text = visible_text(html)
    for chrome in ("<input", "登录时间", "星期二", "验证码", "15360402627", "**", "谢谢观看"):
        assert chrome not in text, chrome


def test_a_clause_link_lands_on_its_clause_marked_and_uncovered(page, site, policies, tmp_path):
    items = (site / "chengdu-teachers" / "2018" / "items.html").read_text(encoding="utf-8")
    links = [(a, re.sub(r"<[^>]+>", "", t)) for a, t in
             re.findall(r'<a class="jx-cite-link" href="source\.html#([^"]+)">(.*?)</a>', items)]
    assert links and not any(a.startswith("clause-") for a, _ in links)
    assert ("二-三-2-7", "成教继（2018）1号 二（三）2（7）") in [(unquote(a), t) for a, t in links]
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto((site / "chengdu-teachers" / "2018" / "items.html").as_uri())
        page.locator('a.jx-cite-link[href$="source.html#%E4%BA%8C-%E4%B8%89-2-7"], '
                     'a.jx-cite-link[href$="source.html#二-三-2-7"]').first.click()
        page.wait_for_load_state()
        page.wait_for_function("document.querySelector('.jx-clause-id.jx-target')")
        label = page.locator(".jx-clause-id.jx-target")
        assert label.get_attribute("id") == "二-三-2-7"
        marked = page.locator("mark.jx-target")
        assert marked.count() >= 1 and "三甲记7学分" in " ".join(marked.all_inner_texts())
        colours = page.evaluate("""() => [getComputedStyle(document.querySelector('mark.jx-target')).backgroundColor,
            getComputedStyle(document.querySelector('mark.jx-clause:not(.jx-target)')).backgroundColor]""")
        assert colours[0] != colours[1]  # the target stands out from every other quote
        box = label.bounding_box()
        header = page.evaluate("document.querySelector('.md-header').getBoundingClientRect().bottom")
        assert box["y"] >= header, (box, header)  # not under the header
        top = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('.jx-clause-id') !== null",
                            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
        assert top, "something covers the clause's label"
        shoot(page, f"guide-source-target-{width}.png", tmp_path, full=False)


# ---------------------------------------------------------------------------------------------
# phones first


def _small_targets(pg, selector: str) -> list[str]:
    return pg.evaluate("""sel => Array.from(document.querySelectorAll(sel)).filter(e => {
        const r = e.getBoundingClientRect(), s = getComputedStyle(e);
        return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && (r.height < 44 || r.width < 24);
      }).slice(0, 10)
        .map(e => `${e.tagName} "${e.textContent.trim().slice(0, 20)}" ${Math.round(e.getBoundingClientRect().height)}px`)""",
                       selector)


def test_tap_targets_are_at_least_44px_on_a_phone(page, site):
    """WCAG 2.5.5: citations, page tabs, buttons and file links of the guide; every button, link, summary and
    checkbox label of the calculator; the form page's toolbar — at 360 px."""
    page.set_viewport_size({"width": 360, "height": 800})
    for rel in ("chengdu-teachers/2018/items.html", "chengdu-teachers/2018/forms.html", "guangdong/2018/index.html"):
        page.goto((site / rel).as_uri())
        assert _small_targets(page, ".md-content a.jx-cite-link, .jx-tabs a, .md-content .md-button") == [], rel
    page.goto((site / "calculator" / "index.html").as_uri() + "#policy=chengdu-teachers/2018")
    page.wait_for_function("window.JXJY_CALCULATOR && window.JXJY_CALCULATOR.policy === 'chengdu-teachers/2018'")
    page.select_option("#item", "weike")
    page.fill("#f-hours", "8")
    page.fill("#entry-date", "2018-03-15")
    page.click("#entry-submit")
    page.wait_for_function("document.querySelectorAll('#entries li.entry').length === 1")
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    selector = ("main button, main a, main summary, .check label, .sticky-total a, .app-header a")
    assert _small_targets(page, selector) == []
    page.goto((site / "forms" / "chengdu-teachers" / "2018" / "title-review-report.html").as_uri())
    assert _small_targets(page, ".toolbar button, .toolbar a") == []
    # a header field (姓名, 单位, 填表人电话…) is a 44 px target inside its own ruled cell, not spilling over the next
    for form in ("title-review-report", "personal-credit-statement"):
        page.goto((site / "forms" / "chengdu-teachers" / "2018" / f"{form}.html").as_uri())
        spilling = page.evaluate("""() => Array.from(document.querySelectorAll('.header-fields td')).map(td => {
            const c = td.getBoundingClientRect(), f = td.querySelector('input, select, textarea').getBoundingClientRect();
            return [td.dataset.field, Math.round(f.height), f.bottom <= c.bottom + 0.5 && f.right <= c.right + 0.5];
          }).filter(([, h, inside]) => h < 44 || !inside)""")
        assert spilling == [], (form, spilling)
    # the page tabs wrap between pages: no line of them starts with the separating dot
    page.goto((site / "chengdu-teachers" / "2018" / "index.html").as_uri())
    assert page.locator(".jx-tabs .jx-tab").count() == 8
    alone = page.evaluate("""() => Array.from(document.querySelectorAll('.jx-tabs .jx-tab')).filter(t => {
        const dot = t.lastChild;
        if (!dot || dot.nodeType !== Node.TEXT_NODE || !dot.textContent.includes('·')) return false;
        const range = document.createRange(); range.selectNodeContents(dot);
        const d = range.getBoundingClientRect(), name = t.firstElementChild.getBoundingClientRect();
        return Math.abs((d.top + d.bottom) / 2 - (name.top + name.bottom) / 2) > 4;  // not on its page's line
      }).map(t => t.textContent)""")
    assert alone == [], alone


def test_every_wide_table_says_it_scrolls(page, site):
    """At 360 px a table wider than the screen shows its cue (the guide's tables, a form's 附件3)."""
    page.set_viewport_size({"width": 360, "height": 800})
    checked = 0
    for rel in ("chengdu-teachers/2018/forms.html", "chengdu-teachers/2018/source.html", "guangdong/2018/index.html",
                "developers.html", "shuangliu-teachers/2018/timeline.html"):
        page.goto((site / rel).as_uri())
        page.wait_for_timeout(400)
        wide = page.evaluate("""() => Array.from(document.querySelectorAll('.md-typeset__scrollwrap'))
            .filter(b => b.scrollWidth > b.clientWidth + 1)
            .map(b => [b.classList.contains('jx-overflow'), getComputedStyle(b, '::before').content])""")
        for marked, content in wide:
            assert marked and "左右滑动" in content, (rel, marked, content)
        checked += len(wide)
    page.goto((site / "forms" / "chengdu-teachers" / "2018" / "title-review-report.html").as_uri())
    cue = page.evaluate("""() => { const b = document.querySelector('.table-scroll');
        return [b.scrollWidth > b.clientWidth, b.classList.contains('overflow'), getComputedStyle(b, '::before').content]; }""")
    assert cue[0] and cue[1] and "左右滑动" in cue[2], cue
    # a guide table wider than a phone (a long word that cannot wrap) gets the cue too, once the theme wraps it
    page.goto((site / "chengdu-teachers" / "2018" / "index.html").as_uri())
    page.evaluate("""() => { const t = document.querySelector('.md-typeset table:not([class])');
        t.querySelector('td').textContent = 'x'.repeat(300); window.dispatchEvent(new Event('resize')); }""")
    page.wait_for_timeout(200)
    box = page.evaluate("""() => { const b = document.querySelector('.md-typeset__scrollwrap');
        return [b.scrollWidth > b.clientWidth, b.classList.contains('jx-overflow'),
                getComputedStyle(b, '::before').content]; }""")
    assert box[0] and box[1] and "左右滑动" in box[2], (box, checked)


# Each chip's words (the document's number, the clause's number, a label's parts 政策解读：|公需课) and the lines it takes.
_CHIP_LINES = """() => Array.from(document.querySelectorAll('.jx-items a.jx-cite-link')).map(a => {
    const nodes = [], walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) nodes.push(walker.currentNode);
    const at = i => { for (const n of nodes) { if (i <= n.length) return [n, i]; i -= n.length; } };
    const lines = (from, to) => { const r = document.createRange(); r.setStart(...at(from)); r.setEnd(...at(to));
        return new Set(Array.from(r.getClientRects()).filter(b => b.width > 1).map(b => Math.round(b.top))).size; };
    const text = nodes.map(n => n.data).join(''), words = [];
    for (const m of text.matchAll(/[^\\s：]+：?/g)) words.push([m[0], lines(m.index, m.index + m[0].length)]);
    return {text, lines: lines(0, text.length), broken: words.filter(([, n]) => n > 1).map(([w]) => w)};
})"""


def test_citation_chips_keep_their_words_whole_at_360_and_1280(page, site, tmp_path):
    """The 出处 column of the items tables is wide enough at 1280 px for a citation on one or two lines
    (at 15 % the chips wrapped over 4 lines), and a chip breaks only between its words, never inside
    粤人社规〔2018〕11号 or 二（三）1（1）; on a phone each chip is a line of its own card."""
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        for items in sorted(site.glob("*/*/items.html")):
            page.goto(items.as_uri())
            chips = page.evaluate(_CHIP_LINES)
            assert chips, items
            broken = [c["text"] for c in chips if c["broken"]]
            assert broken == [], (width, items.parent.name, broken)
            most = 1 if width == 360 else 2  # at 1280: document, then clause (附件2 职业技能 职称考试 普通话: 3)
            tall = [c["text"] for c in chips if c["lines"] > most + (len(c["text"].split()) > 3)]
            assert tall == [], (width, items.relative_to(site), tall)
        page.goto((site / "chengdu-teachers" / "2018" / "items.html").as_uri())
        page.locator(".jx-items").first.scroll_into_view_if_needed()
        shoot(page, f"guide-items-sources-{width}.png", tmp_path, full=False)


def test_the_changes_table_reads_at_360_and_1280(page, site, tmp_path):
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto((site / "shuangliu-teachers" / "2018" / "changes.html").as_uri())
        clipped = page.evaluate("""() => Array.from(document.querySelectorAll('.jx-changes td'))
            .filter(td => td.scrollWidth > td.clientWidth + 1).map(td => td.textContent.slice(0, 20))""")
        assert clipped == [], (width, clipped)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        if width == 1280:  # 名称 is not squeezed to a few characters a line
            widths = page.evaluate("Array.from(document.querySelectorAll('.jx-changes tbody td:nth-child(2)'))"
                                   ".map(td => td.getBoundingClientRect().width)")
            assert min(widths) > 150, widths
        text = page.inner_text(".md-content")
        assert "共 74 个单位" in text and "74 行" not in text
        shoot(page, f"guide-changes-{width}.png", tmp_path)


# ---------------------------------------------------------------------------------------------
# every page type, at 360 and 1280 px


PAGE_TYPES = [
    ("home", "index.html"),
    ("overview", "chengdu-teachers/2018/index.html"),
    ("requirements", "chengdu-teachers/2018/requirements.html"),
    ("items", "chengdu-teachers/2018/items.html"),
    ("workflows", "guangdong/2018/workflows.html"),
    ("timeline", "shuangliu-teachers/2018/timeline.html"),
    ("forms", "chengdu-teachers/2018/forms.html"),
    ("source", "shuangliu-teachers/2018/source.html"),
    ("changes", "guangdong-accounting/2018/changes.html"),
    ("developers", "developers.html"),
    ("calculator", "calculator/index.html#policy=chengdu-teachers/2018"),
    ("form-statement", "forms/chengdu-teachers/2018/personal-credit-statement.html"),
    ("form-review-report", "forms/chengdu-teachers/2018/title-review-report.html"),
    ("form-registration", "forms/chengdu-teachers/2018/flexible-registration-form.html"),
]


@pytest.mark.parametrize("name,rel", PAGE_TYPES, ids=[n for n, _ in PAGE_TYPES])
def test_every_page_type_at_phone_and_desktop_width(page, site, tmp_path, name, rel):
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto((site / rel.split("#")[0]).as_uri() + ("#" + rel.split("#")[1] if "#" in rel else ""))
        page.wait_for_timeout(600)
        if not rel.startswith(("forms/",)):  # a form page is an A4 sheet: it scrolls in its own boxes
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width + 1, (name, width)
        shoot(page, f"guide-{name}-{width}.png", tmp_path)


def test_serve_error_pages_at_phone_and_desktop_width(page, tmp_path):
    """What `jxjy serve` shows after a broken edit — the banner over a page of the last good build, the list of
    errors, the file with its line marked — read at 360 and 1280 px: nothing scrolls sideways (a long path
    wraps), links are 44 px targets, and the file's lines follow one another with no blank line between."""
    from generator.outputs.site.serve_errors import ERRORS_DIR, problems_of, show_failure

    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "tests" / "fixtures" / "policies", policies)
    policy = policies / "demo" / "2020.yaml"
    good = policy.read_text(encoding="utf-8")
    policy.write_text(good.replace("unit: 学分", "unit: 学点", 1), encoding="utf-8")
    _, diags = validate_paths([policies])
    assert diags
    site = tmp_path / "site"
    (site / "demo").mkdir(parents=True)
    (site / "demo" / "index.html").write_text(
        '<!doctype html><html lang="zh"><head><meta charset="utf-8"><meta name="viewport" '
        'content="width=device-width, initial-scale=1"></head><body><h1>示例政策</h1><p>登记项目</p></body></html>',
        encoding="utf-8")
    show_failure(site, problems_of(diagnostics=list(diags)))
    line = next(n for n, text in enumerate(good.splitlines(), 1) if text.startswith("unit:"))
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto((site / "demo" / "index.html").as_uri())
        assert page.locator("#jxjy-build-error a").bounding_box()["height"] >= 44
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        shoot(page, f"serve-banner-{width}.png", tmp_path, full=False)
        page.goto((site / ERRORS_DIR / "index.html").as_uri())
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        assert _small_targets(page, "a.where") == []
        shoot(page, f"serve-errors-{width}.png", tmp_path)
        page.goto((site / ERRORS_DIR / "file-1.html").as_uri() + f"#L{line}")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        gaps = page.evaluate("""() => { const li = Array.from(document.querySelectorAll('ol > li'));
            return li.slice(1).map((e, i) => e.getBoundingClientRect().top - li[i].getBoundingClientRect().bottom); }""")
        assert gaps and max(gaps) < 2, gaps
        assert page.locator(f"#L{line}.bad").count() == 1
        box = page.locator(f"#L{line}").bounding_box()
        seen = page.evaluate("([x, y, id]) => document.elementFromPoint(x, y).closest('li') === document.getElementById(id)",
                             [box["x"] + 40, box["y"] + 8, f"L{line}"])
        assert seen, f"the marked line is covered at {width} px"  # not under the file's heading
        shoot(page, f"serve-file-{width}.png", tmp_path, full=False)


# ---------------------------------------------------------------------------------------------
# PDFs


needs_poppler = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")


@needs_poppler
def test_no_blank_pdf_is_an_empty_page(site):
    """Every blank PDF has its form's layout (a grid of cells), not a page with a note: forms the notice only
    names get none; the personal statement is laid out."""
    from pypdf import PdfReader

    blanks = sorted((site / "forms").rglob("*-blank.pdf"))
    assert blanks
    for pdf in blanks:
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert len(text.strip().splitlines()) >= 5, pdf.name
        assert "原文未规定此表的栏目与版式" not in text, pdf.name
        assert len(PdfReader(io.BytesIO(pdf.read_bytes())).pages) >= 1
    names = {p.name for p in blanks}
    assert "annual-review-report-blank.pdf" not in names and "personal-credit-statement-blank.pdf" in names
    assert "personal-statement-blank.pdf" in names  # editions that do not name one still get it
    if SCREENSHOTS:  # each blank PDF's first page as a reviewer prints it, to look at with the page screenshots
        for pdf in blanks:
            stem = Path(SCREENSHOTS) / ("pdf-" + pdf.relative_to(site / "forms").as_posix().replace("/", "-")[:-4])
            subprocess.run(["pdftoppm", "-r", "72", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
                           check=True)
            assert stem.with_suffix(".png").stat().st_size > 5_000, f"{pdf.name} looks blank"
