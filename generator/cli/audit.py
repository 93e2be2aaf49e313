"""`jxjy audit import|run|report|show` and `jxjy sql`: a whole school, district or province at once
(generator/audit/, docs in README "Audit")."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.base.dates import parse_date
from generator.base.diagnostics import Diagnostic, InputError, print_diagnostics
from generator.base.messages import render
from generator.cli.common import EXIT_FAILED, EXIT_OK, fail, help_text, load_policy_arg

DEFAULT_DB = "audit.duckdb"
SHOWN_PROBLEMS = 200  # problems printed by import; all of them are in the problems table


def _progress(items, **kw):
    """A progress bar on an interactive terminal (tqdm), nothing in logs and pipes."""
    try:
        from tqdm import tqdm  # noqa: PLC0415
    except ImportError:
        return items
    return tqdm(items, disable=None, file=sys.stderr, **kw)


def _connect(path: str):
    import duckdb  # noqa: PLC0415

    return duckdb.connect(path)


def cmd_sql(args: argparse.Namespace) -> int:
    from generator.audit.sql.compiler import compile_policy  # noqa: PLC0415

    as_of, problems = _as_of(args.as_of)
    if problems:
        return fail(problems)
    try:
        compiled = compile_policy(load_policy_arg(args.policy), dialect=args.dialect, prefix=args.prefix,
                                  as_of_date=as_of)  # type: ignore[arg-type]
    except InputError as exc:
        return fail(exc.diagnostics)
    sys.stdout.write(compiled.script(materialize=args.materialize))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from generator.audit.imports import import_paths  # noqa: PLC0415

    con = _connect(args.db)
    try:
        report = import_paths(con, [Path(p) for p in args.paths], load_policy_arg, _progress, args.date, args.item)
    except InputError as exc:
        return fail(exc.diagnostics)
    print_diagnostics(report.problems[:SHOWN_PROBLEMS])
    if len(report.problems) > SHOWN_PROBLEMS:
        print(render("diagnostics.audit.more_problems", {"count": len(report.problems) - SHOWN_PROBLEMS}), file=sys.stderr)
    print(render("diagnostics.audit.imported", {"files": report.files, "people": report.people, "entries": report.entries,
                                                "replaced": report.replaced, "problems": len(report.problems),
                                                "db": args.db}), file=sys.stderr)
    return EXIT_FAILED if report.problems else EXIT_OK


def _as_of(text: str | None) -> tuple[object, list[Diagnostic]]:
    if text is None:
        return None, []
    day = parse_date(text)
    if day is None:
        return None, [Diagnostic.of("", 0, 0, "diagnostics.audit.bad_as_of", value=text)]
    return day, []


def cmd_run(args: argparse.Namespace) -> int:
    from generator.audit.run import run_edition  # noqa: PLC0415

    as_of, problems = _as_of(args.as_of)
    if problems:
        return fail(problems)
    if not Path(args.db).is_file():
        return fail([Diagnostic.of(args.db, 1, 1, "diagnostics.io.no_such_path")])
    try:
        policy = load_policy_arg(args.policy)
        con = _connect(args.db)
        run_edition(con, policy, as_of, _progress)  # type: ignore[arg-type]
    except InputError as exc:
        return fail(exc.diagnostics)
    people, met, incomplete = con.execute("SELECT COUNT(*), SUM(CASE WHEN all_met THEN 1 ELSE 0 END), "
                                          "SUM(CASE WHEN incomplete THEN 1 ELSE 0 END) FROM audit_people").fetchall()[0]
    print(render("diagnostics.audit.ran", {"policy": policy.key, "people": people, "met": met or 0,
                                           "incomplete": incomplete or 0}), file=sys.stderr)
    return EXIT_OK


def _last_run_policy(con, args: argparse.Namespace):
    row = con.execute("SELECT policy, edition FROM audit_runs").fetchall()[0] if _has_table(con, "audit_runs") else None
    if row is None:
        raise InputError([Diagnostic.of(args.db, 1, 1, "diagnostics.audit.not_run")])
    return load_policy_arg(f"{row[0]}/{row[1]}")


def _has_table(con, name: str) -> bool:
    return bool(con.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchall()[0][0])


def cmd_report(args: argparse.Namespace) -> int:
    from generator.audit.report import write_reports  # noqa: PLC0415

    if not Path(args.db).is_file():
        return fail([Diagnostic.of(args.db, 1, 1, "diagnostics.io.no_such_path")])
    con = _connect(args.db)
    try:
        policy = _last_run_policy(con, args)
    except InputError as exc:
        return fail(exc.diagnostics)
    written = write_reports(con, policy, args.out, jsonl=not args.no_jsonl)
    print(render("diagnostics.cli.files_written", {"files": len(written), "where": args.out}), file=sys.stderr)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from generator.audit.show import ledger_of  # noqa: PLC0415
    from generator.outputs.report import render_report  # noqa: PLC0415
    from generator.rules.engine import evaluate  # noqa: PLC0415

    if not Path(args.db).is_file():
        return fail([Diagnostic.of(args.db, 1, 1, "diagnostics.io.no_such_path")])
    con = _connect(args.db)
    try:
        policy = load_policy_arg(args.policy) if args.policy else _last_run_policy(con, args)
    except InputError as exc:
        return fail(exc.diagnostics)
    ledger = ledger_of(con, args.person)
    if ledger is None:
        return fail([Diagnostic.of(args.db, 1, 1, "diagnostics.audit.no_person", person=args.person)])
    as_of = args.as_of
    if as_of is None and _has_table(con, "audit_runs"):
        row = con.execute("SELECT as_of FROM audit_runs").fetchall()[0]
        as_of = row[0].isoformat() if row and row[0] else None
    result = evaluate(policy, ledger, as_of)
    errors = [f"#{e['entry']} {e['field']}: {e['message']}" for e in result["errors"]]
    problems = con.execute("SELECT file, line, col, code, params, path FROM problems WHERE person_id = ?",
                           [args.person]).fetchall()
    print(render_report(policy, result, ledger, errors, with_trace=not args.no_trace))
    import json  # noqa: PLC0415

    print_diagnostics([Diagnostic.of(f, line, col, code, path, **json.loads(params or "{}"))
                       for f, line, col, code, params, path in problems])
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sql", help=help_text("sql"), description=help_text("sql"))
    p.add_argument("policy", help=help_text("policy"))
    p.add_argument("--dialect", choices=("duckdb", "spark"), default="duckdb", help=help_text("dialect"))
    p.add_argument("--prefix", help=help_text("prefix"))
    p.add_argument("--as-of", help=help_text("as_of"))
    p.add_argument("--materialize", action="store_true", help=help_text("materialize"))
    p.set_defaults(func=cmd_sql)

    audit = sub.add_parser("audit", help=help_text("audit"), description=help_text("audit"))
    asub = audit.add_subparsers(dest="audit_command", required=True)
    p = asub.add_parser("import", help=help_text("audit_import"), description=help_text("audit_import"))
    p.add_argument("paths", nargs="+", help=help_text("audit_paths"))
    p.add_argument("--db", default=DEFAULT_DB, help=help_text("db"))
    p.add_argument("--date", help=help_text("roster_date"))
    p.add_argument("--item", help=help_text("item"))
    p.set_defaults(func=cmd_import)
    p = asub.add_parser("run", help=help_text("audit_run"), description=help_text("audit_run"))
    p.add_argument("policy", help=help_text("policy"))
    p.add_argument("--db", default=DEFAULT_DB, help=help_text("db"))
    p.add_argument("--as-of", help=help_text("as_of"))
    p.set_defaults(func=cmd_run)
    p = asub.add_parser("report", help=help_text("audit_report"), description=help_text("audit_report"))
    p.add_argument("out", type=Path, help=help_text("audit_out"))
    p.add_argument("--db", default=DEFAULT_DB, help=help_text("db"))
    p.add_argument("--no-jsonl", action="store_true", help=help_text("no_jsonl"))
    p.set_defaults(func=cmd_report)
    p = asub.add_parser("show", help=help_text("audit_show"), description=help_text("audit_show"))
    p.add_argument("person", help=help_text("person"))
    p.add_argument("--db", default=DEFAULT_DB, help=help_text("db"))
    p.add_argument("--policy", help=help_text("policy"))
    p.add_argument("--as-of", help=help_text("as_of"))
    p.add_argument("--no-trace", action="store_true", help=help_text("no_trace"))
    p.set_defaults(func=cmd_show)
