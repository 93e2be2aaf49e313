"""Markdown pages of the guidance site, generated from the policy model through Jinja2 templates.

``generate_docs(policies)`` returns every file of the generated docs dir as ``{path: bytes}``:
the home page, one folder per edition (overview, requirements, items, workflows, timeline with its
``.ics``, forms, source text with clause anchors, changes), the developer page, the navigation
(``SUMMARY.md`` for literate-nav), static assets from docs_static/ and the JSON Schemas. Writing
them is site_build's job; nothing here touches the file system except reading inputs.

Templates (site_templates/pages/*.md.j2) hold the page wording; rule prose comes from
generator.rules.prose; anchors from generator.outputs.anchors.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

from generator.base.messages import message
from generator.base.paths import PAGE_TEMPLATES, SCHEMAS, STATIC
from generator.outputs import anchors
from generator.outputs.files import (
    BUNDLE_INDEX,
    BUNDLES_DIR,
    CALCULATOR_DIR,
    FORMS_DIR,
    PRODUCER_DIRS,
    bundle_file,
    form_path,
)
from generator.outputs.forms.statement import statement_form
from generator.outputs.site.changes import PolicyDiff, base_of, diff_policies
from generator.outputs.site.ics import calendar_bytes, entry_span
from generator.outputs.site.search_terms import USER_DICT, user_dictionary
from generator.policy.model import FormColumn, Item, Note, PeriodScheme, Policy, Region, Role, Successor, TimelineEntry
from generator.rules import prose as rt

TEMPLATES = PAGE_TEMPLATES


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|#])")
_SPACE = re.compile(r"\s+")


# ---------------------------------------------------------------------------------------------
# escaping


_LABEL_PARTS = re.compile(r"[^：]+：?|：")


def md(text: object) -> str:
    """Inline Markdown-safe text: no emphasis, links, HTML or table breaks from policy prose."""
    s = "" if text is None else str(text)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return _SPACE.sub(" ", s).strip()


def h(text: object) -> str:
    """HTML-escaped text for raw HTML blocks."""
    return html.escape("" if text is None else str(text), quote=True)


def mermaid_label(text: object) -> str:
    """Text inside a quoted Mermaid node label: entity codes instead of characters Mermaid reads."""
    s = "" if text is None else str(text)
    for ch, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        s = s.replace(ch, code)
    return _SPACE.sub(" ", s).strip()


# ---------------------------------------------------------------------------------------------
# outputs of other generators, linked only when a build produced them


@dataclass
class Artifacts:
    """Files other generators put into the docs dir (forms, bundles, calculator).

    Paths are docs-relative. The site links to each only when it exists, so there is never a
    link to a file that was not built.
    """

    files: set[str] = field(default_factory=set)

    @classmethod
    def scan(cls, docs_dir: Path) -> Artifacts:
        found: set[str] = set()
        for top in PRODUCER_DIRS:
            base = docs_dir / top
            if base.is_dir():
                found.update(p.relative_to(docs_dir).as_posix() for p in base.rglob("*") if p.is_file())
        return cls(found)

    def has(self, path: str) -> bool:
        return path in self.files

    def calculator(self) -> str | None:
        path = f"{CALCULATOR_DIR}/index.html"
        return path if self.has(path) else None

    def bundle_index(self) -> str | None:
        path = f"{BUNDLES_DIR}/{BUNDLE_INDEX}"
        return path if self.has(path) else None

    def bundle(self, policy: Policy) -> dict[str, str]:
        """{"json": path, "js": path, "tests.json": path} for what the bundle producer wrote."""
        out = {}
        for kind in ("json", "js", "tests.json"):
            path = f"{BUNDLES_DIR}/{bundle_file(policy.id, policy.edition, kind)}"
            if self.has(path):
                out[kind] = path
        return out

    def form(self, policy: Policy, form_id: str) -> dict[str, str]:
        """{"html"|"pdf"|"blank_pdf"|"xlsx": path} for what the forms producer wrote ("pdf": the fillable one)."""
        out = {}
        for kind, page_kind in (("html", "html"), ("fillable_pdf", "pdf"), ("blank_pdf", "blank_pdf"), ("xlsx", "xlsx")):
            path = f"{FORMS_DIR}/{form_path(policy.id, policy.edition, kind, form_id)}"
            if self.has(path):
                out[page_kind] = path
        return out


# ---------------------------------------------------------------------------------------------
# the source text with clause anchors


def _normalise(text: str) -> tuple[str, list[int]]:
    """Text without whitespace, and for each kept character its index in the original."""
    kept, index = [], []
    for i, ch in enumerate(text):
        if not ch.isspace():
            kept.append(ch)
            index.append(i)
    return "".join(kept), index


def clause_spans(text: str, clauses: list) -> dict[str, tuple[int, int]]:
    """Where each clause's quote first occurs in the text, whitespace ignored: id → (start, end)."""
    flat, index = _normalise(text)
    out = {}
    for clause in clauses:
        quote, _ = _normalise(clause.quote)
        pos = flat.find(quote) if quote else -1
        if pos >= 0:
            out[clause.id] = (index[pos], index[pos + len(quote) - 1] + 1)
    return out


