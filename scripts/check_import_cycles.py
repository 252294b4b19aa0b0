"""Fail when modules of our packages import each other in a circle (`make contracts`).

grimp (the graph import-linter builds on) reads every import statement, including those inside
functions, so a cycle hidden behind a function-level import counts too. Imports under
`if TYPE_CHECKING:` are left out: they never run.

Usage: python scripts/check_import_cycles.py   (exit status 1 and the cycles listed when there are any)
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parents[1]
PACKAGES = (
    "accounts",
    "api",
    "config",
    "courses",
    "grading",
    "ops",
    "optimlab",
    "progress",
    "quizzes",
    "throttling",
    "lti",
)

# Cycles known today, each being removed on another branch. An entry names exactly the modules of
# one strongly connected group; the check fails if the group changes or a new one appears, and
# says so when an allowed cycle is gone (then delete its entry).
ALLOWED_CYCLES: tuple[frozenset[str], ...] = ()


def import_graph(packages: tuple[str, ...] = PACKAGES, root: Path = REPO) -> dict[str, set[str]]:
    """Module -> the modules of `packages` (found under `root`) it imports."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    graph = grimp.build_graph(*packages, exclude_type_checking_imports=True, cache_dir=None)
    return {module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules}


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(frozenset(group))
    return found


def describe(group: frozenset[str], graph: dict[str, set[str]]) -> str:
    edges = [f"    {a} -> {b}" for a in sorted(group) for b in sorted(graph[a] & group)]
    return "\n".join([f"  {len(group)} modules: {', '.join(sorted(group))}", *edges])


def main() -> int:
    graph = import_graph()
    found = cycles(graph)
    new = [group for group in found if group not in ALLOWED_CYCLES]
    for gone in (group for group in ALLOWED_CYCLES if group not in found):
        print(f"Allowed cycle no longer present; delete its entry: {', '.join(sorted(gone))}")
    if new:
        print(f"Import cycles between modules ({len(new)}):")
        for group in new:
            print(describe(group, graph))
        return 1
    print(f"No import cycles between {len(graph)} modules ({len(found)} allowed, listed in this script).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
