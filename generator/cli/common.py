"""What every `jxjy` subcommand shares: the exit statuses, naming a policy, reporting diagnostics.

Exit statuses (the README's table):

    0  done; nothing wrong
    1  an input is invalid (policy, tests, ledger, roster), a policy's own test failed, or a
       requirement is not met
    2  the command line itself is wrong (unknown option, bad argument)
    3  an input could not be read (no such file, not readable)
    4  an internal error (a bug in jxjy: the message says where the details were written)
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
from collections.abc import Iterable
from pathlib import Path

from generator.base.diagnostics import Diagnostic, InputError, print_errors
from generator.base.messages import render
from generator.base.paths import DEFAULT_POLICIES
from generator.policy.loader import load_policy, policy_files
from generator.policy.model import Policy
from generator.rules.engine import edition_in_force

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREADABLE = 3
EXIT_INTERNAL = 4
UNREADABLE_CODES = ("diagnostics.io.",)
INTERNAL_CODES = ("diagnostics.internal.",)


def help_text(key: str) -> str:
    """The help of an option or command, from the catalog (diagnostics.cli.help.<key>)."""
    return render(f"diagnostics.cli.help.{key}")


def exit_status(diagnostics: Iterable[Diagnostic]) -> int:
    """4 when jxjy met a bug on some file, 3 when an input could not be read at all, else 1."""
    diags = list(diagnostics)
    if any(d.code.startswith(INTERNAL_CODES) for d in diags):
        return EXIT_INTERNAL
    if any(d.code.startswith(UNREADABLE_CODES) for d in diags):
        return EXIT_UNREADABLE
    return EXIT_FAILED


def fail(diagnostics: Iterable[Diagnostic], consequence: str = "") -> int:
    """Print every diagnostic once with the summary line; the exit status they call for."""
    diags = list(diagnostics)
    print_errors(diags, consequence)
    return exit_status(diags)


def known_editions(root: Path = Path(DEFAULT_POLICIES)) -> list[str]:
    return [f"{f.parent.name}/{f.stem}" for f in policy_files([root])] if root.is_dir() else []


def resolve_policy_path(spec: str) -> Path:
    """A policy file, or `id/edition` looked up under policies/; InputError (unreadable) when neither exists."""
    path = Path(spec)
    if path.is_file():
        return path
    candidate = Path(DEFAULT_POLICIES) / f"{spec}.yaml"
    if candidate.is_file():
        return candidate
    close = difflib.get_close_matches(spec, known_editions(), n=1)
    code = "diagnostics.io.no_policy_close" if close else "diagnostics.io.no_policy"
    raise InputError([Diagnostic.of("", 0, 0, code, policy=spec, suggestion=close[0] if close else "")])


def load_policy_arg(spec: str) -> Policy:
    """The edition a command line names (a file or `id/edition`), validated; InputError otherwise."""
    return load_policy(resolve_policy_path(spec))


def policy_folder(spec: str) -> Path | None:
    """The folder of a policy's editions when the command line names a policy without an edition (a folder, or an
    id under policies/)."""
    for candidate in (Path(spec), Path(DEFAULT_POLICIES) / spec):
        if candidate.is_dir() and any(policy_files([candidate])):
            return candidate
    return None


def load_policy_on(spec: str, day: dt.date) -> tuple[Policy, bool]:
    """The edition a command line names; for a policy named without an edition, the edition in force on `day`
    (True: chosen by date). Every edition of the folder must load."""
    folder = policy_folder(spec)
    if folder is None:
        return load_policy_arg(spec), False
    editions, diags = [], []
    for f in policy_files([folder]):
        try:
            editions.append(load_policy(f))
        except InputError as exc:
            diags.extend(exc.diagnostics)
    if diags:
        raise InputError(diags)
    return edition_in_force(editions, day), True


def missing_paths(paths: list[str | Path]) -> list[Diagnostic]:
    return [Diagnostic.of(str(p), 1, 1, "diagnostics.io.no_such_path") for p in paths if not Path(p).exists()]


def policy_paths(args: argparse.Namespace) -> list[str | Path]:
    return list(getattr(args, "paths", None) or [DEFAULT_POLICIES])