def source_html(text: str, clauses: list) -> tuple[str, list[str]]:
    """The text as HTML paragraphs; each clause's quote highlighted, its label at the quote's start.

    The label shows the clause as the document numbers it (or the policy's label for it) and is the
    anchor citations link to (anchors.clause_anchor); every highlighted run names the clauses it
    belongs to (``data-clauses``), so the page can mark the one a reader arrived at. Returns the HTML
    and the ids of clauses whose quote was not found (listed separately).
    """
    spans = clause_spans(text, clauses)
    found = anchors.clause_anchors(c.id for c in clauses)
    starts: dict[int, list] = defaultdict(list)
    covering: list[list[str]] = [[] for _ in range(len(text) + 1)]
    for clause in clauses:
        if clause.id in spans:
            s, e = spans[clause.id]
            starts[s].append(clause)
            for i in range(s, e):
                covering[i].append(found[clause.id])
    out: list[str] = []
    line: list[str] = []
    mark: list[str] = []  # the clauses of the open <mark>, [] when none is open

    def close_mark() -> None:
        if mark:
            line.append("</mark>")
            mark.clear()

    def end_line() -> None:
        close_mark()
        content = "".join(line).strip()
        out.append(f"<p>{content}</p>" if content else "")
        line.clear()

    for i, ch in enumerate(text):
        for clause in starts.get(i, []):
            close_mark()
            aid = found[clause.id]
            line.append(f'<span class="jx-clause-id" id="{h(aid)}">{h(clause.locator)}</span>')
        if ch == "\n":
            end_line()
            continue
        if covering[i] != mark:
            close_mark()
            if covering[i]:
                line.append(f'<mark class="jx-clause" data-clauses="{h(" ".join(covering[i]))}">')
                mark.extend(covering[i])
        line.append(h(ch))
    end_line()
    body = "\n".join(p for p in out if p)
    missing = [c.id for c in clauses if c.id not in spans]
    return f'<div class="jx-source">\n{body}\n</div>', missing


# ---------------------------------------------------------------------------------------------
# one edition as seen by the templates


