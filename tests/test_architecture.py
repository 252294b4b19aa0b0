"""The import-cycle check itself: it must see a cycle, even one hidden inside a function."""

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def load_check():
    spec = importlib.util.spec_from_file_location(
        "check_import_cycles", REPO / "scripts/check_import_cycles.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_package(root: Path, name: str, files: dict[str, str]) -> None:
    (root / name).mkdir()
    (root / name / "__init__.py").write_text("")
    for filename, source in files.items():
        (root / name / filename).write_text(source)


def test_a_cycle_closed_by_an_import_inside_a_function_is_found(tmp_path, monkeypatch):
    check = load_check()
    write_package(
        tmp_path,
        "circular_pkg",
        {
            "a.py": "from circular_pkg import b\n",
            "b.py": "def late():\n    from circular_pkg import a\n    return a\n",
            "c.py": "from circular_pkg import a\n",
        },
    )
    monkeypatch.setattr(sys, "path", list(sys.path))
    graph = check.import_graph(("circular_pkg",), tmp_path)
    assert check.cycles(graph) == [frozenset({"circular_pkg.a", "circular_pkg.b"})]


def test_imports_only_for_type_checking_make_no_cycle(tmp_path, monkeypatch):
    check = load_check()
    write_package(
        tmp_path,
        "typed_pkg",
        {
            "a.py": "from typed_pkg import b\n",
            "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from typed_pkg import a\n",
        },
    )
    monkeypatch.setattr(sys, "path", list(sys.path))
    assert check.cycles(check.import_graph(("typed_pkg",), tmp_path)) == []


def test_this_repository_has_only_the_allowed_cycles():
    check = load_check()
    found = check.cycles(check.import_graph())
    assert set(found) <= set(check.ALLOWED_CYCLES), [sorted(group) for group in found]
