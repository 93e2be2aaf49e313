"""A policy edition's layers: the file, its `extends` ancestors, and the document they merge into.

A layer (`extends: {policy, edition, remove}`) starts from its parent: lists of objects with ids
merge by id (same id replaces, a new id appends, `remove` drops), other keys replace. The merged
document remembers which file each list entry came from (Origins), so a problem found in the merged
document is reported in the file the author has to edit.
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.base.diagnostics import Diagnostic
from generator.base.limits import MAX_SOURCE_TEXT_BYTES
from generator.base.messages import phrase
from generator.policy.source import SourceDoc, read_yaml

_ID = re.compile(r"^[a-z][a-z0-9-]*$")  # as schemas/policy.schema.json's $defs.id and edition
_EDITION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
ID_LISTS = ("clauses", "roles", "actors", "categories", "items", "caps", "requirements", "checks",
            "timeline", "schedules", "workflows", "forms", "notes")


@dataclass
class Layer:
    path: Path
    doc: SourceDoc


@dataclass
class Chain:
    """The layers that could be read, root first, and what reading them found.

    `complete` is False when a layer could not be read (a YAML syntax error), its parent does not
    exist, or the layers form a loop: then there is no merged document to check, only the layers."""

    layers: list[Layer] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    complete: bool = True


class Origins:
    """Remembers which file and path each merged list entry came from, to place errors."""

    def __init__(self) -> None:
        self.where: dict[tuple[str, str], tuple[SourceDoc, tuple]] = {}

    def place(self, doc: SourceDoc, section: str, entry_id: Any) -> tuple[SourceDoc, tuple]:
        """The document and path of a merged entry (`doc` and the bare section when it has no known id)."""
        if isinstance(entry_id, str) and (section, entry_id) in self.where:
            return self.where[(section, entry_id)]
        return doc, (section,)

    def diag(self, doc: SourceDoc, section: str, entry_id: Any, rest: tuple, code: str,
             key: str | None = None, **params: Any) -> Diagnostic:
        src, base = self.place(doc, section, entry_id)
        return src.diagnostic(base + rest, code, key=key, **params)


def display(path: Path) -> str:
    """A path as messages show it: relative to the working directory when it is under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (OSError, RuntimeError):  # a symlink loop: where it is, not where it leads
        try:
            return str(path.absolute().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)
    except ValueError:
        return str(path)


def current_root(policy_file: Path) -> Path:
    """policies/<id>/<edition>.yaml → policies/"""
    return policy_file.resolve().parent.parent


def read_layers(path: Path) -> Chain:
    """The file and its `extends` ancestors, root first, with what the YAML reader found in each.

    A file that cannot be read as YAML ends the chain there (its parent is unknown); the files
    already read are still checked on their own."""
    chain = Chain()
    seen: set[Path] = set()
    current: Path | None = path
    while current is not None:
        try:
            current = current.resolve()
        except (OSError, RuntimeError):  # a symlink loop: read_yaml says so (too many levels of symbolic links)
            current = current.absolute()
        if current in seen:
            names = [f"{layer.path.parent.name}/{layer.path.stem}" for layer in reversed(chain.layers)]
            chain.diagnostics.append(chain.layers[0].doc.diagnostic(
                ("extends", "policy"), "diagnostics.policy.extends_loop",
                chain=" → ".join(names + [f"{current.parent.name}/{current.stem}"])))
            chain.complete = False
            break
        seen.add(current)
        doc, problems = read_yaml(current, display(current))
        chain.diagnostics.extend(problems)
        if doc is None:
            chain.complete = False
            break
        chain.layers.insert(0, Layer(current, doc))
        current = _parent_file(chain, doc)
    return chain


def _parent_file(chain: Chain, doc: SourceDoc) -> Path | None:
    parent = doc.data.get("extends") if isinstance(doc.data, dict) else None
    if not (isinstance(parent, dict) and isinstance(parent.get("policy"), str) and isinstance(parent.get("edition"), str)):
        return None
    root = current_root(chain.layers[0].path)
    if not (_ID.match(parent["policy"]) and _EDITION.match(parent["edition"])):
        chain.complete = False  # the schema pass says what is wrong; nothing outside policies/ is read
        return None
    candidate = root / parent["policy"] / f"{parent['edition']}.yaml"
    try:
        inside = candidate.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        inside = False
    if not inside:
        chain.diagnostics.append(doc.diagnostic(("extends", "edition"), "diagnostics.policy.parent_outside",
                                                parent=f"{parent['policy']}/{parent['edition']}"))
        chain.complete = False
        return None
    if candidate.is_file():
        return candidate
    known = [f"{d.name}/{f.stem}" for d in root.iterdir() if d.is_dir()
             for f in sorted(d.glob("*.yaml"))
             if not f.name.endswith(".tests.yaml") and f.resolve() != chain.layers[0].path]
    want = f"{parent['policy']}/{parent['edition']}"
    close = difflib.get_close_matches(want, known, n=1)
    hint = phrase("diagnostics.hint.did_you_mean", choice=close[0]) if close else phrase("diagnostics.nothing")
    wrong = "edition" if candidate.parent.is_dir() else "policy"
    chain.diagnostics.append(doc.diagnostic(("extends", wrong), "diagnostics.policy.parent_missing", parent=want,
                                            looked_for=display(candidate), hint=hint))
    chain.complete = False
    return None


