"""The guidance site's search vocabulary: a jieba user dictionary built from the policies' own terms.

MkDocs-Material's search plugin segments Chinese text with jieba when it writes the search index
(`plugins: search: jieba_dict_user`). jieba's general dictionary cuts the policies' terms into
pieces — 学时 into 学 + 时, 二乙 into 二 + 乙, 普通话测试 into 普通 + 话 + 测试 — and a query can only
find the tokens the index holds. The terms here (item, category, role, requirement, check and
level names, the levels' short forms such as 二乙 for 二级乙等, the units, the labels of unnumbered
passages) become single tokens.

Only runs of Chinese characters are segmented, so a term is cut at anything else (digits,
brackets). Long names are left to jieba, so a part of them (基地学校) still finds them; only their
head — the last two words jieba cuts them into (市教科院菜单培训 → 菜单培训) — is kept whole too. The
short forms a notice defines (以下简称“继教证书”) are terms as well.
The dictionary is written into the generated docs dir (never into the repository) as a dot file,
which MkDocs does not publish.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from generator.policy.model import Policy

USER_DICT = ".search-terms.txt"  # in the generated docs dir; MkDocs skips dot files
FREQUENCY = 200_000  # well above jieba's own words, so these are kept whole
MAX_TERM = 7  # longer names are cut by jieba, so their parts stay searchable
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# 二级乙等 → 二乙, 三级甲等 → 三甲, 二级甲等及以上 → 二甲及以上: how these levels are written short
_LEVEL = re.compile(r"^([一二三四五六七八九十]+)级([甲乙丙丁])等(.*)$")
# 以下简称“继教网” / （以下简称《办法》）: a short form the notice itself defines
_DEFINED = re.compile(r"简称[“《\"]([^”》\"]{2,12})[”》\"]")
# a run that starts or ends with one of these is a fragment of a phrase (…）的专业技术人员), not a term
_PARTICLES = frozenset("的和及与或等")


def level_short_forms(name: str) -> list[str]:
    m = _LEVEL.match(name)
    if not m:
        return []
    short = m.group(1) + m.group(2)
    return [short + m.group(3), short] if m.group(3) else [short]


def _names(policy: Policy) -> Iterator[str]:
    yield policy.unit
    for item in policy.items:
        yield item.name
    for c in policy.categories:
        yield c.name
    for r in policy.roles:
        yield r.name
    for req in policy.requirements:
        yield req.name
    for check in policy.checks:
        yield check.name
        for req in check.requirements:
            yield req.name
    if policy.period.verdict:
        yield policy.period.verdict.name
    for schedule in policy.schedules:
        for row in schedule.rows:
            yield row.group
    for clause in policy.clauses:
        yield clause.label  # 政策解读：公需课


def _defined_short_forms(policy: Policy) -> Iterator[str]:
    texts = [c.quote for c in policy.clauses]
    for f in sorted({c.text_file for c in policy.clauses if c.text_file}):
        try:
            with open(f, encoding="utf-8-sig") as fh:
                texts.append(fh.read())
        except OSError:
            continue
    for text in texts:
        yield from _DEFINED.findall(text)


def _head(run: str) -> str:
    """The last two words of a long name as jieba cuts it (市教科院菜单培训 → 菜单培训), or ""."""
    try:
        import jieba  # noqa: PLC0415 - the site's search needs it; without it there is no segmentation at all
    except ImportError:
        return ""
    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" on the terminal
    words = [w for w in jieba.cut(run) if w]
    head = "".join(words[-2:]) if len(words) > 2 else ""
    return head if 3 <= len(head) <= 6 else ""


def _term(run: str) -> bool:
    return 2 <= len(run) <= MAX_TERM and run[0] not in _PARTICLES and run[-1] not in _PARTICLES


def search_terms(policies: Iterable[Policy]) -> list[str]:
    """The Chinese terms of every edition that search must keep whole, sorted."""
    terms: set[str] = set()
    for policy in policies:
        for item in policy.items:
            for level in item.levels:  # 三级甲等 ends in 等 but is a term
                terms.update(x for x in [level.name, *level_short_forms(level.name)] if 2 <= len(x) <= MAX_TERM)
        names = list(_names(policy)) + list(_defined_short_forms(policy))
        for name in names:
            for run in _HAN.findall(name or ""):
                if _term(run):
                    terms.add(run)
                elif len(run) > MAX_TERM and _term(_head(run)):
                    terms.add(_head(run))
    return sorted(terms)


def user_dictionary(policies: Iterable[Policy]) -> bytes:
    """jieba's user dictionary format: one `word frequency` a line, UTF-8."""
    return "".join(f"{term} {FREQUENCY}\n" for term in search_terms(policies)).encode("utf-8")


# The search plugin cuts 2018年6月20日 into 2018 / 年 / 6 / 月 / 20 / 日 (it segments runs of Chinese
# characters only), so a query for a deadline (6月20日) found nothing. In the written index a date
# becomes 2018年 + 6月20日 (and 9月 + 12日, 2018年 + 6月 …): what people type.
_ZWSP = "\u200b"
_DATE_PARTS = re.compile(rf"(\d{{1,4}}){_ZWSP}*([年月日])")
_MONTH_DAY = re.compile(rf"月{_ZWSP}*(\d{{1,2}}日)")
# 72 学时, 90学分: an amount and its unit as one word too (what people type: 72学时)
_AMOUNT_UNIT = re.compile(rf"(\d+(?:\.\d+)?)[ {_ZWSP}]*(学分|学时)(?![\u4e00-\u9fff])")


def join_dates(text: str) -> str:
    """Dates (2018年 + 6月20日) and amounts with their unit (72学时) kept whole in the search index."""
    text = _MONTH_DAY.sub(r"月\1", _DATE_PARTS.sub(r"\1\2", text))
    return _AMOUNT_UNIT.sub(r"\1\2", text)


def tune_search_index(site_dir: Path) -> bool:
    """Rewrite <site>/search/search_index.json with dates kept whole, and the copy the offline plugin
    inlines into search_index.js for pages opened from file://; False when there is no index."""
    folder = Path(site_dir) / "search"
    path = folder / "search_index.json"
    if not path.is_file():
        return False
    data = json.loads(path.read_text(encoding="utf-8"))
    for doc in data.get("docs", []):
        for key in ("title", "text"):
            if isinstance(doc.get(key), str):
                doc[key] = join_dates(doc[key])
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text, encoding="utf-8")
    inline = folder / "search_index.js"
    if inline.is_file():  # material/plugins/offline: `var __index = <the JSON>`
        inline.write_text(f"var __index = {text}", encoding="utf-8")
    return True
