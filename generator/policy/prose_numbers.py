"""prose_numbers pass: placeholder."""

from __future__ import annotations

from generator.policy.context import Context


def prose_numbers_pass(ctx: Context) -> None:
    """Numbers in hand-written prose agree with the model."""
