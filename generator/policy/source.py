"""Load YAML strictly, keeping the line and column of every node.

PyYAML is permissive in ways that hurt policy authors: duplicate keys silently keep the last
value, `no` becomes false, `010` becomes 8, `08:30` becomes 510, aliases can expand into
billions of nodes. We build Python values from PyYAML's node graph ourselves so that each of
those becomes a clear diagnostic, and so that every value keeps its position for later errors.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from generator.base.diagnostics import Diagnostic, InputError, json_path
from generator.base.limits import MAX_DEPTH, MAX_EXPONENT, MAX_NUMBER_DIGITS, MAX_POLICY_BYTES

_BOOL_WORDS = {"true", "false"}
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
_OCTAL_LIKE = re.compile(r"^[-+]?0[0-9_]+$")
_SPECIAL_FLOAT = re.compile(r"^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$")


@dataclass
class SourceDoc:
    """A parsed YAML/JSON document and where each of its values came from."""

    file: str
    data: Any
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    ends: dict[tuple, tuple[int, int]] = field(default_factory=dict)  # where each text value ends
    text: str = ""  # the file's text, to place a problem inside a long value (a number in a help text)

    def locate(self, path: tuple | list, key: str | None = None) -> tuple[int, int]:
        """Best position for a path: the key if asked, else the value, else the nearest parent."""
        path = tuple(path)
        if key is not None and path + (key,) in self.key_positions:
            return self.key_positions[path + (key,)]
        while True:
            if path in self.positions:
                return self.positions[path]
            if not path:
                return (1, 1)
            path = path[:-1]

    def diagnostic(self, path: tuple | list, code: str, key: str | None = None, **params: Any) -> Diagnostic:
        """A diagnostic at a path (or at one of its keys); `code` is a message catalog key."""
        line, col = self.locate(path, key)
        full = tuple(path) + ((key,) if key is not None else ())
        return Diagnostic.of(self.file, line, col, code, json_path(full), **params)

    def locate_in_text(self, path: tuple | list, snippet: str) -> tuple[int, int]:
        """Where `snippet` occurs inside the text value at `path` (its first line and column), else
        where the value starts. Whitespace may differ (a folded `>-` value spans lines)."""
        start = self.locate(path)
        end = self.ends.get(tuple(path))
        if not self.text or end is None or not snippet:
            return start
        lines = self.text.splitlines(keepends=True)
        offset = sum(len(line) for line in lines[:start[0] - 1]) + start[1] - 1
        stop = sum(len(line) for line in lines[:end[0] - 1]) + end[1] - 1
        found = re.compile(r"\s*".join(map(re.escape, snippet))).search(self.text, offset, max(stop, offset))
        if found is None:
            return start
        before = self.text[:found.start()]
        return before.count("\n") + 1, found.start() - (before.rfind("\n") + 1) + 1


def decode_utf8(raw: bytes, file: str) -> str:
    """Decode UTF-8 (BOM allowed); on failure name the line and column of the first bad byte."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # GBK bytes can pass as UTF-8 for a while: point at the start of the run of non-ASCII bytes,
        # and count columns in characters, as an editor does
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        start = exc.start
        while start > line_start and raw[start - 1] >= 0x80:
            start -= 1
        line = raw.count(b"\n", 0, start) + 1
        col = len(raw[line_start:start].decode("utf-8", errors="replace")) + 1
        try:
            raw.decode("gb18030")
            code = "diagnostics.yaml.not_utf8_gbk"
        except UnicodeDecodeError:
            code = "diagnostics.yaml.not_utf8"
        raise InputError([Diagnostic.of(file, line, col, code, byte=f"0x{raw[start]:02x}")]) from None


