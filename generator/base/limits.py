"""Limits on what jxjy reads: policies and ledgers are untrusted input (docs/security.md).

Each limit is far above anything a real policy or ledger meets (the largest policy is 82 KB and
nests 9 deep; its largest number has 4 digits), and each is refused with its own message rather than
left to exhaust memory or time.
"""

from __future__ import annotations

MAX_POLICY_BYTES = 2_000_000  # a policy or tests file (the largest real one is 82 KB)
MAX_SOURCE_TEXT_BYTES = 5_000_000  # a source text under policies/sources/ (the largest is 21 KB)
MAX_LEDGER_BYTES = 100_000_000  # a ledger file (100,000 entries as JSON are about 12 MB)
MAX_DEPTH = 64  # nesting of mappings and lists (real policies: 9)
MAX_NUMBER_DIGITS = 30  # digits of a number in a policy or a ledger, before and after the point together
MAX_EXPONENT = 30  # |exponent| of a number written 1.5e3