class EditionView:
    """Everything an edition's templates need, precomputed from the model."""

    def __init__(self, policy: Policy, site: SiteView) -> None:
        self.policy = policy
        self.site = site
        self.dir = anchors.edition_dir(policy.id, policy.edition)
        self.doc = policy.document
        self.actors = {a.id: a.name for a in policy.actors}
        self.clauses = {c.id: c for c in policy.clauses}
        self.categories = {c.id: c for c in policy.categories}
        self.timeline_by_id = {t.id: t for t in policy.timeline}
        self.workflows_by_id = {w.id: w for w in policy.workflows}
        self.period_word = rt.period_word(policy)

    # identity ---------------------------------------------------------------------------------
    @property
    def key(self) -> str:
        return self.policy.key

    @property
    def title(self) -> str:
        return self.policy.title

    @property
    def label(self) -> str:
        """Short name for navigation (falls back to the title)."""
        return self.policy.label

    @property
    def region(self) -> Region:
        return self.policy.region or Region(province="")

    def link(self, page: str, anchor: str = "", from_dir: str | None = None) -> str:
        """Relative Markdown link target to a page of this edition, from another edition's folder
        (from_dir) or from this one."""
        target = f"{page}.md" + (f"#{anchor}" if anchor else "")
        if from_dir is None or from_dir == self.dir:
            return target
        return _relative(from_dir, f"{self.dir}/{target}")

    # citations --------------------------------------------------------------------------------
    def cite(self, clause_id: str | None) -> str:
        """A Markdown link from any page of this edition to the clause on its source page, reading as
        the clause is cited (document number and printed clause number, or the policy's label)."""
        if not clause_id:
            return ""
        clause = self.clauses.get(clause_id)
        text = clause.citation if clause else clause_id
        # each word (document number, clause number, a label's parts: 政策解读：|公需课) kept whole, so a chip
        # wraps only between them
        words = " ".join("".join(f'<span class="jx-nw">{md(part)}</span>' for part in _LABEL_PARTS.findall(word))
                         for word in text.split())
        return f"[<span>{words}</span>](source.md#{anchors.clause_anchor(clause_id)}){{ .jx-cite-link }}"

    def quote(self, clause_id: str | None) -> str:
        clause = self.clauses.get(clause_id or "")
        return clause.quote if clause else ""

    # overview ---------------------------------------------------------------------------------
    def minimums(self) -> list[dict]:
        """Every minimum of the edition in one table: per-period requirements, then named checks."""
        rows: list[dict[str, Any]] = []
        for r in self.policy.requirements:
            rows.append({
                "name": r.name, "scope": rt.scope_phrase(self.policy, "period"),
                "measure": rt.measure_phrase(self.policy, r.measure), "min": rt.number(r.minimum),
                "roles": self.role_names(r.roles), "source": r.source,
                "link": f"requirements.md#{anchors.requirement_anchor(r.id)}",
            })
        for c in self.policy.checks:
            window = rt.check_window_phrase(self.policy, c.window)
            for r in c.requirements:
                value = r.min_per_period if r.min_per_period is not None else r.minimum
                rows.append({
                    "name": message("rule_text.name_joiner").join((c.name, r.name)), "scope": window,
                    "measure": rt.measure_phrase(self.policy, r.measure), "min": rt.number(value),
                    "per_period": r.min is None, "roles": self.role_names(c.roles), "source": r.source,
                    "link": f"requirements.md#{anchors.check_anchor(c.id)}",
                })
        return rows

    def role_names(self, roles) -> str:
        return rt.join_names(self.policy.role_name(r) for r in roles or ())

    def parent(self) -> EditionView | None:
        ext = self.policy.extends
        return self.site.editions.get((ext.policy, ext.edition)) if ext else None

    def previous(self) -> EditionView | None:
        return self.site.editions.get((self.policy.id, self.policy.previous)) if self.policy.previous else None

    def next_edition(self) -> EditionView | None:
        """The edition of the same policy that takes over after this one's window (the earliest starting later)."""
        own = self.policy.in_force
        if own is None:
            return None
        later = [v for v in self.site.editions.values() if v.policy.id == self.policy.id and v is not self
                 and v.policy.in_force is not None and v.policy.in_force.start > own.start]
        return min(later, key=lambda v: v.policy.in_force.start) if later else None  # type: ignore[union-attr]

    def children(self) -> list[EditionView]:
        """Layers that extend this edition (a district notice on its city's)."""
        out = []
        for view in self.site.editions.values():
            parent = view.parent()
            if parent is self:
                out.append(view)
        return out

    def successor(self) -> Successor | None:
        return self.policy.successor

    def period_text(self) -> str:
        return rt.period_phrase(self.policy)

    def cycle_text(self) -> str:
        return rt.cycle_phrase(self.policy)

    def conversions(self) -> list[dict]:
        return [{"text": rt.conversion_phrase(c), "source": c.source} for c in self.policy.conversions]

    def period(self) -> PeriodScheme:
        return self.policy.period

    # requirements -----------------------------------------------------------------------------
    def requirement_rows(self) -> list[dict]:
        return [{"id": r.id, "anchor": anchors.requirement_anchor(r.id), "name": r.name,
                 "text": rt.requirement_sentence(self.policy, r), "roles": self.role_names(r.roles),
                 "source": r.source} for r in self.policy.requirements]

    def check_rows(self) -> list[dict]:
        rows = []
        for c in self.policy.checks:
            rows.append({
                "id": c.id, "anchor": anchors.check_anchor(c.id), "name": c.name, "description": c.description,
                "window": rt.check_window_phrase(self.policy, c.window), "roles": self.role_names(c.roles),
                "requirements": [{"name": r.name, "text": rt.check_requirement_sentence(self.policy, r),
                                  "source": r.source} for r in c.requirements],
                "source": c.source,
            })
        return rows

    def role_rows(self) -> list[Role]:
        return list(self.policy.roles)

    def category_rows(self) -> list[dict]:
        """Categories depth-first (a sub-category right after its parent), with depth."""
        children = defaultdict(list)
        for c in self.policy.categories:
            children[c.parent if c.parent in self.categories else None].append(c)
        out = []

        def walk(parent, depth):
            for c in children.get(parent, []):
                out.append({"id": c.id, "name": c.name, "depth": depth, "anchor": anchors.category_anchor(c.id),
                            "parent": self.categories[c.parent].name if c.parent in self.categories else "",
                            "description": c.description, "source": c.source,
                            "children": [k.name for k in children.get(c.id, [])],
                            "item_rows": [self.item_row(i) for i in self.policy.items if i.category == c.id],
                            "requirements": [rt.requirement_sentence(self.policy, r) for r in self.policy.requirements
                                             if r.measure.kind == "category" and r.measure.ids[0] == c.id]})
                walk(c.id, depth + 1)

        walk(None, 0)
        return out

    # items ------------------------------------------------------------------------------------
    def item_row(self, item: Item) -> dict:
        deadline = self.timeline_by_id.get(item.deadline)
        workflow = self.workflows_by_id.get(item.workflow)
        caps = [rt.cap_short(self.policy, c) for c in item.caps]
        caps += [rt.shared_cap_phrase(self.policy, item, c) for c in rt.shared_caps(self.policy, item)]
        cap_sources = [c.source for c in item.caps] + [c.source for c in rt.shared_caps(self.policy, item)]
        return {
            "id": item.id, "anchor": anchors.item_anchor(item.id), "name": item.name,
            "description": item.description, "rule": rt.rule_sentence(self.policy, item),
            "caps": caps, "cap_sources": [s for i, s in enumerate(cap_sources) if s and s not in cap_sources[:i]
                                          and s != item.source],
            "evidence": list(item.evidence), "registration": item.registration,
            "auto": item.auto, "roles": self.role_names(item.roles),
            "workflow": {"name": workflow.name, "link": f"workflows.md#{anchors.workflow_anchor(workflow.id)}"}
            if workflow else None,
            "deadline": {"title": deadline.title, "when": self.when(deadline),
                         "link": f"timeline.md#{anchors.timeline_anchor(deadline.id)}"} if deadline else None,
            "help": item.help, "source": item.source,
            "extra_sources": [s for s in ((item.gate.source if item.gate else ""),
                                          (item.dedupe.source if item.dedupe else "")) if s and s != item.source],
        }

    def shared_cap_rows(self) -> list[dict]:
        return [{"name": c.name, "item_names": [self.policy.get_item(i).name for i in c.items],
                 "text": rt.cap_phrase(self.policy, c), "source": c.source} for c in self.policy.shared_caps]

    # workflows --------------------------------------------------------------------------------
    def workflow_rows(self) -> list[dict]:
        rows = []
        for wf in self.policy.workflows:
            steps = []
            for n, s in enumerate(wf.steps, 1):
                deadline = self.timeline_by_id.get(s.deadline)
                steps.append({"n": n, "actor": self.actors.get(s.actor, s.actor), "action": s.action,
                              "detail": s.detail,
                              "deadline": {"title": deadline.title, "when": self.when(deadline),
                                           "link": f"timeline.md#{anchors.timeline_anchor(deadline.id)}"}
                              if deadline else None})
            items = [{"name": i.name, "link": f"items.md#{anchors.item_anchor(i.id)}"}
                     for i in self.policy.items if i.workflow == wf.id]
            rows.append({"id": wf.id, "anchor": anchors.workflow_anchor(wf.id), "name": wf.name,
                         "applies_to": wf.applies_to, "steps": steps, "item_links": items, "source": wf.source})
        return rows

    # timeline ---------------------------------------------------------------------------------
    def when(self, entry: TimelineEntry) -> str:
        if entry.start and entry.end:
            return rt.date_range(entry.start, entry.end)
        if entry.date:
            return rt.format_date(entry.date)
        if entry.month:
            return rt.format_date(entry.month)
        if entry.offset is not None:
            return rt.offset_phrase(entry.offset)
        return ""

    def timeline_rows(self) -> list[dict]:
        rows: list[dict[str, Any]] = []
        for entry in self.policy.timeline:
            span = entry_span(entry)
            rows.append({"id": entry.id, "anchor": anchors.timeline_anchor(entry.id), "kind": entry.kind,
                         "title": entry.title, "when": self.when(entry), "dated": span is not None,
                         "sort": (0, span[0].isoformat(), span[1].isoformat()) if span else (1, "", ""),
                         "actors": rt.join_names(self.actors.get(a, a) for a in entry.actors),
                         "description": entry.description, "source": entry.source,
                         "from_parent": self._from_parent("timeline", entry.id)})
        rows.sort(key=lambda r: r["sort"])
        return rows

    def schedule_rows(self) -> list[dict]:
        out = []
        for s in self.policy.schedules:
            rows = [{"seq": r.seq, "group": r.group, "organization": r.organization, "date": rt.format_date(r.date)}
                    for r in s.rows]
            out.append({"id": s.id, "anchor": anchors.schedule_anchor(s.id), "title": s.title,
                        "rows": rows, "source": s.source, "from_parent": self._from_parent("schedules", s.id)})
        return out

    def _from_parent(self, section: str, entry_id: str) -> bool:
        parent = self.parent()
        return parent is not None and any(e.id == entry_id for e in getattr(parent.policy, section))

    @property
    def calendar_name(self) -> str:
        return anchors.calendar_file(self.policy.id, self.policy.edition).rsplit("/", 1)[1]

    # forms ------------------------------------------------------------------------------------
    def form_rows(self) -> list[dict]:
        """The notice's forms in its order — its personal statement as laid out (outputs/forms/statement.py) —
        and, when the notice names none, the statement every edition gets, last."""
        forms = [statement_form(self.policy) if f.statement else f for f in self.policy.forms]
        if not any(f.statement for f in forms):
            forms.append(statement_form(self.policy))
        rows = []
        for form in forms:
            sections = []
            for s in form.sections:
                item = self.policy.item(s.item)
                sections.append({"title": s.title, "method": s.method, "evidence": s.evidence, "rows": s.rows,
                                 "item": {"name": item.name, "link": f"items.md#{anchors.item_anchor(item.id)}",
                                          "rule": rt.rule_sentence(self.policy, item)} if item else None,
                                 "columns": list(self._columns(s.columns))})
            rows.append({"id": form.id, "anchor": anchors.form_anchor(form.id), "title": form.title,
                         "attachment": form.attachment, "purpose": form.purpose, "filled_by": form.filled_by,
                         "orientation": form.orientation, "header": form.header, "sections": sections,
                         "totals": form.totals, "signatures": form.signatures, "notes": form.notes,
                         "undefined": form.undefined_in_source, "source": form.source, "laid_out": form.laid_out,
                         "files": self.site.artifacts.form(self.policy, form.id)})
        return rows

    def _columns(self, columns: tuple[FormColumn, ...], prefix: str = "", section: tuple = ()) -> Iterator[dict]:
        leaves = _full_labels(section or columns)
        for col in columns:
            label = f"{prefix}{col.label}"
            item = self.policy.item(col.computed.item) if col.computed else None
            yield {"label": label, "type": col.type, "options": list(col.options),
                   "computed": {"item": item.name, "from": col.computed.source_column,
                                "link": f"items.md#{anchors.item_anchor(item.id)}",
                                "rule": rt.rule_sentence(self.policy, item)} if item and col.computed else None,
                   "group": bool(col.children), "prefill": bool(col.prefill),
                   "sum_of": [leaves.get(x, x).removeprefix(prefix) for x in col.sum_of]}  # as its neighbours read
            if col.children:
                yield from self._columns(col.children, f"{label} / ", section or columns)

    # source -----------------------------------------------------------------------------------
    def source_sections(self) -> list[dict]:
        """One section per source text file, this edition's own first, then its parents'."""
        by_file: dict[str, list] = defaultdict(list)
        for c in self.policy.clauses:
            by_file[c.text_file].append(c)
        own = self._own_text()
        order = sorted(by_file, key=lambda f: (f != own, f))
        sections: list[dict[str, Any]] = []
        for f in order:
            path = Path(f) if f else None
            if path is None or not path.is_file():
                sections.append({"title": "", "file": f, "html": "", "missing": [c.id for c in by_file[f]],
                                 "clauses": by_file[f]})
                continue
            text = path.read_text(encoding="utf-8-sig")
            body, missing = source_html(text, by_file[f])
            sections.append({"title": self._text_title(f), "file": path.name, "html": body, "missing": missing,
                             "clauses": by_file[f], "own": f == own})
        return sections

    def _own_text(self) -> str:
        return self.doc.text_file

    def _text_title(self, text_file: str) -> str:
        view: EditionView | None = self
        while view is not None:
            if view._own_text() == text_file:
                return view.doc.title or view.title
            view = view.parent()
        return Path(text_file).name

    def clause_rows(self) -> list[dict]:
        return [{"id": c.id, "cite": c.citation, "title": c.title, "anchor": anchors.clause_anchor(c.id)}
                for c in self.policy.clauses]

    def notes(self) -> list[Note]:
        return list(self.policy.notes)

    # changes ----------------------------------------------------------------------------------
    def diff(self) -> PolicyDiff | None:
        found = base_of(self.policy)
        if found is None:
            return None
        relation, key = found
        base = self.site.editions.get(key)
        if base is None:
            return None
        return diff_policies(base.policy, self.policy, relation)

    def diff_base(self) -> tuple[str, str, EditionView | None] | None:
        found = base_of(self.policy)
        if found is None:
            return None
        relation, key = found
        return relation, f"{key[0]}/{key[1]}", self.site.editions.get(key)

    # links to other outputs -------------------------------------------------------------------
    def bundle(self) -> dict[str, str]:
        return self.site.artifacts.bundle(self.policy)

    def rel(self, docs_path: str) -> str:
        """A docs-relative path as seen from this edition's folder."""
        return _relative(self.dir, docs_path)