def _tab_diagnostics(text: str, file: str) -> list[Diagnostic]:
    out = []
    for no, line in enumerate(text.splitlines(), 1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            out.append(Diagnostic.of(file, no, indent.index("\t") + 1, "diagnostics.yaml.tab"))
    return out


def _mark(node_or_event) -> tuple[int, int]:
    m = node_or_event.start_mark
    return (m.line + 1, m.column + 1)


class _Builder:
    def __init__(self, file: str):
        self.file = file
        self.doc = SourceDoc(file, None)
        self.errors: list[Diagnostic] = []

    def error(self, pos: tuple[int, int], code: str, path: tuple, **params: Any) -> None:
        self.errors.append(Diagnostic.of(self.file, pos[0], pos[1], code, json_path(path), **params))

    def build(self, node: yaml.Node, path: tuple) -> Any:
        pos = _mark(node)
        self.doc.positions[path] = pos
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            seen: dict[str, tuple[int, int]] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.error(_mark(key_node), "diagnostics.yaml.merge_key", path)
                    continue
                key = self.key(key_node, path)
                if key is None:
                    continue
                kpos = _mark(key_node)
                if key in seen:
                    self.error(kpos, "diagnostics.yaml.duplicate_key", path + (key,), key=key, first_line=seen[key][0])
                    continue
                seen[key] = kpos
                self.doc.key_positions[path + (key,)] = kpos
                out[key] = self.build(value_node, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)  # a mapping, a sequence or a scalar: nothing else composes
        self.doc.ends[path] = (node.end_mark.line + 1, node.end_mark.column + 1)
        return self.scalar(node, path)

    def key(self, node: yaml.Node, path: tuple) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.error(_mark(node), "diagnostics.yaml.key_not_text", path)
            return None
        if node.tag == "tag:yaml.org,2002:bool" or node.tag == "tag:yaml.org,2002:null":
            if node.style is None and node.value.lower() not in _BOOL_WORDS and node.tag.endswith("bool"):
                self.error(_mark(node), "diagnostics.yaml.key_boolean", path, key=node.value)
                return None
            if node.tag.endswith("null") or node.value.lower() in _BOOL_WORDS:
                self.error(_mark(node), "diagnostics.yaml.key_not_string", path, key=node.value)
                return None
        return node.value

    def scalar(self, node: yaml.ScalarNode, path: tuple) -> Any:
        text = node.value
        pos = _mark(node)
        if node.style is not None:  # quoted or block scalar: always text
            return text
        tag = node.tag
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            if text.lower() in _BOOL_WORDS:
                return text.lower() == "true"
            self.error(pos, "diagnostics.yaml.boolean_word", path, value=text)
            return text
        if tag == "tag:yaml.org,2002:int":
            if _SEXAGESIMAL.match(text):
                self.error(pos, "diagnostics.yaml.sexagesimal", path, value=text)
                return text
            if _OCTAL_LIKE.match(text):
                self.error(pos, "diagnostics.yaml.octal", path, value=text)
                return text
            if text.lower().startswith(("0x", "0b", "+0x", "-0x")):
                self.error(pos, "diagnostics.yaml.hexadecimal", path, value=text)
                return text
            digits = text.replace("_", "")
            if len(digits.lstrip("+-")) > MAX_NUMBER_DIGITS:
                self.error(pos, "diagnostics.yaml.number_too_large", path, value=text[:40], digits=MAX_NUMBER_DIGITS)
                return text
            return int(digits)
        if tag == "tag:yaml.org,2002:float":
            if _SEXAGESIMAL.match(text):
                self.error(pos, "diagnostics.yaml.sexagesimal", path, value=text)
                return text
            if _SPECIAL_FLOAT.match(text):
                self.error(pos, "diagnostics.yaml.not_finite", path, value=text)
                return text
            number = Decimal(text.replace("_", ""))
            mantissa = re.split("[eE]", text)[0]
            if sum(ch.isdigit() for ch in mantissa) > MAX_NUMBER_DIGITS or (number and abs(number.adjusted()) > MAX_EXPONENT):
                self.error(pos, "diagnostics.yaml.number_too_large", path, value=text[:40], digits=MAX_NUMBER_DIGITS)
                return text
            return number
        # timestamps stay text: the schema checks their format, and no timezone sneaks in
        return text


def read_yaml_text(text: str, file: str) -> tuple[SourceDoc | None, list[Diagnostic]]:
    """Parse one YAML document leniently: (document, every problem found).

    The document is None when the text cannot be read as YAML at all (a syntax error, tabs, anchors,
    an empty file, several documents): there is nothing to check. Strictness problems (duplicate
    keys, YAML 1.1 booleans and numbers, merge keys) come *with* the document, built without the
    offending key or with the value as written, so the checks after this one still run; the loader
    skips what they would say about those very paths.
    """
    errors = _control_diagnostics(text, file) or _tab_diagnostics(text, file)
    if errors:
        return None, errors
    try:
        events = list(yaml.parse(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        return None, [_runaway_quote(text, exc, file) or _yaml_error(exc, file, text)]
    except yaml.YAMLError as exc:  # what the reader refuses before any mark exists (a control character)
        return None, [Diagnostic.of(file, 1, 1, "diagnostics.yaml.syntax.other", problem=str(exc).split("\n")[0])]
    refused = _anchor_diagnostics(events, file) or _tag_diagnostics(events, file) or _depth_diagnostics(events, file)
    if refused:
        return None, refused
    starts = [e for e in events if isinstance(e, yaml.DocumentStartEvent)]
    if len(starts) > 1:
        return None, [Diagnostic.of(file, *_mark(starts[1]), "diagnostics.yaml.two_documents")]
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is None:
        return None, [Diagnostic.of(file, 1, 1, "diagnostics.yaml.empty")]
    builder = _Builder(file)
    builder.doc.data = builder.build(node, ())
    builder.doc.text = text
    return builder.doc, builder.errors


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _control_diagnostics(text: str, file: str) -> list[Diagnostic]:
    """A raw NUL, BEL or other control character (YAML refuses them, and PyYAML said so in a traceback)."""
    found = _CONTROL.search(text)
    if found is None:
        return []
    before = text[:found.start()]
    line = before.count("\n") + 1
    col = found.start() - (before.rfind("\n") + 1) + 1
    return [Diagnostic.of(file, line, col, "diagnostics.yaml.control_character", char=f"U+{ord(found.group()):04X}")]


def _tag_diagnostics(events: list, file: str) -> list[Diagnostic]:
    """Explicit tags (`!!int abc`, `!foo`, `!!binary …`, `!!timestamp …`): a policy or ledger needs none, and each
    was either a traceback, ignored or turned into something else. The first three are named."""
    tagged = [e for e in events if getattr(e, "tag", None) is not None]
    return [Diagnostic.of(file, *_mark(e), "diagnostics.yaml.tag", tag=e.tag.replace("tag:yaml.org,2002:", "!!"))
            for e in tagged[:3]]


def _depth_diagnostics(events: list, file: str) -> list[Diagnostic]:
    """Nesting deeper than MAX_DEPTH (500 levels were a RecursionError), at the first event beyond it."""
    depth = 0
    for e in events:
        if isinstance(e, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return [Diagnostic.of(file, *_mark(e), "diagnostics.yaml.too_deep", limit=MAX_DEPTH)]
        elif isinstance(e, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return []


def parse_yaml(text: str, file: str) -> SourceDoc:
    """Parse one YAML document; raise InputError with every problem found."""
    doc, errors = read_yaml_text(text, file)
    if errors or doc is None:
        raise InputError(errors)
    return doc


def _anchor_diagnostics(events: list, file: str) -> list[Diagnostic]:
    """Anchors and aliases, from parser events: nothing is ever expanded, so an alias bomb costs no
    more than its own text. The first three are named where they are defined, with their uses."""
    defined: dict[str, Any] = {}
    used: dict[str, list[Any]] = {}
    for e in events:
        if isinstance(e, yaml.AliasEvent) and e.anchor is not None:
            used.setdefault(e.anchor, []).append(e)
        elif getattr(e, "anchor", None):
            defined.setdefault(e.anchor, e)
    names = list(dict.fromkeys([*defined, *used]))
    out = []
    for name in names[:3]:
        lines = sorted({_mark(e)[0] for e in used.get(name, [])})
        if name not in defined:
            out.append(Diagnostic.of(file, *_mark(used[name][0]), "diagnostics.yaml.alias_undefined", name=name))
        elif not lines:
            out.append(Diagnostic.of(file, *_mark(defined[name]), "diagnostics.yaml.anchor_unused", name=name))
        elif len(lines) > 5:
            out.append(Diagnostic.of(file, *_mark(defined[name]), "diagnostics.yaml.anchor_used_often", name=name,
                                     lines=lines[:5], count=len(lines)))
        else:
            out.append(Diagnostic.of(file, *_mark(defined[name]), "diagnostics.yaml.anchor_used", name=name, lines=lines))
    if len(names) > 3:
        fourth = defined.get(names[3]) or used[names[3]][0]
        out.append(Diagnostic.of(file, *_mark(fourth), "diagnostics.yaml.anchors_more", count=len(names) - 3))
    return out


_SYNTAX = [
    # (PyYAML problem text contains, context contains, report at the context mark?, catalog code)
    ("but got", "flow sequence", False, "diagnostics.yaml.syntax.unclosed_list"),
    ("but got", "flow mapping", False, "diagnostics.yaml.syntax.unclosed_mapping"),
    ("end of stream", "quoted scalar", True, "diagnostics.yaml.syntax.unclosed_quote"),
    ("mapping values are not allowed", "", False, "diagnostics.yaml.syntax.unexpected_colon"),
    ("could not find expected ':'", "simple key", True, "diagnostics.yaml.syntax.no_colon"),
    ("expected <block end>, but found '<scalar>'", "", False, "diagnostics.yaml.syntax.unexpected_text"),
    ("expected <block end>, but found '-'", "", False, "diagnostics.yaml.syntax.unexpected_list_entry"),
    ("expected <block end>", "", False, "diagnostics.yaml.syntax.misaligned"),
    ("cannot start any token", "", False, "diagnostics.yaml.syntax.bad_start"),
]


def _runaway_quote(text: str, exc: yaml.MarkedYAMLError, file: str) -> Diagnostic | None:
    """`source: "六` with no closing quote runs on to the next '"' lines later, and PyYAML then
    complains there. If the token just before the error is a quoted text spanning lines, say so."""
    mark = exc.problem_mark
    if mark is None or exc.context == "while scanning a quoted scalar":
        return None
    last = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if (token.start_mark.line, token.start_mark.column) >= (mark.line, mark.column):
                break
            last = token
    except yaml.MarkedYAMLError:
        pass
    if not isinstance(last, yaml.ScalarToken) or last.style not in ('"', "'") \
            or last.end_mark.line == last.start_mark.line:
        return None
    end = last.end_mark
    return Diagnostic.of(file, *_mark(last), "diagnostics.yaml.syntax.runaway_quote", end_line=end.line + 1,
                         end_column=end.column, quote=last.style)


def _yaml_error(exc: yaml.MarkedYAMLError, file: str, text: str = "") -> Diagnostic:
    problem = exc.problem or ""
    context = exc.context or ""
    cm = exc.context_mark
    params: dict[str, Any] = {}
    for needle, ctx, at_context, code in _SYNTAX:
        if needle in problem and ctx in context:
            mark = (cm if at_context else exc.problem_mark) or exc.problem_mark or cm
            if "unclosed" in code:
                params = {"open_line": cm.line + 1 if cm else 0, "open_column": cm.column + 1 if cm else 0}
            if code.endswith("bad_start"):
                ch = re.search(r"found character ('.*?') that", problem)
                params = {"char": ch.group(1) if ch else "?"}
            break
    else:
        mark = exc.problem_mark or cm
        code = "diagnostics.yaml.syntax.other"
        params = {"problem": (problem + (f" {context}" if context else "")).strip() or "?"}
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    source_line = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    if "：" in source_line and code == "diagnostics.yaml.syntax.no_colon":
        code = "diagnostics.yaml.syntax.no_colon_fullwidth"
    return Diagnostic.of(file, line, col, code, **params)


def _unreadable(name: str, exc: OSError) -> Diagnostic:
    if exc.errno == errno.ENOENT:
        return Diagnostic.of(name, 1, 1, "diagnostics.yaml.file_missing")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return Diagnostic.of(name, 1, 1, "diagnostics.yaml.no_permission")
    if exc.errno == errno.ELOOP:
        return Diagnostic.of(name, 1, 1, "diagnostics.yaml.symlink_loop")
    return Diagnostic.of(name, 1, 1, "diagnostics.yaml.cannot_read", reason=exc.strerror or type(exc).__name__)


def read_yaml(path: str | Path, display: str | None = None,
              limit: int = MAX_POLICY_BYTES) -> tuple[SourceDoc | None, list[Diagnostic]]:
    """Read a UTF-8 YAML (or JSON) file leniently: (document or None, problems), as read_yaml_text."""
    path = Path(path)
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > limit:
            return None, [Diagnostic.of(name, 1, 1, "diagnostics.yaml.too_large", size=size, limit=limit)]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [_unreadable(name, exc)]
    try:
        text = decode_utf8(raw, name)
    except InputError as exc:
        return None, exc.diagnostics
    return read_yaml_text(text, name)


def load_yaml(path: str | Path, display: str | None = None, limit: int = MAX_POLICY_BYTES) -> SourceDoc:
    """Read a UTF-8 YAML (or JSON) file with positions; raise InputError with every problem found."""
    doc, errors = read_yaml(path, display, limit)
    if errors or doc is None:
        raise InputError(errors)
    return doc
