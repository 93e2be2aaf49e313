"""Read a person's ledger from YAML, JSON or CSV, reporting bad rows instead of dropping them.

CSV files come from Excel: UTF-8 with or without BOM, or GBK. Headings may be the English field
ids or the Chinese ones listed in the message catalog. Every problem is a catalog code
(``diagnostics.ledger.*``) rendered in the reader's language; a CSV cell is located like a roster's
(``第 3 行 学时``), and the engine's errors on an entry are placed back at its line (:meth:`Ledger.diagnostic`).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from generator.base.dates import parse_date
from generator.base.diagnostics import Diagnostic, InputError, json_path, params_of
from generator.base.limits import MAX_LEDGER_BYTES, MAX_NUMBER_DIGITS
from generator.base.messages import catalog, phrase, render
from generator.base.rational import parse_rational
from generator.policy.schema import schema_diagnostics
from generator.policy.source import SourceDoc, decode_utf8, parse_yaml
from generator.rules.errors import display
from generator.rules.json_ledger import plain_number, read_json

LEDGER_SCHEMA = "ledger.schema.json"
NUMERIC_FIELDS = ("hours", "count", "half_days", "days", "years", "passed", "failed", "credits")
TEXT_FIELDS = ("item", "date", "level", "course", "evidence", "note", "counts_for")


def column_label(name: str) -> str:
    """A ledger field as a CSV heading names it: the first Chinese heading the catalog accepts for it (学时, 日期 …)."""
    return next((heading for heading, field_id in catalog()["csv_headers"].items() if field_id == name), name)


def _csv_where(row: int, field_name: str) -> str:
    """A CSV cell's place as the roster says it: 第 3 行 学时 (第 3 行 for the whole row)."""
    if not field_name:
        return render("diagnostics.ledger.row", {"row": row})
    return render("diagnostics.ledger.where", {"row": row, "column": column_label(field_name)})


@dataclass
class Ledger:
    """A ledger dict (per schemas/ledger.schema.json) and where each entry came from."""

    data: dict
    file: str
    entry_locations: list[tuple[int, int]] = field(default_factory=list)
    doc: SourceDoc | None = None
    columns: dict[str, int] = field(default_factory=dict)  # CSV: field → its column (1-based)

    def locate(self, entry: int, field_name: str = "") -> Diagnostic:
        """A diagnostic position for an engine error on entry N (and field): its line and column, and the path
        (entries[3].hours in YAML/JSON; 第 5 行 学时 in a CSV file). The code is left empty."""
        if self.doc is not None:
            path = ("entries", entry) + ((field_name,) if field_name else ())
            line, col = self.doc.locate(path, None)
            return Diagnostic(self.file, line, col, "", json_path(path))
        line, col = self.entry_locations[entry] if entry < len(self.entry_locations) else (1, 1)
        col = self.columns.get(field_name, col)
        return Diagnostic(self.file, line, col, "", _csv_where(line, field_name))

    def diagnostic(self, error: dict) -> Diagnostic:
        """An engine error record (result errors or input_errors) as a diagnostic whose sentence is rendered
        from its code and parameters in the reader's language; an entry error at its entry's line. An input
        error has no place in the file: a ledger file that reaches the engine is valid against the ledger
        schema, so a bad as-of date, role or key date came from the command line (--as-of, --role, --date)."""
        params = params_of(error.get("params"))
        if "entry" not in error:
            return Diagnostic("", 0, 0, error["code"], "", params)
        where = self.locate(error["entry"], error["field"])
        return Diagnostic(where.file, where.line, where.column, error["code"], where.path, params)


