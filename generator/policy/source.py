"""Load YAML strictly, keeping the line and column of every node.

PyYAML is permissive in ways that hurt policy authors: duplicate keys silently keep the last
value, `no` becomes false, `010` becomes 8, `08:30` becomes 510, aliases can expand into
billions of nodes. We build Python values from PyYAML's node graph ourselves so that each of
those becomes a clear diagnostic, and so that every value keeps its position for later errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from generator.base.diagnostics import Diagnostic, InputError, json_path

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

    def diagnostic(self, path: tuple | list, message: str, key: str | None = None) -> Diagnostic:
        line, col = self.locate(path, key)
        full = tuple(path) + ((key,) if key is not None else ())
        return Diagnostic(self.file, line, col, message, json_path(full))


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
            guess = "; it looks like GBK/GB18030 (the usual Chinese Windows encoding)"
        except UnicodeDecodeError:
            guess = ""
        raise InputError([Diagnostic(
            file, line, col,
            f"file is not valid UTF-8 (byte 0x{raw[start]:02x}){guess}; save it as UTF-8 "
            "(另存为 → 编码 UTF-8)",
        )]) from None


def _tab_diagnostics(text: str, file: str) -> list[Diagnostic]:
    out = []
    for no, line in enumerate(text.splitlines(), 1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            out.append(Diagnostic(file, no, indent.index("\t") + 1,
                                  "tab character in indentation; YAML indents with spaces only"))
    return out


def _mark(node_or_event) -> tuple[int, int]:
    m = node_or_event.start_mark
    return (m.line + 1, m.column + 1)


class _Builder:
    def __init__(self, file: str):
        self.file = file
        self.doc = SourceDoc(file, None)
        self.errors: list[Diagnostic] = []

    def error(self, pos: tuple[int, int], message: str, path: tuple) -> None:
        self.errors.append(Diagnostic(self.file, pos[0], pos[1], message, json_path(path)))

    def build(self, node: yaml.Node, path: tuple) -> Any:
        pos = _mark(node)
        self.doc.positions[path] = pos
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            seen: dict[str, tuple[int, int]] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.error(_mark(key_node), "merge keys (<<) are not allowed; write the values out", path)
                    continue
                key = self.key(key_node, path)
                if key is None:
                    continue
                kpos = _mark(key_node)
                if key in seen:
                    self.error(kpos, f"duplicate key '{key}' (first defined at line {seen[key][0]}); "
                                     "remove one of them", path + (key,))
                    continue
                seen[key] = kpos
                self.doc.key_positions[path + (key,)] = kpos
                out[key] = self.build(value_node, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        return self.scalar(node, path)

    def key(self, node: yaml.Node, path: tuple) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.error(_mark(node), "mapping keys must be plain text", path)
            return None
        if node.tag == "tag:yaml.org,2002:bool" or node.tag == "tag:yaml.org,2002:null":
            if node.style is None and node.value.lower() not in _BOOL_WORDS and node.tag.endswith("bool"):
                self.error(_mark(node), f"key '{node.value}' is read as a boolean in YAML 1.1; "
                                        f"quote it: \"{node.value}\"", path)
                return None
            if node.tag.endswith("null") or node.value.lower() in _BOOL_WORDS:
                self.error(_mark(node), f"key '{node.value}' is not text; quote it", path)
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
            self.error(pos, f"'{text}' is read as a boolean in YAML 1.1; write true or false, "
                            f"or quote it (\"{text}\") if you mean the text", path)
            return text
        if tag == "tag:yaml.org,2002:int":
            if _SEXAGESIMAL.match(text):
                self.error(pos, f"'{text}' is read as a base-60 number in YAML 1.1; quote it (\"{text}\")", path)
                return text
            if _OCTAL_LIKE.match(text):
                self.error(pos, f"'{text}' has a leading zero and is read as an octal number in YAML 1.1; "
                                f"quote it (\"{text}\") or drop the zero", path)
                return text
            if text.lower().startswith(("0x", "0b", "+0x", "-0x")):
                self.error(pos, f"'{text}' is a hexadecimal/binary number; write it in decimal", path)
                return text
            return int(text.replace("_", ""))
        if tag == "tag:yaml.org,2002:float":
            if _SEXAGESIMAL.match(text):
                self.error(pos, f"'{text}' is read as a base-60 number in YAML 1.1; quote it (\"{text}\")", path)
                return text
            if _SPECIAL_FLOAT.match(text):
                self.error(pos, f"'{text}' is not a finite number", path)
                return text
            return Decimal(text.replace("_", ""))
        # timestamps stay text: the schema checks their format, and no timezone sneaks in
        return text


def parse_yaml(text: str, file: str) -> SourceDoc:
    """Parse one YAML document; raise InputError with every problem found."""
    errors = _tab_diagnostics(text, file)
    if errors:
        raise InputError(errors)
    try:
        events = list(yaml.parse(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        raise InputError([_runaway_quote(text, exc, file) or _yaml_error(exc, file, text)]) from None
    anchors = _anchor_diagnostic(events, file)
    if anchors:
        raise InputError([anchors])
    documents = sum(1 for e in events if isinstance(e, yaml.DocumentStartEvent))
    if documents > 1:
        second = [e for e in events if isinstance(e, yaml.DocumentStartEvent)][1]
        raise InputError([Diagnostic(file, *_mark(second), "only one YAML document per file (remove '---')")])
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    builder = _Builder(file)
    if node is None:
        raise InputError([Diagnostic(file, 1, 1, "file is empty (or has only comments)")])
    builder.doc.data = builder.build(node, ())
    if builder.errors:
        raise InputError(builder.errors)
    return builder.doc


def _anchor_diagnostic(events: list, file: str) -> Diagnostic | None:
    """One diagnostic for all anchors/aliases, from parser events: nothing is ever expanded,
    so an alias bomb costs no more than its own text. Names the first few with their uses."""
    defined: dict[str, Any] = {}
    used: dict[str, list[int]] = {}
    first = None
    for e in events:
        if isinstance(e, yaml.AliasEvent):
            used.setdefault(e.anchor, []).append(e.start_mark.line + 1)
        elif getattr(e, "anchor", None):
            defined.setdefault(e.anchor, e)
        else:
            continue
        first = first or e
    if first is None:
        return None
    parts = []
    for name in list(dict.fromkeys([*defined, *used]))[:3]:
        lines = sorted(set(used.get(name, [])))
        shown = ", ".join(map(str, lines[:5])) + (" …" if len(lines) > 5 else "")
        if name not in defined:
            parts.append(f"*{name} (no &{name} defines it)")
        elif not lines:
            parts.append(f"&{name} (line {_mark(defined[name])[0]}) is never used")
        else:
            parts.append(f"&{name} (line {_mark(defined[name])[0]}) is used on line{'s' if len(lines) > 1 else ''} {shown}")
    more = len(set(defined) | set(used)) - 3
    summary = "; ".join(parts) + (f"; and {more} more anchors" if more > 0 else "")
    return Diagnostic(file, *_mark(first), "YAML anchors and aliases (&name, *name) are not allowed; "
                                           f"write each value out in full: {summary}")


_SYNTAX = [
    # (PyYAML problem text contains, context contains, report at the context mark?, plain message)
    ("but got", "flow sequence", False,
     "the list opened with '[' at line {cl}, column {cc} is not closed before this point: add the missing ']', "
     "or a ',' between two entries"),
    ("but got", "flow mapping", False,
     "the mapping opened with '{{' at line {cl}, column {cc} is not closed before this point: add the missing '}}', "
     "or a ',' between two entries"),
    ("end of stream", "quoted scalar", True, "this quote is never closed: add the closing quote at the end of the text"),
    ("mapping values are not allowed", "", False,
     "unexpected ':' here: this line is indented more than the key above it, "
     "or an unquoted value contains ': ' (quote the value)"),
    ("could not find expected ':'", "simple key", True,
     "this line has no ':'; write 'key: value', or indent it further if it continues the value above"),
    ("expected <block end>, but found '<scalar>'", "", False,
     "unexpected text here: check that this line lines up with the keys above it, and that a quoted value "
     "has nothing after its closing quote"),
    ("expected <block end>, but found '-'", "", False,
     "a list entry ('- ') where a key was expected: check the indentation of this line"),
    ("expected <block end>", "", False,
     "this line does not line up with the lines above it: check its indentation"),
    ("cannot start any token", "", False, "{ch} cannot start an unquoted value: quote the value"),
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
    return Diagnostic(file, *_mark(last), f"YAML syntax error: this quoted text runs on to line {end.line + 1}, "
                                          f"column {end.column}; is its closing {last.style} missing?")


def _yaml_error(exc: yaml.MarkedYAMLError, file: str, text: str = "") -> Diagnostic:
    problem = exc.problem or "invalid YAML"
    context = exc.context or ""
    cm = exc.context_mark
    for needle, ctx, at_context, plain in _SYNTAX:
        if needle in problem and ctx in context:
            mark = (cm if at_context else exc.problem_mark) or exc.problem_mark or cm
            ch = re.search(r"found character ('.*?') that", problem)
            message = plain.format(cl=cm.line + 1 if cm else 0, cc=cm.column + 1 if cm else 0,
                                   ch=ch.group(1) if ch else "this character")
            break
    else:
        mark = exc.problem_mark or cm
        message = problem + (f" {context}" if context else "")
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    source_line = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    if "：" in source_line and "no ':'" in message:
        message += " ('：' is a full-width colon: type ': ' in half-width)"
    return Diagnostic(file, line, col, f"YAML syntax error: {message}")


def load_yaml(path: str | Path, display: str | None = None) -> SourceDoc:
    """Read a UTF-8 YAML (or JSON) file with positions."""
    path = Path(path)
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Diagnostic(name, 1, 1, f"cannot read file: {exc.strerror}")]) from None
    return parse_yaml(decode_utf8(raw, name), name)
