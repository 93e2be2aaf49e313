"""`jxjy build` and `jxjy serve`: the guidance site with the bundles, forms and calculator beside it."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from typing import NoReturn

from generator.base.diagnostics import InputError
from generator.base.messages import render
from generator.cli.common import EXIT_FAILED, EXIT_OK, fail, help_text, missing_paths, policy_paths
from generator.outputs.site.build import DEFAULT_CONFIG, SiteBuildError, build_site, serve
from generator.outputs.site.producers import site_producers


def cmd_build(args: argparse.Namespace) -> int:
    paths = policy_paths(args)
    missing = missing_paths(paths)
    if missing:
        return fail(missing, "diagnostics.cli.site_not_built")
    start = time.perf_counter()
    try:
        report = build_site(paths, site_dir=args.site_dir, docs_dir=args.docs_dir,
                            config_file=args.config or DEFAULT_CONFIG, docs_only=args.docs_only,
                            producers=site_producers(with_forms=not args.no_forms))
    except InputError as exc:
        return fail(exc.diagnostics, "diagnostics.cli.site_not_built")
    except SiteBuildError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        print(render("diagnostics.cli.mkdocs_failed"), file=sys.stderr)
        return EXIT_FAILED
    where = report.docs_dir if args.docs_only else report.site_dir
    print(render("diagnostics.cli.built", {
        "where": where, "count": len(report.policies), "editions": ", ".join(report.policies), "pages": report.pages,
        "changed": report.files_written, "seconds": f"{time.perf_counter() - start:.1f}"}))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    def stop(*_: object) -> NoReturn:
        raise KeyboardInterrupt  # shut down cleanly (temporary site removed) on SIGTERM too

    signal.signal(signal.SIGTERM, stop)
    host, _, port = (args.dev_addr or "127.0.0.1:8000").rpartition(":")
    try:
        serve(policy_paths(args), docs_dir=args.docs_dir, config_file=args.config or DEFAULT_CONFIG,
              host=host or "127.0.0.1", port=int(port), log=lambda line: print(line, file=sys.stderr, flush=True),
              producers=site_producers(with_forms=not args.no_forms))
    except SiteBuildError:
        return EXIT_FAILED
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help=help_text("build"), description=help_text("build"))
    p.add_argument("paths", nargs="*", help=help_text("paths"))
    p.add_argument("--site-dir", default="site", help=help_text("site_dir"))
    p.add_argument("--docs-dir", help=help_text("docs_dir"))
    p.add_argument("--config", help=help_text("config"))
    p.add_argument("--docs-only", action="store_true", help=help_text("docs_only"))
    p.add_argument("--no-forms", action="store_true", help=help_text("no_forms"))
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("serve", help=help_text("serve"), description=help_text("serve"))
    p.add_argument("paths", nargs="*", help=help_text("paths"))
    p.add_argument("--dev-addr", default="127.0.0.1:8000", help=help_text("dev_addr"))
    p.add_argument("--docs-dir", help=help_text("docs_dir"))
    p.add_argument("--config", help=help_text("config"))
    p.add_argument("--no-forms", action="store_true", help=help_text("no_forms"))
    p.set_defaults(func=cmd_serve)
