"""`jxjy audit import`: roster workbooks, registration-database exports (CSV, Parquet) and ledger files into
the audit database, any mix at once.

Re-importing replaces what the same source brought before — a school's roster of one form (its
`source_key` is ``roster:<school>:<policy>/<edition>/<form>``), a person's ledger (``ledger:<id>``), the
persons an export lists (exports.py) — and every import is recorded in `imports` (who, when, file, sha256).
Each file is imported in one transaction: all of it or, when it cannot be read, none of it.
A bad row is never dropped silently: roster rows the roster reader refuses go to `problems` with their
file and row, under the person they name (whose result is then incomplete); export values that cannot be
used are reported the same way and stay flagged on their entry, so the compiled SQL refuses them exactly
as the reference engine would.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from generator.audit import exports
from generator.audit.imports_base import ImportCounts as ImportReport
from generator.audit.ledgers import PersonRows, entry_row, person_rows
from generator.audit.store import begin, finish, insert_people, record_problems, replace
from generator.base.diagnostics import Diagnostic, InputError

LEDGER_SUFFIXES = (".json", ".yaml", ".yml")
SUFFIXES = (*LEDGER_SUFFIXES, ".xlsx", ".csv", ".parquet")


# ---------------------------------------------------------------------------------------------
# ledgers (JSON / YAML files, or folders of them)


def import_ledger(con, path: Path) -> ImportReport:
    from generator.rules.ledger import read_ledger  # noqa: PLC0415

    ledger = read_ledger(path)
    data = ledger.data
    given = data.get("person")
    person: dict = given if isinstance(given, dict) else {}
    person_id = str(person.get("id") or person.get("account") or path.stem)
    source = begin(con, path, "ledger", f"ledger:{person_id}")
    replaced = replace(con, source.key)
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
    """A roster workbook from `jxjy roster template`. What its rows count as: the item its form names, else
    the one written into the workbook (`jxjy roster template --item`), else `item`; the date from its date
    column, else the one written into the workbook (`--date`), else `date`. Roster rows carry no roles:
    a person's roles come from a people export or their ledger."""
    from generator.outputs.forms.roster import import_roster as read_roster  # noqa: PLC0415

    meta = roster_meta(path)
    policy = policy_loader(f"{meta.get('policy')}/{meta.get('edition')}")
    form_id = str(meta.get("form"))
    form = policy.form(form_id)
    section_item = form.sections[0].item if form is not None and form.sections else None
    found = read_roster(policy, path, form_id, item=section_item or meta.get("item") or item,
                        date=meta.get("date") or date)
    school = found.header.get("school") or next((r.person.get("school", "") for r in found.rows), "")
    district = found.header.get("district", "")
    source = begin(con, path, "roster", f"roster:{school}:{policy.key}/{form_id}")
    replaced = replace(con, source.key)
    people: dict[str, tuple[PersonRows, dict, list[int]]] = {}

    def person_id(name: str, account: str, row_school: str) -> str:
        return account or f"{row_school or school}/{name}"

    for row in found.rows:
        pid = person_id(row.person.get("name", ""), row.account, row.person.get("school", ""))
        fields = {**row.person, "school": row.person.get("school") or school, "district": district or None}
        rows, _, lines = people.setdefault(pid, (PersonRows(person=row.person), fields, []))
        rows.entries.append(entry_row(row.entry))
        lines.append(row.row)
    names = _row_names(path, meta) if found.errors else {}
    problems = []
    for diag in found.errors:
        name, account = names.get(diag.line, ("", ""))
        pid = person_id(name, account, "") if (name or account) else ""
        if pid and pid not in people:
            people[pid] = (PersonRows(person={"name": name}), {"name": name or None, "school": school,
                                                                "district": district or None}, [])
        problems.append((diag, pid))
    n_people, n_entries = insert_people(con, [(pid, r, f, lines) for pid, (r, f, lines) in people.items()], source)
    record_problems(con, source, problems)
    finish(con, source, n_people, n_entries, len(problems), replaced)
    return ImportReport(1, n_people, n_entries, replaced, [d for d, _ in problems])


# ---------------------------------------------------------------------------------------------


def files_of(paths: list[Path]) -> list[Path]:
    """Every file named, and in folders every ledger, workbook and export, in a stable order (people
    exports first, so the entries that follow find their people)."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES
                            and not f.name.startswith(("~$", ".")))
        else:
            files.append(p)
    missing = [Diagnostic.of(str(f), 1, 1, "diagnostics.io.no_such_path") for f in files if not f.is_file()]
    if missing:
        raise InputError(missing)
    files.sort(key=lambda f: 0 if exports.is_people_file(f) else 1)
    return files


def import_paths(con, paths: list[Path], policy_loader: Callable, progress: Callable = lambda it, **kw: it,
                 date: str | None = None, item: str | None = None) -> ImportReport:
    """Import every file; a file that cannot be read is reported and leaves the database as it was."""
    files = files_of(paths)
    total = ImportReport()
    first = con.execute("SELECT COALESCE(MAX(import_id), 0) + 1 FROM imports").fetchall()[0][0] \
        if _has_imports(con) else 1
    for f in progress(files, desc="import", unit="file"):
        suffix = f.suffix.lower()
        con.execute("BEGIN TRANSACTION")
        try:
            if suffix == ".xlsx":
                part = import_roster(con, f, policy_loader, date, item)
            elif suffix in (".csv", ".parquet"):
                part = exports.import_export(con, f)
            else:
                part = import_ledger(con, f)
        except InputError as exc:
            con.execute("ROLLBACK")
            total.problems += exc.diagnostics
            continue
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        total.files += 1
        total.entries += part.entries
        total.replaced += part.replaced
        total.problems += part.problems
    # people touched by this command, each once (a people export and an entries export name the same people)
    total.people = con.execute("""SELECT COUNT(*) FROM (
  SELECT person_id FROM people WHERE import_id >= ? UNION SELECT person_id FROM entries WHERE import_id >= ?)""",
                               [first, first]).fetchall()[0][0] if total.files else 0
    return total


def _has_imports(con) -> bool:
    return bool(con.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'imports'").fetchall()[0][0])
