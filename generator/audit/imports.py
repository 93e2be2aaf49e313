"""`jxjy audit import`: roster workbooks, registration-database exports (CSV, Parquet) and ledger files into
the audit database, any mix at once.

Re-importing replaces what the same source brought before — a school's roster of one form (its
`source_key` is ``roster:<school>:<policy>/<edition>/<form>``), a person's ledger (``ledger:<id>``), the
people of an export (``export``) — and every import is recorded in `imports` (who, when, file, sha256).
A bad row is never dropped silently: roster rows the roster reader refuses go to `problems` with their
file and row, under the person they name (whose result is then incomplete); export rows keep their bad
values flagged, so the compiled SQL refuses them exactly as the reference engine would.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from generator.audit import exports
from generator.audit.imports_base import ImportCounts as ImportReport
from generator.audit.ledgers import PersonRows, entry_row, person_rows
from generator.audit.schema import create_tables
from generator.audit.store import Source, insert_people
from generator.base.diagnostics import Diagnostic, InputError

LEDGER_SUFFIXES = (".json", ".yaml", ".yml")
REPLACED_TABLES = ("entries", "people", "person_roles", "person_dates", "problems")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def begin(con, path: Path, kind: str, key: str) -> Source:
    """A new import: its id, and the rows of the same source dropped (counted in `replaced`)."""
    create_tables(con)
    import_id = con.execute("SELECT COALESCE(MAX(import_id), 0) + 1 FROM imports").fetchall()[0][0]
    con.execute("INSERT INTO imports (import_id, kind, file, sha256, imported_at, imported_by, source_key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [import_id, kind, str(path), _sha256(path), dt.datetime.now().replace(microsecond=0), _user(), key])
    return Source(import_id, key, str(path))


def replace(con, condition: str, params: list) -> int:
    """Delete the rows a re-import replaces; the number of entries removed."""
    gone = con.execute(f"SELECT COUNT(*) FROM entries WHERE {condition}", params).fetchall()[0][0]
    for table in REPLACED_TABLES:
        con.execute(f"DELETE FROM {table} WHERE {condition}", params)
    return int(gone)


def finish(con, source: Source, people: int, entries: int, problems: int, replaced: int) -> None:
    con.execute("UPDATE imports SET people = ?, entries = ?, problems = ?, replaced = ? WHERE import_id = ?",
                [people, entries, problems, replaced, source.import_id])


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def record_problems(con, source: Source, problems: list[tuple[Diagnostic, str]]) -> None:
    """Problems found while reading (a bad roster row …), each under the person it names ('' when none)."""
    if problems:
        con.executemany("INSERT INTO problems VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            [source.import_id, source.key, d.file, d.line, d.column, pid, d.code,
             json.dumps(dict(d.params), ensure_ascii=False), d.path] for d, pid in problems])


# ---------------------------------------------------------------------------------------------
# ledgers (JSON / YAML files, or folders of them)


def import_ledger(con, path: Path) -> ImportReport:
    from generator.rules.ledger import read_ledger  # noqa: PLC0415

    ledger = read_ledger(path)
    data = ledger.data
    person = data.get("person") if isinstance(data.get("person"), dict) else {}
    person_id = str(person.get("id") or person.get("account") or path.stem)
    source = begin(con, path, "ledger", f"ledger:{person_id}")
    replaced = replace(con, "source_key = ?", [source.key])
    rows = person_rows(data)
    lines = [loc[0] for loc in ledger.entry_locations] if ledger.entry_locations else []
    people, entries = insert_people(con, [(person_id, rows, person, lines)], source)
    finish(con, source, people, entries, len(rows.problems), replaced)
    return ImportReport(1, people, entries, replaced)


# ---------------------------------------------------------------------------------------------
# roster workbooks jxjy generated


def roster_meta(path: Path) -> dict:
    from openpyxl import load_workbook  # noqa: PLC0415

    from generator.outputs.forms.roster import META_SHEET  # noqa: PLC0415

    try:
        wb = load_workbook(path, read_only=True)
        meta = json.loads(wb[META_SHEET].cell(1, 2).value or "") if META_SHEET in wb.sheetnames else None
    except (OSError, ValueError, KeyError, TypeError):
        meta = None
    if not isinstance(meta, dict):
        raise InputError([Diagnostic.of(str(path), 1, 1, "diagnostics.audit.not_a_jxjy_roster")])
    return meta


def _row_names(path: Path, meta: dict) -> dict[int, tuple[str, str]]:
    """(name, account) in every data row, so a bad row is filed under the person it names."""
    from openpyxl import load_workbook  # noqa: PLC0415

    cols = meta.get("columns") or []
    ws = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    out = {}
    first = int(meta.get("first_data_row") or 1)
    for n, row in enumerate(ws.iter_rows(min_row=first, values_only=True), first):
        values = dict(zip(cols, row, strict=False))
        out[n] = (str(values.get("name") or "").strip(), str(values.get("account") or "").strip())
    return out


def import_roster(con, path: Path, policy_loader: Callable, date: str | None = None, item: str | None = None) -> ImportReport:
    from generator.outputs.forms.roster import import_roster as read_roster  # noqa: PLC0415

    meta = roster_meta(path)
    policy = policy_loader(f"{meta.get('policy')}/{meta.get('edition')}")
    form_id = str(meta.get("form"))
    found = read_roster(policy, path, form_id, item=item, date=date)
    section = policy.form(form_id).sections[0] if policy.form(form_id) else None
    item = policy.item(item or (section.item if section is not None else None) or "")
    school = found.header.get("school") or next((r.person.get("school", "") for r in found.rows), "")
    source = begin(con, path, "roster", f"roster:{school}:{policy.key}/{form_id}")
    replaced = replace(con, "source_key = ?", [source.key])
    people: dict[str, tuple[PersonRows, dict, list[int]]] = {}

    def person_id(name: str, account: str, row_school: str) -> str:
        return account or f"{row_school or school}/{name}"

    for row in found.rows:
        pid = person_id(row.person.get("name", ""), row.account, row.person.get("school", ""))
        rows, fields, lines = people.setdefault(pid, (PersonRows(person=row.person, roles=list(item.roles) if item else []),
                                                     {**row.person, "school": row.person.get("school") or school}, []))
        rows.entries.append(entry_row(row.entry))
        lines.append(row.row)
    names = _row_names(path, meta) if found.errors else {}
    problems = []
    for diag in found.errors:
        name, account = names.get(diag.line, ("", ""))
        pid = person_id(name, account, "") if (name or account) else ""
        if pid and pid not in people:
            people[pid] = (PersonRows(person={"name": name}), {"name": name, "school": school}, [])
        problems.append((diag, pid))
    n_people, n_entries = insert_people(con, [(pid, r, f, lines) for pid, (r, f, lines) in people.items()], source)
    record_problems(con, source, problems)
    finish(con, source, n_people, n_entries, len(problems), replaced)
    return ImportReport(1, n_people, n_entries, replaced, [d for d, _ in problems])


# ---------------------------------------------------------------------------------------------


def import_paths(con, paths: list[Path], policy_loader: Callable, progress: Callable = lambda it, **kw: it,
                 date: str | None = None, item: str | None = None) -> ImportReport:
    """Every file (folders: their ledgers, workbooks and exports), in a stable order."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in
                            (*LEDGER_SUFFIXES, ".xlsx", ".csv", ".parquet"))
        else:
            files.append(p)
    missing = [Diagnostic.of(str(f), 1, 1, "diagnostics.io.no_such_path") for f in files if not f.is_file()]
    if missing:
        raise InputError(missing)
    total = ImportReport()
    # people before entries, so an export's entries find their people
    files.sort(key=lambda f: (0 if exports.is_people_file(f) else 1))
    for f in progress(files, desc="import", unit="file"):
        suffix = f.suffix.lower()
        try:
            if suffix == ".xlsx":
                part = import_roster(con, f, policy_loader, date, item)
            elif suffix in (".csv", ".parquet"):
                part = exports.import_export(con, f, begin, replace, finish, record_problems)
            else:
                part = import_ledger(con, f)
        except InputError as exc:
            total.problems += exc.diagnostics
            continue
        total.files += 1
        total.people += part.people
        total.entries += part.entries
        total.replaced += part.replaced
        total.problems += part.problems
    return total