def role_diagnostics(ledger: Ledger, roles: dict[str, str], given: list[str] | None) -> list[Diagnostic]:
    """Roles the policy does not have: each of the ledger file's `person.roles` at its place, and each
    `--role` of the command line (`given`), with a did-you-mean. A misspelt role (new-teachr) used to be
    ignored, and with it the requirement only that role has (the 120-credit new-teacher check)."""
    choices = sorted(roles)
    known = "、".join(f"{rid}（{name}）" for rid, name in roles.items())
    out: list[Diagnostic] = []
    person = ledger.doc.data.get("person") if ledger.doc is not None and isinstance(ledger.doc.data, dict) else None
    in_file = person.get("roles") if isinstance(person, dict) else None
    if ledger.doc is not None and isinstance(in_file, list):
        for n, role in enumerate(in_file):
            if isinstance(role, str) and role not in roles:
                out.append(ledger.doc.diagnostic(("person", "roles", n), "diagnostics.ledger.unknown_role",
                                                 role=display(role), roles=known, hint=_did_you_mean(role, choices)))
    for role in given or []:
        if role not in roles:
            out.append(Diagnostic.of("", 0, 0, "diagnostics.cli.unknown_role", role=display(role), roles=known,
                                     hint=_did_you_mean(role, choices)))
    return out


def _did_you_mean(word: str, choices: list[str]) -> Any:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return phrase("diagnostics.hint.did_you_mean", choice=close[0]) if close else phrase("diagnostics.nothing")


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
    """CSV: one entry per row, a heading row first. Every bad cell is reported with its row and column."""
    text = _decode_csv(raw, file)
    rows, starts, diags = _csv_rows(text, file)
    if not rows:
        raise InputError(diags or [Diagnostic.of(file, 1, 1, "diagnostics.ledger.csv_empty")])
    aliases = catalog()["csv_headers"]
    truthy, falsy = set(catalog()["csv_true"]), set(catalog()["csv_false"])
    known = set(NUMERIC_FIELDS) | set(TEXT_FIELDS) | {"exam_passed"}
    columns: list[str | None] = []
    for col, heading in enumerate(rows[0], 1):
        field_id = aliases.get(heading.strip(), heading.strip())
        if field_id in columns:  # item,date,hours,hours silently kept the last one
            diags.append(Diagnostic.of(file, 1, col, "diagnostics.ledger.duplicate_column", heading=display(heading),
                                       first=columns.index(field_id) + 1))
            columns.append(None)
            continue
        if field_id not in known:
            if field_id:
                labels = list(dict.fromkeys(column_label(f) for f in (*TEXT_FIELDS[:2], *NUMERIC_FIELDS, "exam_passed",
                                                                      *TEXT_FIELDS[2:])))
                diags.append(Diagnostic.of(file, 1, col, "diagnostics.ledger.unknown_column", heading=display(heading),
                                           columns=labels))
            columns.append(None)
        else:
            columns.append(field_id)
    for required in ("item", "date"):
        if required not in columns:
            diags.append(Diagnostic.of(file, 1, 1, "diagnostics.ledger.missing_column", label=column_label(required)))
    entries: list[dict] = []
    locations: list[tuple[int, int]] = []
    for line_no, row in zip(starts[1:], rows[1:], strict=True):
        if not any(cell.strip() for cell in row):
            continue
        entry: dict[str, Any] = {}
        for col, cell in enumerate(row, 1):
            name = columns[col - 1] if col - 1 < len(columns) else None
            value = cell.strip()
            if name is None or value == "":
                if name is None and value and col - 1 >= len(columns):
                    diags.append(Diagnostic.of(file, line_no, col, "diagnostics.ledger.cell_outside",
                                               render("diagnostics.ledger.row", {"row": line_no})))
                continue
            if name in NUMERIC_FIELDS:
                if sum(ch.isdigit() for ch in value) > MAX_NUMBER_DIGITS:
                    diags.append(Diagnostic.of(file, line_no, col, "diagnostics.ledger.number_too_large",
                                               _csv_where(line_no, name),
                                               value=value[:40], digits=MAX_NUMBER_DIGITS))
                    continue
                try:
                    number = parse_rational(value)
                except ValueError:
                    code = "diagnostics.ledger.negative" if value.startswith("-") else "diagnostics.ledger.not_a_number"
                    diags.append(Diagnostic.of(file, line_no, col, code, _csv_where(line_no, name), value=display(value)))
                    continue
                entry[name] = value if number.denominator != 1 else int(number)
            elif name == "exam_passed":
                if value.lower() in truthy:
                    entry[name] = True
                elif value.lower() in falsy:
                    entry[name] = False
                else:
                    diags.append(Diagnostic.of(file, line_no, col, "diagnostics.ledger.not_yes_no",
                                               _csv_where(line_no, name),
                                               value=display(value)))
            else:
                entry[name] = value
        for required in ("item", "date"):
            if required in columns and required not in entry:
                diags.append(Diagnostic.of(file, line_no, columns.index(required) + 1, "diagnostics.ledger.missing_cell",
                                           _csv_where(line_no, required), label=column_label(required)))
        entries.append(entry)
        locations.append((line_no, 1))
    data = {"format": "jxjy-ledger/1", "person": person or {}, "entries": entries}
    if diags:
        raise InputError(diags)
    return Ledger(data, file, locations, columns={name: n for n, name in enumerate(columns, 1) if name})


