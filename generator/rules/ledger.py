"""Read a person's ledger from YAML, JSON or CSV, reporting bad rows instead of dropping them.

CSV files come from Excel: UTF-8 with or without BOM, or GBK. Headings may be the English field
ids or the Chinese ones listed in the message catalog.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from generator.base.diagnostics import Diagnostic, InputError
from generator.base.messages import catalog
from generator.base.rational import parse_rational
from generator.policy.schema import schema_diagnostics
from generator.policy.source import SourceDoc, decode_utf8, parse_yaml

LEDGER_SCHEMA = "ledger.schema.json"
NUMERIC_FIELDS = ("hours", "count", "half_days", "days", "years", "passed", "failed", "credits")
TEXT_FIELDS = ("item", "date", "level", "course", "evidence", "note", "counts_for")


@dataclass
class Ledger:
    """A ledger dict (per schemas/ledger.schema.json) and where each entry came from."""

    data: dict
    file: str
    entry_locations: list[tuple[int, int]] = field(default_factory=list)
    doc: SourceDoc | None = None

    def locate(self, entry: int, field_name: str = "") -> Diagnostic:
        """A diagnostic position for an engine error on entry N (and field)."""
        if self.doc is not None:
            path = ("entries", entry) + ((field_name,) if field_name else ())
            line, col = self.doc.locate(path, None)
            return Diagnostic(self.file, line, col, "", f"entries[{entry}]" + (f".{field_name}" if field_name else ""))
        line, col = self.entry_locations[entry] if entry < len(self.entry_locations) else (1, 1)
        return Diagnostic(self.file, line, col, "", f"row {line}" + (f", {field_name}" if field_name else ""))


def _decode_csv(raw: bytes, file: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return decode_utf8(raw, file)  # raises a located diagnostic


def read_csv_ledger(raw: bytes, file: str, person: dict | None = None) -> Ledger:
    """CSV: one entry per row, a heading row first. Every bad cell is reported with its row."""
    text = _decode_csv(raw, file)
    rows = list(csv.reader(io.StringIO(text)))
    diags: list[Diagnostic] = []
    if not rows:
        raise InputError([Diagnostic(file, 1, 1, "CSV file is empty; the first row must name the columns")])
    aliases = catalog()["csv_headers"]
    truthy, falsy = set(catalog()["csv_true"]), set(catalog()["csv_false"])
    known = set(NUMERIC_FIELDS) | set(TEXT_FIELDS) | {"exam_passed"}
    columns: list[str | None] = []
    for col, heading in enumerate(rows[0], 1):
        name = heading.strip()
        name = aliases.get(name, name)
        if name not in known:
            if name:
                diags.append(Diagnostic(file, 1, col, f"unknown column '{heading}'; use one of: "
                                        f"{', '.join(sorted(known))} (or the Chinese headings 项目, 日期, 学时 …)"))
            columns.append(None)
        else:
            columns.append(name)
    for required in ("item", "date"):
        if required not in columns:
            diags.append(Diagnostic(file, 1, 1, f"missing column '{required}'"))
    entries: list[dict] = []
    locations: list[tuple[int, int]] = []
    for line_no, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        entry: dict[str, Any] = {}
        for col, cell in enumerate(row, 1):
            name = columns[col - 1] if col - 1 < len(columns) else None
            value = cell.strip()
            if name is None or value == "":
                if name is None and value and col - 1 >= len(columns):
                    diags.append(Diagnostic(file, line_no, col, "cell outside any named column"))
                continue
            if name in NUMERIC_FIELDS:
                try:
                    number = parse_rational(value)
                except ValueError:
                    msg = (f"{name} must be a non-negative number, got '{value}'" if not value.startswith("-")
                           else f"{name} must not be negative, got '{value}'")
                    diags.append(Diagnostic(file, line_no, col, msg, f"row {line_no}, {name}"))
                    continue
                entry[name] = value if number.denominator != 1 else int(number)
            elif name == "exam_passed":
                if value.lower() in truthy:
                    entry[name] = True
                elif value.lower() in falsy:
                    entry[name] = False
                else:
                    diags.append(Diagnostic(file, line_no, col, f"exam_passed must be 是/否 or true/false, got '{value}'",
                                            f"row {line_no}, exam_passed"))
            else:
                entry[name] = value
        for required in ("item", "date"):
            if required in columns and required not in entry:
                diags.append(Diagnostic(file, line_no, columns.index(required) + 1, f"missing {required}",
                                        f"row {line_no}, {required}"))
        entries.append(entry)
        locations.append((line_no, 1))
    data = {"format": "jxjy-ledger/1", "person": person or {}, "entries": entries}
    if diags:
        raise InputError(diags)
    return Ledger(data, file, locations)


def _plain(value: Any) -> Any:
    """YAML numbers arrive as Decimal to stay exact; the ledger keeps them as exact strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def read_ledger(path: str | Path, person: dict | None = None) -> Ledger:
    """Load a ledger file by its extension; raise InputError with every problem found."""
    path = Path(path)
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Diagnostic(file, 1, 1, f"cannot read file: {exc.strerror}")]) from None
    if path.suffix.lower() == ".csv":
        return read_csv_ledger(raw, file, person)
    text = decode_utf8(raw, file)
    if path.suffix.lower() == ".json":
        try:
            json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise InputError([Diagnostic(file, exc.lineno, exc.colno, f"JSON syntax error: {exc.msg}")]) from None
        text = text.replace("\t", "  ")  # JSON allows tab indentation; YAML does not
    doc = parse_yaml(text, file)  # JSON is YAML; this keeps positions for both
    diags = schema_diagnostics(doc, LEDGER_SCHEMA)
    if diags:
        raise InputError(diags)
    data = _plain(doc.data)
    if person:
        data.setdefault("person", {}).update(person)
    return Ledger(data, file, doc=doc)
