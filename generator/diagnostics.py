"""Diagnostics: one error format for every input problem, so users get all of them at once."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem in an input file, located as precisely as we can."""

    file: str
    line: int
    column: int
    message: str
    path: str = ""
    severity: str = field(default="error", compare=False)

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        suffix = f" ({self.path})" if self.path else ""
        return f"{where}: {self.message}{suffix}"


class InputError(Exception):
    """Raised when an input cannot be used; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


def json_path(parts: tuple | list) -> str:
    """Render a path like ('items', 3, 'rule') as items[3].rule."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out


def print_diagnostics(diagnostics: list[Diagnostic], summary: str | None = None) -> None:
    """One line per problem on stderr, in the same format everywhere; then the summary line, if any."""
    for d in diagnostics:
        print(d.format(), file=sys.stderr)
    if summary:
        print(summary, file=sys.stderr)


def print_errors(diagnostics: list[Diagnostic], consequence: str = "") -> None:
    """Each problem once, in file order, then how many: "3 error(s); the site was not built"."""
    unique = sorted(set(diagnostics))
    print_diagnostics(unique, f"{len(unique)} error(s)" + (f"; {consequence}" if consequence else ""))


def report_failure(exc: InputError | KeyError) -> int:
    """A command line stopped by bad input: its diagnostics (InputError) or message (KeyError: an unknown
    form or item id) on stderr, and the exit status 1."""
    if isinstance(exc, InputError):
        print_diagnostics(exc.diagnostics)
    else:
        print(exc.args[0], file=sys.stderr)
    return 1