def _csv_rows(text: str, file: str) -> tuple[list[list[str]], list[int], list[Diagnostic]]:
    """The rows of a CSV text, the line each starts on, and an unterminated quote: `…,24,"abc` with more rows
    after it used to swallow them into one cell (exit 0, a wrong total). A quote still open at the end of the
    file is an error at the line and column where it opened; the rows before it are still checked."""
    reader = csv.reader(io.StringIO(text), strict=True)
    rows: list[list[str]] = []
    starts: list[int] = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return rows, starts, []
        except csv.Error:
            lines = text.splitlines()
            line = lines[start - 1] if start - 1 < len(lines) else ""
            opened = max((i for i, ch in enumerate(line) if ch == '"' and (i == 0 or line[i - 1] == ",")), default=0)
            return rows, starts, [Diagnostic.of(file, start, opened + 1, "diagnostics.ledger.csv_unterminated_quote",
                                                _csv_where(start, ""))]
        rows.append(row)
        starts.append(start)


JSON_PROBLEMS = (  # json.JSONDecodeError.msg → what it means, in the catalog (the rest: its own words)
    ("Expecting value", "expecting_value"),
    ("Expecting ',' delimiter", "expecting_comma"),
    ("Expecting ':' delimiter", "expecting_colon"),
    ("Expecting property name enclosed in double quotes", "expecting_name"),
    ("Illegal trailing comma", "expecting_name"),
    ("Unterminated string", "unterminated_string"),
    ("Invalid control character", "control_character"),
    ("Invalid \\", "bad_escape"),
    ("Extra data", "extra_data"),
)


def _json_syntax(file: str, exc: json.JSONDecodeError) -> Diagnostic:
    for start, key in JSON_PROBLEMS:
        if exc.msg.startswith(start):
            return Diagnostic.of(file, exc.lineno, exc.colno, f"diagnostics.ledger.json.{key}")
    return Diagnostic.of(file, exc.lineno, exc.colno, "diagnostics.ledger.json.other", problem=exc.msg)


def _unreadable(file: str, exc: OSError) -> Diagnostic:
    if isinstance(exc, FileNotFoundError):
        return Diagnostic.of(file, 1, 1, "diagnostics.ledger.no_such_file")
    if isinstance(exc, PermissionError):
        return Diagnostic.of(file, 1, 1, "diagnostics.ledger.no_permission")
    if isinstance(exc, IsADirectoryError):
        return Diagnostic.of(file, 1, 1, "diagnostics.ledger.is_directory")
    return Diagnostic.of(file, 1, 1, "diagnostics.ledger.cannot_read", reason=exc.strerror or type(exc).__name__)


_DATE = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_AMOUNT_TEXT = re.compile(r"^[0-9]+(\.[0-9]+)?(/[1-9][0-9]*)?$")
_PERIOD = re.compile(r"^[0-9]{4}(-[0-9]{4})?$")
_TEXT_LIMITS = {"item": None, "level": None, "course": 200, "evidence": 500, "note": 500}


def plainly_valid(data: Any) -> bool:
    """True only when schemas/ledger.schema.json surely accepts the document: the common case, checked in
    a fraction of the time jsonschema takes (160 s for 100,000 entries). Anything else — including what
    this check does not know — goes to the schema validator, which says what is wrong and where
    (tests/test_fuzz.py holds the two to the same answer)."""
    if not isinstance(data, dict) or "entries" not in data or not set(data) <= {"format", "policy", "person", "entries"}:
        return False
    if "format" in data and data["format"] != "jxjy-ledger/1":
        return False
    if "policy" in data:
        pol = data["policy"]
        if not (isinstance(pol, dict) and set(pol) <= {"id", "edition"} and all(isinstance(v, str) for v in pol.values())):
            return False
    if "person" in data and not _plain_person(data["person"]):
        return False
    entries = data["entries"]
    return isinstance(entries, list) and all(_plain_entry(e) for e in entries)


