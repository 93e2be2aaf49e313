"""`jxjy`: one command line for everything (``python -m generator`` is the same).

Subcommands register themselves from their modules in the order a user meets them: policies
(validate, test, check), the site (build, serve), single outputs (bundle, calculator, forms,
roster). Every message comes from the catalog, in the reader's language (``--lang``, else
JXJY_LANG or the locale; Chinese by default); argparse's own messages are translated through the
catalog too. Exit statuses are in generator/cli/common.py and the README.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback

from generator.base.messages import LANGUAGES, render, set_language
from generator.cli.common import EXIT_INTERNAL, EXIT_USAGE, help_text


def _translate(msgid: str) -> str:
    """argparse's own phrases ("usage: ", "the following arguments are required: %s" …) from the catalog."""
    for key, value in _argparse_phrases().items():
        if value == msgid:
            return render(f"diagnostics.cli.argparse.{key}")
    return msgid


def _argparse_phrases() -> dict[str, str]:
    from generator.base.messages import catalog  # noqa: PLC0415

    return catalog("en")["diagnostics"]["cli"]["argparse"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(render("diagnostics.cli.usage_error", {"prog": self.prog, "detail": message}), file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    argparse._ = _translate  # type: ignore[attr-defined]  # argparse looks its phrases up through gettext's _
    parser = _Parser(prog="jxjy", description=help_text("jxjy"))
    parser.add_argument("--lang", choices=LANGUAGES, help=help_text("lang"))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    from generator.cli import audit, outputs, policy, site  # noqa: PLC0415 - imported inside main's guard: Ctrl-C
    # while the (heavy) command modules load ends like any other interrupt, without a traceback
    for module in (policy, site, outputs, audit):
        module.register(sub)
    _accept_lang_everywhere(sub)
    return parser


def _accept_lang_everywhere(sub: argparse._SubParsersAction) -> None:
    """`jxjy validate --lang en` as well as `jxjy --lang en validate`."""
    for command in sub.choices.values():
        nested = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            _accept_lang_everywhere(nested[0])
        elif "--lang" not in command._option_string_actions:
            command.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=help_text("lang"))


def _language_from_argv(argv: list[str]) -> str | None:
    """--lang matters before parsing too: help texts and parse errors are rendered while parsing."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGUAGES:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg.split("=", 1)[1] in LANGUAGES:
            return arg.split("=", 1)[1]
    return None


def _internal_error() -> int:
    """A bug: the traceback goes to a file, the reader gets one sentence saying where."""
    fd, path = tempfile.mkstemp(prefix="jxjy-error-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        traceback.print_exc(file=f)
    print(render("diagnostics.cli.internal_error", {"path": path}), file=sys.stderr)
    return EXIT_INTERNAL


def _broken_pipe() -> int:
    """The reader stopped reading (`jxjy check … | head -1`): nothing is wrong and nothing more is said. Later
    writes, and the interpreter's flush at exit, go to /dev/null instead of raising again; the status is a
    shell's for a command ended by SIGPIPE (128 + 13)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (tests capture it)
        pass
    return 141


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(_language_from_argv(argv))
    try:
        args = build_parser().parse_args(argv)
        set_language(args.lang)
        return int(args.func(args))
    except KeyboardInterrupt:
        print(render("diagnostics.cli.interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _broken_pipe()
    except SystemExit:
        raise
    except Exception:  # noqa: BLE001 - the last line of defence: no traceback on a user's screen
        return _internal_error()
    finally:
        set_language(None)



if __name__ == "__main__":
    sys.exit(main())
