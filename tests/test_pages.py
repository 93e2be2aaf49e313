"""Markdown generation without MkDocs: anchors, source highlighting, escaping, links to other outputs, diffs."""

import re

import pytest

from generator.outputs import anchors
from generator.outputs.site.changes import ADDED, CHANGED, REMOVED, diff_policies
from generator.outputs.site.pages import Artifacts, clause_spans, generate_docs, md, mermaid_label, source_html
from generator.policy.model import Clause
from tests.variants import variant


def _variant(demo_policy, mutate):
    return variant(mutate)


def test_clause_anchor_is_readable_stable_link_safe_and_distinct():
    ids = ["二(三)2(1)", "二(三)2(10)", "附件2-校本培训", "一", "三(一)2(2)第三", "11号-三(五)"]
    out = [anchors.clause_anchor(i) for i in ids]
    assert out == ["二-三-2-1", "二-三-2-10", "附件2-校本培训", "一", "三-一-2-2-第三", "11号-三-五"]
    assert all(re.fullmatch(r"[0-9A-Za-z\u4e00-\u9fff]+(-[0-9A-Za-z\u4e00-\u9fff]+)*", a) for a in out)  # no ( ) for Markdown
    assert anchors.clause_anchor("二(三)2(1)") == out[0]  # same input, same anchor on every page and build
    assert anchors.clause_anchors(ids) == dict(zip(ids, out, strict=True))
    with pytest.raises(ValueError, match="share the anchor"):
        anchors.clause_anchors(["二(三)", "二-三"])


def test_every_policy_clause_is_cited_by_its_printed_number_or_a_label():
    """Readers see citations, never clause ids: each clause of the bundled policies says its printed number
    or gives a label, and the number is printed in its source text (numbers are not made up)."""
    import glob
    from pathlib import Path

    from generator.policy.loader import load_policy

    for f in sorted(glob.glob("policies/*/*.yaml")):
        if f.endswith(".tests.yaml"):
            continue
        policy = load_policy(f)
        anchors.clause_anchors(c.id for c in policy.clauses)  # no two share an anchor
        for c in policy.clauses:
            assert bool(c.number) != bool(c.label), (f, c.id, "give exactly one of number and label")
            text = re.sub(r"\s", "", Path(c.text_file).read_text(encoding="utf-8"))
            for part in re.split(r"\s+", c.number):
                marks = r"[一二三四五六七八九十]+|（[一二三四五六七八九十]+）|（\d+）|第[一二三四五]|附件\d*"
                for mark in re.findall(marks, part):
                    assert mark in text, (f, c.id, c.number, mark)
            assert c.citation != c.id or c.id == c.locator, (f, c.id)


def test_every_clause_cites_as_printed_with_its_parent_numbers():
    """A citation is the document and the clause as the notice numbers it: `粤人社规〔2018〕11号 三（五）`,
    never `… （五）` (its parent 三 dropped, a space before the bracket). Where a clause's id carries a
    numbered path (`11号-三(五)`, `二(三)1(2)第一`, `附件2-校本培训`), the citation carries all of it."""
    import glob

    from generator.policy.loader import load_policy

    numeral = r"[一二三四五六七八九十]+"
    path = re.compile(rf"(?:{numeral}|附件\d*)(?:\((?:{numeral}|\d+)\)|\d+)*")
    seen = 0
    for f in sorted(glob.glob("policies/*/*.yaml")):
        if f.endswith(".tests.yaml"):
            continue
        for c in load_policy(f).clauses:
            assert not re.search(r"\s（", c.citation), (f, c.id, c.citation)
            if not c.number:
                continue
            head = c.id.split("-", 1)[1] if re.match(r"[^-]*号-", c.id) else c.id  # 11号-三(五): 三(五)
            printed = path.match(head)
            if printed:
                seen += 1
                want = printed.group().replace("(", "（").replace(")", "）")
                assert c.number.startswith(want) and want in c.citation, (f, c.id, c.citation)
    assert seen > 100  # the check reached the numbered clauses of every policy


def test_a_clause_numbered_from_a_bracket_is_cited_without_a_space_before_it():
    """A notice whose top level is （一）（二）…: the number follows the document with no space."""
    clause = Clause("(二)", "…", number="（二）", document="示例〔2020〕1号")
    assert clause.citation == "示例〔2020〕1号（二）"
    assert Clause("二", "…", number="二", document="示例〔2020〕1号").citation == "示例〔2020〕1号 二"


def test_quotes_are_found_ignoring_whitespace_and_overlaps_keep_both_anchors():
    text = "第一条　每学年\n不少于 10 学分。\n第二条 微课满3学时记1学分。"
    clauses = [Clause("一", "每学年不少于10学分"), Clause("一-全", "第一条每学年不少于10学分。"),
               Clause("二", "微课满3学时记1学分"), Clause("缺", "原文没有这句话")]
    spans = clause_spans(text, clauses)
    assert text[spans["一"][0]:spans["一"][1]] == "每学年\n不少于 10 学分"
    body, missing = source_html(text, clauses)
    assert missing == ["缺"]
    for cid in ("一", "一-全", "二"):
        assert body.count(f'id="{anchors.clause_anchor(cid)}"') == 1
    # a quote spanning a line break is highlighted on both lines, each run naming the clauses it belongs to
    # (the page marks the one a reader arrived at), and no text is lost
    assert '<mark class="jx-clause" data-clauses="一 一-全">每学年</mark></p>' in body
    assert '<p><mark class="jx-clause" data-clauses="一 一-全">不少于 10 学分</mark>' in body
    assert '<mark class="jx-clause" data-clauses="一-全">。</mark></p>' in body
    # the label is the clause as numbered (or its id when it gives neither), with no tooltip over the text
    assert '<span class="jx-clause-id" id="二">二</span>' in body and "title=" not in body
    plain = re.sub(r"<[^>]+>", "", re.sub(r'<span class="jx-clause-id"[^>]*>[^<]*</span>', "", body))
    assert plain.replace("\n", "") == text.replace("\n", "")


