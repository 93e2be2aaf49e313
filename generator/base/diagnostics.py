"""Diagnostics: one structured record for every input problem, so users get all of them at once.

A diagnostic is ``{file, line, column, code, params, path}``: the code is a key of the message
catalog (``diagnostics.yaml.duplicate_key``) and the sentence is rendered from it only when it is
shown, in the reader's language (Chinese unless ``--lang en`` or an English locale says
otherwise). Nothing here holds prose of its own.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from generator.base.messages import Phrase, has_message, render
from generator.base.rational import format_rational

Params = tuple[tuple[str, Any], ...]


def _param(value: Any) -> Any:
    """Parameters are kept as text, a tuple of texts (joined when rendered) or a Phrase (a catalog key
    and its parameters, rendered in the sentence's language), so diagnostics sort and hash."""
    if isinstance(value, Phrase):
        return Phrase(value.key, params_of(dict(value.params)))
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return tuple(_param(v) if isinstance(v, Phrase) else str(_param(v)) for v in items)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Fraction):
        return format_rational(value)
    return "" if value is None else str(value)


def params_of(values: Mapping[str, Any] | None) -> Params:
    return tuple(sorted((k, _param(v)) for k, v in (values or {}).items()))


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem in an input file, located as precisely as we can."""

    file: str
    line: int
    column: int
    code: str  # a key of the message catalog
    path: str = ""
    params: Params = ()
    severity: str = field(default="error", compare=False)

    @classmethod
    def of(cls, file: str, line: int, column: int, code: str, path: str = "", *, severity: str = "error",
           **params: Any) -> Diagnostic:
        return cls(file, line, column, code, path, params_of(params), severity)

    @property
    def message(self) -> str:
        """The sentence, in the reader's language."""
        return self.text()

    def text(self, lang: str | None = None) -> str:
        """The sentence in `lang` (default: the reader's language)."""
        if not has_message(self.code):  # not a catalog key: text that has not been moved into the catalog yet
            return self.code
        return render(self.code, self.params, lang)

    def format(self, lang: str | None = None) -> str:
        """`file:line:col: sentence (path)`; just the sentence for a problem that is in no file."""
        suffix = f" ({self.path})" if self.path else ""
        if not self.file:
            return f"{self.text(lang)}{suffix}"
        return f"{self.file}:{self.line}:{self.column}: {self.text(lang)}{suffix}"

    def as_json(self, lang: str | None = None) -> dict[str, Any]:
        """For machine-readable output: the code and parameters beside the rendered sentence."""
        return {"file": self.file, "line": self.line, "column": self.column, "code": self.code,
                "params": {k: _json_param(v) for k, v in self.params},
                "path": self.path, "severity": self.severity, "message": self.text(lang)}


def _json_param(value: Any) -> Any:
    if isinstance(value, Phrase):
        return {"code": value.key, "params": {k: _json_param(v) for k, v in value.params}}
    if isinstance(value, tuple):
        return [_json_param(v) for v in value]
    return value


class InputError(Exception):
    """Raised when an input cannot be used; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
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


def print_diagnostics(diagnostics: Iterable[Diagnostic], summary: str | None = None) -> None:
    """One line per problem on stderr, in the same format everywhere; then the summary line, if any."""
    for d in diagnostics:
        print(d.format(), file=sys.stderr)
    if summary:
        print(summary, file=sys.stderr)


def print_errors(diagnostics: Iterable[Diagnostic], consequence: str = "") -> None:
    """Each problem once, in file order, then how many: "3 error(s); the site was not built"."""
    unique = sorted(set(diagnostics))
    errors = sum(1 for d in unique if d.severity == "error")
    summary = render("diagnostics.summary.errors", {"count": errors})
    if consequence:
        text = render(consequence) if has_message(consequence) else consequence
        summary = render("diagnostics.summary.with_consequence", {"summary": summary, "consequence": text})
    print_diagnostics(unique, summary)


def report_failure(exc: InputError | KeyError) -> int:
    """A command line stopped by bad input: its diagnostics (InputError) or message (KeyError: an unknown
    form or item id) on stderr, and the exit status 1."""
    if isinstance(exc, InputError):
        print_diagnostics(exc.diagnostics)
    else:
        print(exc.args[0], file=sys.stderr)
    return 1
