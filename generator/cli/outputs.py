"""`jxjy bundle`, `jxjy calculator`, `jxjy forms build|fill`, `jxjy roster template|import`: one output
at a time, without the site."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from generator.base.diagnostics import Diagnostic, InputError, print_diagnostics
from generator.base.messages import render
from generator.cli.common import EXIT_FAILED, EXIT_OK, fail, help_text, load_policy_arg, missing_paths, policy_paths
from generator.policy.loader import validate_paths
from generator.rules.ledger import read_ledger


def _unknown_form(policy_key: str, form_id: str, known: list[str]) -> Diagnostic:
    return Diagnostic.of("", 0, 0, "diagnostics.cli.no_form", policy=policy_key, form=form_id,
                         forms=known or ["—"])


def cmd_bundle(args: argparse.Namespace) -> int:
    from generator.outputs.bundle import write_bundles  # noqa: PLC0415

    paths = policy_paths(args)
    missing = missing_paths(paths)
    if missing:
        return fail(missing)
    policies, diags = validate_paths(paths)
    if diags and not args.skip_invalid:
        return fail(diags, "diagnostics.cli.nothing_written")
    print_diagnostics(diags)
    try:
        written = write_bundles(policies, args.out_dir)
    except InputError as exc:
        return fail(exc.diagnostics)
    print(render("diagnostics.cli.bundles_written", {"files": len(written), "count": len(policies), "where": args.out_dir}))
    return EXIT_OK


def cmd_calculator(args: argparse.Namespace) -> int:
    from generator.outputs.calculator.assets import write_calculator  # noqa: PLC0415

    written = write_calculator(args.out_dir, guidance_pages=args.pages, forms_dir=args.forms,
                               bundles_dir=args.bundles, minify=args.minify)
    print(render("diagnostics.cli.files_written", {"files": len(written), "where": args.out_dir}))
    return EXIT_OK


def cmd_forms_build(args: argparse.Namespace) -> int:
    from generator.outputs.forms.render import write_forms  # noqa: PLC0415

    paths = policy_paths(args)
    missing = missing_paths(paths)
    if missing:
        return fail(missing)
    policies, diags = validate_paths(paths)
    written = write_forms(policies, args.out_dir)
    for p in written:
        print(p)
    if diags:
        return fail(diags, "diagnostics.cli.valid_forms_written")
    return EXIT_OK


def cmd_forms_fill(args: argparse.Namespace) -> int:
    from generator.outputs.forms.render import fill_from_ledger  # noqa: PLC0415

    try:
        policy = load_policy_arg(args.policy)
        if policy.form(args.form) is None:
            return fail([_unknown_form(policy.key, args.form, [f.id for f in policy.forms])])
        ledger = read_ledger(args.ledger).data
        pdf = fill_from_ledger(policy, args.form, ledger, args.period)
    except InputError as exc:
        return fail(exc.diagnostics)
    args.out.write_bytes(pdf)
    print(args.out)
    return EXIT_OK


def cmd_roster_template(args: argparse.Namespace) -> int:
    from generator.outputs.forms.roster import write_roster_xlsx  # noqa: PLC0415
    from generator.outputs.forms.view import is_roster  # noqa: PLC0415

    try:
        policy = load_policy_arg(args.policy)
    except InputError as exc:
        return fail(exc.diagnostics)
    form = policy.form(args.form)
    rosters = [f.id for f in policy.forms if is_roster(f)]
    if form is None or not is_roster(form):
        return fail([_unknown_form(policy.key, args.form, rosters)])
    print(write_roster_xlsx(policy, form, args.out))
    return EXIT_OK


def cmd_roster_import(args: argparse.Namespace) -> int:
    from generator.outputs.forms.roster import import_roster  # noqa: PLC0415

    try:
        policy = load_policy_arg(args.policy)
        if policy.form(args.form) is None:
            return fail([_unknown_form(policy.key, args.form, [f.id for f in policy.forms])])
        if not args.xlsx.is_file():
            return fail([Diagnostic.of(str(args.xlsx), 1, 1, "diagnostics.io.no_such_path")])
        result = import_roster(policy, args.xlsx, args.form, item=args.item, date=args.date)
    except InputError as exc:
        return fail(exc.diagnostics)
    print_diagnostics(result.errors + result.warnings)
    text = json.dumps(result.ledgers(policy), ensure_ascii=False, indent=1)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    print(render("diagnostics.roster.imported", {"rows": len(result.rows), "errors": len(result.errors)}), file=sys.stderr)
    return EXIT_FAILED if result.errors else EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bundle", help=help_text("bundle"), description=help_text("bundle"))
    p.add_argument("out_dir", type=Path, help=help_text("out_dir"))
    p.add_argument("paths", nargs="*", help=help_text("paths"))
    p.add_argument("--skip-invalid", action="store_true", help=help_text("skip_invalid"))
    p.set_defaults(func=cmd_bundle)

    p = sub.add_parser("calculator", help=help_text("calculator"), description=help_text("calculator"))
    p.add_argument("out_dir", type=Path, help=help_text("calculator_out"))
    group = p.add_mutually_exclusive_group()
    group.add_argument("--pages", dest="pages", action="store_const", const=True, help=help_text("pages"))
    group.add_argument("--no-pages", dest="pages", action="store_const", const=False, help=help_text("no_pages"))
    group = p.add_mutually_exclusive_group()
    group.add_argument("--forms", dest="forms", type=Path, help=help_text("forms_dir"))
    group.add_argument("--no-forms", dest="forms", action="store_const", const=False, help=help_text("calculator_no_forms"))
    p.add_argument("--bundles", type=Path, help=help_text("bundles_dir"))
    group = p.add_mutually_exclusive_group()
    group.add_argument("--minify", dest="minify", action="store_const", const=True, help=help_text("minify"))
    group.add_argument("--no-minify", dest="minify", action="store_const", const=False, help=help_text("no_minify"))
    p.set_defaults(func=cmd_calculator)

    forms = sub.add_parser("forms", help=help_text("forms"), description=help_text("forms"))
    fsub = forms.add_subparsers(dest="forms_command", required=True)
    p = fsub.add_parser("build", help=help_text("forms_build"), description=help_text("forms_build"))
    p.add_argument("out_dir", type=Path, help=help_text("out_dir"))
    p.add_argument("paths", nargs="*", help=help_text("paths"))
    p.set_defaults(func=cmd_forms_build)
    p = fsub.add_parser("fill", help=help_text("forms_fill"), description=help_text("forms_fill"))
    p.add_argument("policy", help=help_text("policy"))
    p.add_argument("form", help=help_text("form"))
    p.add_argument("ledger", help=help_text("ledger"))
    p.add_argument("out", type=Path, help=help_text("out_pdf"))
    p.add_argument("--period", help=help_text("period"))
    p.set_defaults(func=cmd_forms_fill)

    roster = sub.add_parser("roster", help=help_text("roster"), description=help_text("roster"))
    rsub = roster.add_subparsers(dest="roster_command", required=True)
    p = rsub.add_parser("template", help=help_text("roster_template"), description=help_text("roster_template"))
    p.add_argument("policy", help=help_text("policy"))
    p.add_argument("form", help=help_text("form"))
    p.add_argument("out", type=Path, help=help_text("out_xlsx"))
    p.set_defaults(func=cmd_roster_template)
    p = rsub.add_parser("import", help=help_text("roster_import"), description=help_text("roster_import"))
    p.add_argument("policy", help=help_text("policy"))
    p.add_argument("form", help=help_text("form"))
    p.add_argument("xlsx", type=Path, help=help_text("xlsx"))
    p.add_argument("--item", help=help_text("item"))
    p.add_argument("--date", help=help_text("roster_date"))
    p.add_argument("--out", type=Path, help=help_text("out_json"))
    p.set_defaults(func=cmd_roster_import)