def merge(layers: list[Layer], origins: Origins) -> dict:
    """The layers merged into one document, root first; origins records where each entry came from.

    Reads the layers defensively: a layer whose top level is not a mapping adds nothing."""
    merged: dict[str, Any] = {}
    for layer in layers:
        data: dict = layer.doc.data if isinstance(layer.doc.data, dict) else {}
        extends: dict = data["extends"] if isinstance(data.get("extends"), dict) else {}
        remove = extends.get("remove")
        removed = {r for r in remove if isinstance(r, str)} if isinstance(remove, list) else set()
        text_path = _clause_text_path(layer)
        document_name = _clause_document(layer)
        for section in ID_LISTS:
            if removed and isinstance(merged.get(section), list):
                merged[section] = [e for e in merged[section] if not (isinstance(e, dict) and e.get("id") in removed)]
        for key, value in data.items():
            if key in ID_LISTS and isinstance(value, list) and isinstance(merged.get(key, []), list):
                existing = {e.get("id"): i for i, e in enumerate(merged.get(key, [])) if isinstance(e, dict)}
                target = merged.setdefault(key, [])
                for idx, entry in enumerate(value):
                    entry = copy.deepcopy(entry)
                    if key == "clauses" and isinstance(entry, dict):
                        entry["_text"] = text_path
                        entry["_document"] = document_name
                    eid = entry.get("id") if isinstance(entry, dict) else None
                    if isinstance(eid, str) and eid in existing:
                        target[existing[eid]] = entry
                    else:
                        if isinstance(eid, str):
                            existing[eid] = len(target)
                        target.append(entry)
                    if isinstance(eid, str):
                        origins.where[(key, eid)] = (layer.doc, (key, idx))
            else:
                merged[key] = copy.deepcopy(value)
    return merged


def _clause_document(layer: Layer) -> str:
    """How citations name the document of this layer's clauses: `document.cited_as`, else its number."""
    document = layer.doc.data.get("document") if isinstance(layer.doc.data, dict) else None
    if not isinstance(document, dict):
        return ""
    name = document.get("cited_as") or document.get("number") or ""
    return name if isinstance(name, str) else ""


def _clause_text_path(layer: Layer) -> str:
    """The layer's source text file, resolved, when it is safe to read (source_text_problem)."""
    path, problem = source_text(layer)
    return str(path) if path is not None and problem is None else ""


def source_text(layer: Layer) -> tuple[Path | None, tuple[str, dict] | None]:
    """The file the layer's `document.text` names and what is wrong with it (text_file)."""
    document = layer.doc.data.get("document") if isinstance(layer.doc.data, dict) else None
    text = document.get("text", "") if isinstance(document, dict) else ""
    return text_file(layer.path, text)


def text_file(policy_file: Path, text: Any) -> tuple[Path | None, tuple[str, dict] | None]:
    """The source text a policy file's `document.text` names, resolved, and what is wrong with it:
    (path, None) when it is safe to read, (None, (code, params)) when not, (None, None) when none.

    A policy is untrusted input: the path must resolve (symlinks followed) inside the policies
    folder's `sources/`, and name a regular file of bounded size, so no policy can publish
    /etc/passwd or hang the validator on /dev/zero. A file that does not exist is the quotes pass's
    to report (source_text_missing)."""
    if not isinstance(text, str) or not text:
        return None, None
    outside = ("diagnostics.policy.source_text_outside", {"text": text})
    try:
        if "\0" in text:
            return None, outside
        sources = (current_root(policy_file) / "sources").resolve()
        path = (policy_file.resolve().parent / text).resolve()
        if not path.is_relative_to(sources):
            return None, outside
        exists = path.exists()
        regular = path.is_file()
        size = path.stat().st_size if regular else 0
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a name too long
        return None, outside
    if exists and not regular:
        return None, ("diagnostics.policy.source_text_not_file", {"text": text})
    if size > MAX_SOURCE_TEXT_BYTES:
        return None, ("diagnostics.policy.source_text_too_large", {"text": text, "size": size,
                                                                   "limit": MAX_SOURCE_TEXT_BYTES})
    return path, None


def merged_before(layers: list[Layer], layer: Layer, section: str) -> list:
    """The entries of `section` in the layers below `layer` (its ancestors)."""
    out: list = []
    for other in layers:
        if other is layer:
            break
        entries = other.doc.data.get(section) if isinstance(other.doc.data, dict) else None
        out.extend(entries if isinstance(entries, list) else [])
    return out
