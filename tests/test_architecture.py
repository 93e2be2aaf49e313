"""The layout shows the pipeline: modules import only from their own stage or earlier ones, never in a
circle, and never another module's private names (docs/architecture.md, "Layout")."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "generator"

# The stages in the order data flows; a module may import its own stage and the stages before it.
# rules.types and rules.inputs are the rule vocabulary the model is written in, so they come before policy/.
STAGES = [
    ("base",),
    ("rules.inputs", "rules.types"),
    ("policy",),
    ("rules",),
    ("outputs",),
    ("audit",),
    ("cli", "__main__"),
]


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def stage_of(module: str) -> int:
    if module == "generator":  # the package itself holds nothing
        return 0
    inner = module.removeprefix("generator.")
    best = None
    for n, prefixes in enumerate(STAGES):
        for prefix in prefixes:
            if inner == prefix or inner.startswith(prefix + "."):
                if best is None or len(prefix) > best[1]:
                    best = (n, len(prefix))
    assert best is not None, f"{module} is in no stage: add its package to STAGES and docs/architecture.md"
    return best[0]


def _type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def imports_of(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, names, line) of every generator import, at any depth except under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[str, list[str], int]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("generator"):
                assert child.level == 0, f"{path}: relative import; write generator.<package>.<module>"
                out.append((child.module, [a.name for a in child.names], child.lineno))
            elif isinstance(child, ast.Import):
                out.extend((a.name, [], child.lineno) for a in child.names if a.name.startswith("generator"))
            visit(child)

    visit(tree)
    return out


MODULES = {module_name(p): p for p in sorted(GENERATOR.rglob("*.py"))}


def _target(module: str, name: str) -> str:
    """`from generator.outputs import anchors` imports the module generator.outputs.anchors."""
    candidate = f"{module}.{name}"
    return candidate if candidate in MODULES else module


def test_every_module_imports_only_its_own_stage_or_earlier():
    wrong = []
    for name, path in MODULES.items():
        own = stage_of(name)
        for module, names, line in imports_of(path):
            for target in {_target(module, n) for n in names} or {module}:
                if stage_of(target) > own:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target} (a later stage)")
    assert not wrong, "\n".join(wrong)


def test_no_module_imports_another_modules_private_names():
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {n} from {module}"
             for path in MODULES.values() for module, names, line in imports_of(path)
             for n in names if n.startswith("_")]
    assert not wrong, "\n".join(wrong)


def test_no_import_circles():
    graph = {name: sorted({_target(m, n) for m, names, _ in imports_of(path) for n in names or [""]}
                          & set(MODULES) - {name})
             for name, path in MODULES.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)
    assert not cycles, "\n".join(" → ".join(c) for c in cycles)


def test_the_checks_would_catch_a_violation(tmp_path):
    """The checker itself: a later-stage import and a circle are found."""
    assert stage_of("generator.outputs.bundle") > stage_of("generator.rules.engine") > stage_of("generator.policy.model")
    assert stage_of("generator.rules.types") < stage_of("generator.policy.model")
    bad = tmp_path / "bad.py"
    bad.write_text("from generator.cli.main import main\nfrom generator.rules.engine import _span_of\n", encoding="utf-8")
    assert imports_of(bad) == [("generator.cli.main", ["main"], 1), ("generator.rules.engine", ["_span_of"], 2)]
