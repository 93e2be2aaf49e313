"""Spreadsheet cells are untrusted both ways (OWASP, "CSV Injection"): text a spreadsheet would run.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and WPS when the file is opened or a value is pasted (`=cmd|' /C calc'!A0`, `+SUM(1,2)`,
`-2+3`, `@SUM(1+1)`); full-width `＝＋－＠` become those characters under NFKC, which the roster
import applies. OWASP's guidance: prefix such text with a single quote so it stays text.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    """Text as a spreadsheet must see it: a leading single quote when it would otherwise be a formula."""
    return "'" + text if is_formula_like(text) else text
