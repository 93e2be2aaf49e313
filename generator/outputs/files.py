"""Writing generated files: the same bytes are never rewritten, so a rebuild touches (and a
`jxjy serve` watcher sees) only what changed."""

from __future__ import annotations

from pathlib import Path


def write_output(path: Path, data: bytes, written: list[Path]) -> None:
    """Write data to path unless it holds those bytes already; either way record path in written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    written.append(path)


__all__ = ["write_output"]
