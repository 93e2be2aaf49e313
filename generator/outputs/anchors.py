"""Anchor ids and page paths shared by every generated page (and by forms or calculators linking in).

Clause ids contain Chinese, parentheses and dashes (``二(三)2(1)``, ``附件2-校本培训``); parentheses
break Markdown links, so a clause anchor keeps the id's letters, digits and Chinese characters and
joins the rest with dashes: ``二(三)2(1)`` → ``二-三-2-1``, readable in an address bar and the same in
every build. Every page, the source page that carries the anchors, every citation pointing at them and
the calculator's data (generator.outputs.calculator.data) call :func:`clause_anchor`, so they cannot
drift apart; :func:`clause_anchors` refuses two clauses of one edition that would share an anchor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# One page per aspect of an edition, in reading order: (file stem, nav title).
EDITION_PAGES = (
    ("index", "概览"),
    ("requirements", "学分要求"),
    ("items", "登记项目"),
    ("workflows", "登记流程"),
    ("timeline", "时间安排"),
    ("forms", "表格"),
    ("source", "原文"),
    ("changes", "变更"),
)


_NOT_WORD = re.compile(r"[^0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def clause_anchor(clause_id: str) -> str:
    """``二(三)2(1)`` → ``二-三-2-1``: the same id on the source page and in every link."""
    return _NOT_WORD.sub("-", clause_id).strip("-") or "clause"


def clause_anchors(clause_ids: Iterable[str]) -> dict[str, str]:
    """{clause id: anchor} for one edition; ValueError when two ids would share an anchor."""
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for cid in clause_ids:
        anchor = clause_anchor(cid)
        if anchor in seen and seen[anchor] != cid:
            raise ValueError(f"clauses '{seen[anchor]}' and '{cid}' would share the anchor #{anchor}")
        seen[anchor] = cid
        out[cid] = anchor
    return out


def item_anchor(item_id: str) -> str:
    return f"item-{item_id}"


def requirement_anchor(requirement_id: str) -> str:
    return f"req-{requirement_id}"


def check_anchor(check_id: str) -> str:
    return f"check-{check_id}"


def timeline_anchor(entry_id: str) -> str:
    return f"time-{entry_id}"


def schedule_anchor(schedule_id: str) -> str:
    return f"schedule-{schedule_id}"


def workflow_anchor(workflow_id: str) -> str:
    return f"workflow-{workflow_id}"


def form_anchor(form_id: str) -> str:
    return f"form-{form_id}"


def category_anchor(category_id: str) -> str:
    return f"category-{category_id}"


def edition_dir(policy_id: str, edition: str) -> str:
    """Folder of an edition's pages inside the docs dir (and the site): ``chengdu-teachers/2018``."""
    return f"{policy_id}/{edition}"


def calendar_file(policy_id: str, edition: str) -> str:
    """The edition's iCalendar file, beside its pages."""
    return f"{edition_dir(policy_id, edition)}/{policy_id}-{edition}.ics"
