"""Verification codes: a short code printed on a personal statement that names exactly which ledger was
evaluated, under which rules (the bundle's sha256) and on which date, so a reviewer can recompute it with
`jxjy verify` from the exported ledger. calculator/engine.js `E.verificationCode` computes the same code.

The code is the first 12 hex digits (upper case, in groups of four) of

    sha256("jxjy-verify/1\\n" + bundle_sha256 + "\\n" + as_of + "\\n" + canonical(ledger))

canonical(ledger): JSON with keys sorted by code point, no spaces, non-ASCII written as itself (lone
surrogates as \\uXXXX escapes, lower-case hex, as JSON.stringify writes them), integers as integers, other
numbers as plain decimals of their shortest round-trip form (no exponent, no trailing zeros), as_of the
result's evaluation date ("" for none).
"""

from __future__ import annotations

import hashlib
import json
import math
from decimal import Decimal
from typing import Any

VERIFY_FORMAT = "jxjy-verify/1"


def _number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return "null"  # what JSON.stringify writes for them
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def canonical(value: Any) -> str:
    """The one spelling of a JSON value both engines agree on (see the module's docstring)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{canonical(v)}"
                              for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def verification_code(ledger: Any, bundle_sha256: str | None, as_of: str | None) -> str:
    """'3F2A-91C0-77DE': names the ledger, the rules and the evaluation date together."""
    payload = f"{VERIFY_FORMAT}\n{bundle_sha256 or ''}\n{as_of or ''}\n{canonical(ledger)}"
    digest = hashlib.sha256(payload.encode("utf-8", "backslashreplace")).hexdigest()[:12].upper()
    return "-".join(digest[i:i + 4] for i in range(0, 12, 4))


def normal_code(text: str) -> str:
    """A code as a person types it back (lower case, spaces, no dashes) in its printed form."""
    digits = "".join(ch for ch in text.upper() if ch in "0123456789ABCDEF")
    return "-".join(digits[i:i + 4] for i in range(0, len(digits), 4))


__all__ = ["VERIFY_FORMAT", "canonical", "normal_code", "verification_code"]
