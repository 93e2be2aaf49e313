"""Anchor ids and page paths shared by every generated page (and by forms or calculators linking in).

Clause ids contain Chinese, parentheses and dashes (``二(三)2(1)``, ``附件2-校本培训``), which make
poor HTML ids and break Markdown links, so a clause anchor is ``clause-`` plus a short stable hash.
Every page, the source page that carries the anchors and every citation pointing at them, calls
:func:`clause_anchor`, so they cannot drift apart.
"""

from __future__ import annotations

import hashlib

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


def clause_anchor(clause_id: str) -> str:
    """``二(三)2(1)`` → ``clause-3f2a9c01d4``: the same id on the source page and in every link."""
    digest = hashlib.sha1(clause_id.encode("utf-8")).hexdigest()[:10]
    return f"clause-{digest}"


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