def _full_labels(columns: tuple[FormColumn, ...], prefix: str = "") -> dict[str, str]:
    """{column id: its heading with its groups', 规范性培训 / 小计} for every column of a section."""
    out: dict[str, str] = {}
    for col in columns:
        out[col.id] = f"{prefix}{col.label}"
        out.update(_full_labels(col.children, f"{prefix}{col.label} / "))
    return out


def _relative(from_dir: str, target: str) -> str:
    depth = len([p for p in from_dir.split("/") if p])
    return "../" * depth + target


class SiteView:
    """All editions, grouped for the home page and navigation."""

    def __init__(self, policies: list[Policy], artifacts: Artifacts) -> None:
        self.artifacts = artifacts
        ordered = sorted(policies, key=lambda p: (_region_key(p), p.id, p.edition))
        self.editions: dict[tuple[str, str], EditionView] = {}
        for p in ordered:
            self.editions[(p.id, p.edition)] = EditionView(p, self)

    def regions(self) -> list[dict]:
        """[{name, policies: [{id, label, editions: [view…]}]}] — province/city groups, then policies."""
        groups: dict[str, dict[str, list[EditionView]]] = defaultdict(lambda: defaultdict(list))
        for view in self.editions.values():
            r = view.region
            name = " ".join(x for x in (r.province, r.city) if x)
            groups[name][view.policy.id].append(view)
        out = []
        for name in sorted(groups, key=lambda n: n):
            policies = []
            for pid, views in groups[name].items():
                views.sort(key=lambda v: v.policy.edition, reverse=True)
                policies.append({"id": pid, "editions": views, "district": views[0].region.district,
                                 "sector": views[0].region.sector})
            policies.sort(key=lambda p: (bool(p["district"]), p["district"], p["id"]))
            out.append({"name": name, "policies": policies})
        return out

    def schemas(self) -> list[str]:
        return sorted(p.name for p in SCHEMAS.glob("*.schema.json"))


