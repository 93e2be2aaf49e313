"""Policies varied in memory: the validated merged document of an edition, changed, then built."""

from collections.abc import Callable
from pathlib import Path

from generator.policy.build import build_model
from generator.policy.loader import merged_document
from generator.policy.model import Policy

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "tests" / "fixtures" / "policies" / "demo" / "2020.yaml"


def variant(mutate: Callable[[dict], object], path: Path = DEMO) -> Policy:
    """The edition at `path` (default: the demo fixture) after `mutate(document)`; mutate changes it in place."""
    data = merged_document(path)
    mutate(data)
    return build_model(data, (str(path.relative_to(ROOT)),), path)


def with_keys(path: Path = DEMO, **changes: object) -> Policy:
    """The edition with top-level keys replaced."""
    return variant(lambda data: data.update(changes), path)
