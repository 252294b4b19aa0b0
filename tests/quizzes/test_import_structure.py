"""The engine and bankio import downwards only: no cycle, and no import tucked inside a function."""

import ast
from pathlib import Path

import pytest

import quizzes

ROOT = Path(quizzes.__file__).resolve().parent.parent
PACKAGES = ("quizzes/engine", "quizzes/bankio")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, ast.Module]:
    return {
        _module_name(path): ast.parse(path.read_text(encoding="utf-8"))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
    }


def _imported(tree: ast.Module, known: set[str]) -> set[str]:
    """Modules of `known` that `tree` imports anywhere: `from a import b` is a.b when that is a module
    (as grimp reads it), else a."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in known else node.module)
    return found & known


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_engine_and_bankio_have_no_import_cycle():
    modules = _modules()
    known = set(modules)
    graph = {name: _imported(tree, known) - {name} for name, tree in modules.items()}
    assert _cycles(graph) == []


@pytest.mark.parametrize("name", sorted(_modules()))
def test_imports_sit_at_the_top_of_the_module(name):
    tree = _modules()[name]
    top_level = {id(node) for node in tree.body}
    nested = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in top_level
    ]
    assert nested == [], f"{name}: imports inside functions at lines {nested}"