def _plain_person(person: Any) -> bool:
    if not isinstance(person, dict) or not set(person) <= {"name", "school", "subject", "roles", "dates"}:
        return False
    for key, limit in (("name", 100), ("school", 200), ("subject", 100)):
        if key in person and not (isinstance(person[key], str) and len(person[key]) <= limit):
            return False
    roles = person.get("roles", [])
    if not (isinstance(roles, list) and all(isinstance(r, str) and _ID.match(r) for r in roles)):
        return False
    dates = person.get("dates", {})
    return isinstance(dates, dict) and all(isinstance(k, str) and _ID.match(k) and _plain_date(v) for k, v in dates.items())


def _plain_date(value: Any) -> bool:
    return isinstance(value, str) and bool(_DATE.match(value)) and parse_date(value) is not None


def _plain_entry(entry: Any) -> bool:
    if not isinstance(entry, dict) or "item" not in entry or "date" not in entry:
        return False
    for key, value in entry.items():
        if key == "date":
            ok = _plain_date(value)
        elif key in NUMERIC_FIELDS:
            ok = (isinstance(value, int) and not isinstance(value, bool) and value >= 0) \
                or (isinstance(value, Decimal) and value.is_finite() and value >= 0) \
                or (isinstance(value, str) and bool(_AMOUNT_TEXT.match(value)))
        elif key == "exam_passed":
            ok = isinstance(value, bool)
        elif key == "counts_for":
            ok = isinstance(value, str) and bool(_PERIOD.match(value))
        elif key in _TEXT_LIMITS:
            limit = _TEXT_LIMITS[key]
            ok = isinstance(value, str) and (limit is None or len(value) <= limit)
        else:
            ok = False
        if not ok:
            return False
    return True


def _plain(value: Any) -> Any:
    """YAML and JSON numbers arrive as Decimal to stay exact; the ledger keeps them as ints or exact strings
    (0.0000001, never 1E-7). The entries list, the bulk of a ledger, is done in one comprehension."""
    if not isinstance(value, dict):
        return _plain_value(value)
    return {k: _plain_entries(v) if k == "entries" and isinstance(v, list) else _plain_value(v) for k, v in value.items()}


def _plain_entries(entries: list) -> list:
    return [{k: plain_number(v) if isinstance(v, Decimal) else v for k, v in e.items()}
            if isinstance(e, dict) and not any(isinstance(v, (dict, list)) for v in e.values()) else _plain_value(e)
            for e in entries]


def _plain_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, dict):
        return {k: _plain_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_value(v) for v in value]
    return value


def read_ledger(path: str | Path, person: dict | None = None) -> Ledger:
    """Load a ledger file by its extension; raise InputError with every problem found."""
    path = Path(path)
    file = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_LEDGER_BYTES:
            raise InputError([Diagnostic.of(file, 1, 1, "diagnostics.ledger.too_large", size=size, limit=MAX_LEDGER_BYTES)])
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([_unreadable(file, exc)]) from None
    if path.suffix.lower() == ".csv":
        return read_csv_ledger(raw, file, person)
    text = decode_utf8(raw, file)
    if path.suffix.lower() == ".json":
        try:
            json_doc, problems = read_json(text, file)
        except json.JSONDecodeError as exc:
            raise InputError([_json_syntax(file, exc)]) from None
        if problems or json_doc is None:
            raise InputError(problems)
        doc: SourceDoc = json_doc
    else:
        doc = parse_yaml(text, file)  # keeps positions
    diags = [] if plainly_valid(doc.data) else schema_diagnostics(doc, LEDGER_SCHEMA)
    if diags:
        raise InputError(diags)
    data = _plain(doc.data)
    if person:
        data.setdefault("person", {}).update(person)
    return Ledger(data, file, doc=doc)