def test_source_text_is_html_escaped():
    body, _ = source_html("a <b>&</b> 学分", [Clause("x", "学分")])
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in body


def test_markdown_and_mermaid_escaping():
    assert md("*重点* [附件](x) a|b <br> 3_1") == r"\*重点\* \[附件\](x) a\|b &lt;br&gt; 3\_1"
    assert md("第一行\n  第二行") == "第一行 第二行"
    assert mermaid_label('区"管理员"<复核>') == "区#quot;管理员#quot;#lt;复核#gt;"


def test_generated_docs_cover_every_page_and_the_nav(demo_policy):
    files = generate_docs([demo_policy])
    base = "demo/2020"
    for stem, _ in anchors.EDITION_PAGES:
        assert f"{base}/{stem}.md" in files
    assert f"{base}/demo-2020.ics" in files
    assert {"index.md", "developers.md", "SUMMARY.md", "schemas/policy.schema.json",
            "assets/stylesheets/jxjy.css", "assets/vendor/mermaid/mermaid.min.js"} <= set(files)
    nav = files["SUMMARY.md"].decode()
    for stem, _title in anchors.EDITION_PAGES:
        assert f"({base}/{stem}.md)" in nav
    assert not any(name.endswith("README.md") for name in files)  # asset notes are not pages
    items = files[f"{base}/items.md"].decode()
    assert 'id="item-weike"' in items and "每满 3 学时计 1 学分，不足 3 学时不计" in items
    assert f"source.md#{anchors.clause_anchor('二')}" in items


def test_forms_calculator_and_bundles_are_linked_only_when_built(demo_policy):
    with_form = _variant(demo_policy, lambda d: d.setdefault("forms", []).append(
        {"id": "reg", "title": "登记表", "source": "五",
         "sections": [{"id": "s", "item": "school-based", "columns": [
             {"id": "h", "label": "学时", "type": "number"},
             {"id": "c", "label": "学分", "computed": {"item": "school-based", "from": "h"}},
             {"id": "g", "label": "分组", "children": [{"id": "g1", "label": "子列"}]}]}]}))
    bare = generate_docs([with_form])
    forms = bare["demo/2020/forms.md"].decode()
    assert "尚未构建" in forms and "forms/demo" not in forms
    assert "分组 / 子列" in forms and "每学时计 0.5 学分" in forms
    assert "计算器尚未构建" in bare["demo/2020/index.md"].decode()
    built = Artifacts({"forms/demo/2020/reg.html", "forms/demo/2020/reg-fillable.pdf", "calculator/index.html",
                       "bundles/demo/2020.json", "bundles/index.json"})
    linked = generate_docs([with_form], built)
    forms = linked["demo/2020/forms.md"].decode()
    assert "(../../forms/demo/2020/reg.html)" in forms and "(../../forms/demo/2020/reg-fillable.pdf)" in forms
    assert "blank.pdf" not in forms  # not built, so not linked
    assert "(../../calculator/index.html#policy=demo/2020)" in linked["demo/2020/index.md"].decode()  # opens the edition
    assert "(bundles/demo/2020.json)" in linked["developers.md"].decode()
    assert "(bundles/index.json)" in linked["developers.md"].decode()


def test_diff_against_previous_edition(demo_policy):
    def newer(d):
        d["edition"] = "2021"
        d["previous"] = {"edition": "2020"}
        d["items"] = [i for i in d["items"] if i["id"] != "degree"]
        d["items"][0]["rule"] = {"type": "rate", "per": 2, "value": 1, "rounding": "floor"}
        d["items"].append({"id": "new-one", "name": "新项目", "category": "flexible", "input": "none",
                           "rule": {"type": "fixed", "value": 3}, "source": "七"})
        d["requirements"][0]["min"] = 12
    target = _variant(demo_policy, newer)
    diff = diff_policies(demo_policy, target, "previous")
    items = {c.id: c for s in diff.sections if s.key == "items" for c in s.changes}
    assert items["degree"].kind == REMOVED
    assert items["new-one"].kind == ADDED and "每项计 3 学分" in items["new-one"].after
    assert items["weike"].kind == CHANGED and "每满 3 学时" in items["weike"].before and "每满 2 学时" in items["weike"].after
    reqs = {c.id: c for s in diff.sections if s.key == "requirements" for c in s.changes}
    assert "10 学分" in reqs["annual-total"].before and "12 学分" in reqs["annual-total"].after
    assert diff.counts() == {ADDED: 1, REMOVED: 1, CHANGED: 2}
    page = generate_docs([demo_policy, target])["demo/2021/changes.md"].decode()
    assert "新增 1 项，删除 1 项，变更 2 项" in page and "(../../demo/2020/index.md)" in page


def test_edition_without_base_says_so(demo_policy):
    page = generate_docs([demo_policy])["demo/2020/changes.md"].decode()
    assert "没有可比较的对象" in page
