"""`jxjy build` and `jxjy serve`: the guidance site (registered by generator.cli.main)."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import time
from pathlib import Path

from generator.base.diagnostics import InputError, print_errors
from generator.base.paths import DOCS

DEFAULT_POLICIES = "policies"
BUNDLE_SPEC = DOCS / "bundle-spec.md"


def register_outputs(with_forms: bool = True) -> None:
    """Bundles, (unless skipped) forms and the calculator are built into the site beside the pages.

    Forms come before the calculator: each edition's data lists the forms that were written (the
    "用我的记录生成表格" links); without forms it lists none. The calculator's scripts are minified
    when terser is installed (`npm ci`); otherwise the build says so and ships the readable ones.
    """
    from generator.outputs.bundle import write_bundles  # noqa: PLC0415
    from generator.outputs.calculator.assets import write_calculator  # noqa: PLC0415
    from generator.outputs.calculator.minify import minify_available  # noqa: PLC0415
    from generator.outputs.site.build import PRODUCERS, register_producer  # noqa: PLC0415

    def bundles_with_spec(policies, out_dir: Path) -> None:
        write_bundles(policies, out_dir)
        shutil.copyfile(BUNDLE_SPEC, out_dir / "spec.md")

    def calculator(policies, out_dir: Path) -> None:
        if not minify_available():
            print("note: terser is not installed (run `npm ci`): the calculator's scripts are not minified",
                  file=sys.stderr)
        write_calculator(out_dir, guidance_pages=True, forms_dir=out_dir.parent / "forms" if with_forms else False)

    for folder in ("forms", "calculator"):  # (re)registered below, in this order
        PRODUCERS.pop(folder, None)
    register_producer("bundles", bundles_with_spec)
    if with_forms:
        from generator.outputs.forms.forms import write_forms  # noqa: PLC0415

        register_producer("forms", write_forms)
    register_producer("calculator", calculator)


def cmd_build(args: argparse.Namespace) -> int:
    from generator.outputs.site.build import DEFAULT_CONFIG, SiteBuildError, build_site  # noqa: PLC0415

    register_outputs(with_forms=not args.no_forms)
    start = time.perf_counter()
    try:
        report = build_site(args.paths or [DEFAULT_POLICIES], site_dir=args.site_dir, docs_dir=args.docs_dir,
                            config_file=args.config or DEFAULT_CONFIG, docs_only=args.docs_only)
    except InputError as exc:
        print_errors(exc.diagnostics, "the site was not built")
        return 1
    except SiteBuildError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        print("mkdocs build --strict failed; the previous site was left in place", file=sys.stderr)
        return 1
    where = report.docs_dir if args.docs_only else report.site_dir
    print(f"built {where} from {len(report.policies)} policy edition(s) ({', '.join(report.policies)}): "
          f"{report.pages} pages, {report.files_written} generated files changed, {time.perf_counter() - start:.1f} s")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.outputs.site.build import DEFAULT_CONFIG, SiteBuildError, serve  # noqa: PLC0415

    def stop(*_):
        raise KeyboardInterrupt  # shut down cleanly (temporary site removed) on SIGTERM too

    signal.signal(signal.SIGTERM, stop)
    register_outputs(with_forms=not args.no_forms)
    host, _, port = (args.dev_addr or "127.0.0.1:8000").rpartition(":")
    try:
        serve(args.paths or [DEFAULT_POLICIES], docs_dir=args.docs_dir, config_file=args.config or DEFAULT_CONFIG,
              host=host or "127.0.0.1", port=int(port), log=lambda line: print(line, file=sys.stderr, flush=True))
    except SiteBuildError:
        return 1
    return 0


def register(sub) -> None:
    p = sub.add_parser("build", help="generate the guidance site: Markdown into build/docs, "
                                     "then mkdocs build --strict into site/")
    p.add_argument("paths", nargs="*", help="policy files or folders (default: policies)")
    p.add_argument("--site-dir", default="site", help="output folder (default: site); replaced only when the build succeeds")
    p.add_argument("--docs-dir", help="generated Markdown folder (default: docs_dir of mkdocs.yml, build/docs)")
    p.add_argument("--config", help="mkdocs.yml to use (default: the repository's)")
    p.add_argument("--docs-only", action="store_true",
                   help="only generate the Markdown (then run mkdocs or zensical yourself)")
    p.add_argument("--no-forms", action="store_true", help="skip the form HTML/PDF/XLSX files (faster)")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("serve", help="preview the site with live reload; regenerates when a policy or template changes")
    p.add_argument("paths", nargs="*", help="policy files or folders (default: policies)")
    p.add_argument("--dev-addr", default="127.0.0.1:8000", help="host:port to serve on (default: 127.0.0.1:8000)")
    p.add_argument("--docs-dir", help="generated Markdown folder (default: docs_dir of mkdocs.yml)")
    p.add_argument("--config", help="mkdocs.yml to use")
    p.add_argument("--no-forms", action="store_true", help="skip the form HTML/PDF/XLSX files (faster previews)")
    p.set_defaults(func=cmd_serve)
