"""What one import did, shared by the importers (imports.py, exports.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.base.diagnostics import Diagnostic


@dataclass
class ImportCounts:
    files: int = 0
    people: int = 0
    entries: int = 0
    replaced: int = 0
    problems: list[Diagnostic] = field(default_factory=list)
