"""The Chinese message catalog, loaded from site_templates/messages/zh.yaml."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

CATALOG = Path(__file__).resolve().parent.parent / "site_templates" / "messages" / "zh.yaml"


@cache
def catalog() -> dict:
    return yaml.safe_load(CATALOG.read_text(encoding="utf-8"))


def message(key: str, **params: object) -> str:
    """Look up 'a.b' in the catalog and fill in its {placeholders}."""
    node: object = catalog()
    for part in key.split("."):
        node = node[part]  # type: ignore[index]
    return str(node).format(**params)
