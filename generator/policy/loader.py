"""Load a policy edition: read its layers → schema → merge → every semantic pass → typed model.

Everything that can be wrong with a policy is collected and reported together, so an author fixes
a file in one pass instead of one error per run: every pass (generator/policy/passes.py) runs even
when an earlier one found errors. The model is built only when it is sound — no errors at all, or
only errors of passes whose findings leave it sound (a quote or a help text that contradicts the
model): then `jxjy build` can still run the edition's own test cases and report every failure in
the same run, while refusing to publish.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.base.diagnostics import Diagnostic, InputError
from generator.policy.build import build_model
from generator.policy.context import Context
from generator.policy.layers import Origins, display, merge, read_layers
from generator.policy.model import Policy
from generator.policy.passes import POLICY_SCHEMA, run_passes

__all__ = ["POLICY_SCHEMA", "Checked", "build_model", "check_policy", "load_policy", "merged_document", "policy_files",
           "validate_paths"]


def policy_files(paths: list[str | Path]) -> list[Path]:
    """Policy edition files under the given paths (test-case files excluded)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*.yaml") if not f.name.endswith(".tests.yaml")))
        else:
            out.append(p)
    return out


@dataclass
class Checked:
    """One edition, validated: every diagnostic, and the model when it is sound."""

    file: Path
    diagnostics: list[Diagnostic] = field(default_factory=list)
    policy: Policy | None = None

    @property
    def ok(self) -> bool:
        return self.policy is not None and not self.diagnostics


def check_policy(path: str | Path, *, strict: bool = False) -> Checked:
    """Validate one edition with its layers: every pass, every diagnostic; the model when sound.

    `strict` lets a pass that trips over a malformed document raise instead of giving up (tests)."""
    path = Path(path)
    chain = read_layers(path)
    checked = Checked(path, list(chain.diagnostics))
    if not chain.layers:
        return checked
    origins = Origins()
    merged = merge(chain.layers, origins) if chain.complete else None
    ctx = Context(chain.layers, merged, origins, broken={(d.file, d.path) for d in chain.diagnostics})
    result = run_passes(ctx, strict=strict)
    checked.diagnostics = sorted(set(checked.diagnostics + result.diagnostics))
    if merged is not None and not chain.diagnostics and result.model_is_sound:
        try:
            checked.policy = build_model(merged, tuple(display(layer.path) for layer in chain.layers),
                                         chain.layers[-1].path)
        except (KeyError, TypeError, ValueError, AttributeError):
            if not checked.diagnostics:
                raise  # a document every pass accepted must build: anything else is a bug
    return checked


def load_policy(path: str | Path) -> Policy:
    """Load one edition with its layers; raise InputError listing every problem."""
    checked = check_policy(path)
    if checked.diagnostics or checked.policy is None:
        raise InputError(checked.diagnostics)
    return checked.policy


def validate_paths(paths: list[str | Path]) -> tuple[list[Policy], list[Diagnostic]]:
    """Validate every policy file under paths; return the good ones and all diagnostics."""
    policies: list[Policy] = []
    diags: list[Diagnostic] = []
    for f in policy_files(paths):
        try:
            checked = check_policy(f)
        except Exception:  # noqa: BLE001 - a bug on one file must not hide every other file's diagnostics
            diags.append(internal_error(display(f)))
            continue
        diags.extend(checked.diagnostics)
        if checked.ok and checked.policy is not None:
            policies.append(checked.policy)
    return policies, sorted(set(diags))


def internal_error(file: str) -> Diagnostic:
    """A bug met while checking one file: the traceback goes to a file of its own, the diagnostic says where
    (code diagnostics.internal.file; `jxjy` exits 4 when there is one)."""
    import tempfile  # noqa: PLC0415
    import traceback  # noqa: PLC0415

    fd, report = tempfile.mkstemp(prefix="jxjy-error-", suffix=".txt")
    with open(fd, "w", encoding="utf-8") as out:
        traceback.print_exc(file=out)
    return Diagnostic.of(file, 1, 1, "diagnostics.internal.file", report=report)


def merged_document(path: str | Path) -> dict:
    """An edition's validated document with its layers merged: what `build_model` reads. For tools and
    tests that vary a policy in memory (change a key, then `build_model(data, files, path)`)."""
    path = Path(path)
    load_policy(path)  # raises InputError unless the edition is valid
    return merge(read_layers(path).layers, Origins())