def _region_key(p: Policy) -> tuple:
    r = p.region or Region(province="")
    return (r.province, r.city, r.district, r.sector)


# ---------------------------------------------------------------------------------------------
# rendering


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=False,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["md"] = md
    env.filters["h"] = h
    env.filters["mermaid"] = mermaid_label
    env.filters["date"] = rt.format_date
    env.globals["pages"] = anchors.EDITION_PAGES
    env.globals["anchors"] = anchors
    return env


def _tidy(text: str) -> str:
    """At most one blank line in a row (templates stay readable, output stays clean)."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def generate_docs(policies: list[Policy], artifacts: Artifacts | None = None) -> dict[str, bytes]:
    """Every file of the generated docs dir, as {docs-relative path: content}."""
    site = SiteView(policies, artifacts or Artifacts())
    env = environment()
    out: dict[str, bytes] = {}

    def render(template: str, path: str, **ctx) -> None:
        text = env.get_template(template).render(site=site, path=path, **ctx)
        out[path] = _tidy(text).encode("utf-8")

    render("home.md.j2", "index.md")
    render("developers.md.j2", "developers.md")
    for view in site.editions.values():
        for stem, _title in anchors.EDITION_PAGES:
            render(f"{stem}.md.j2", f"{view.dir}/{stem}.md", e=view)
        out[anchors.calendar_file(view.policy.id, view.policy.edition)] = calendar_bytes(view.policy)
    render("SUMMARY.md.j2", "SUMMARY.md")
    out[USER_DICT] = user_dictionary(policies)
    for name in site.schemas():
        out[f"schemas/{name}"] = (SCHEMAS / name).read_bytes()
    for f in sorted(STATIC.rglob("*")):
        if f.is_file() and f.suffix != ".md":  # notes about the assets are not pages
            out[f.relative_to(STATIC).as_posix()] = f.read_bytes()
    return out
