"""The descent-bank/1 YAML format: lossless round trips, readable output, located problems."""

import copy
import random
import time

import yaml

from quizzes.bankio import read_bank
from quizzes.bankio.errors import BankExport
from quizzes.bankio.validation import KINDS
from quizzes.bankio.yaml_format import dump_yaml, parse_yaml


def _round_trip(parsed):
    text = dump_yaml(
        BankExport(slug=parsed.slug, name=parsed.name, description=parsed.description, items=parsed.items)
    )
    return text, parse_yaml(text, filename="exported.yaml")


def test_every_kind_survives_export_and_reimport_unchanged(fixture_text):
    original = parse_yaml(fixture_text("all_kinds.yaml"), filename="all_kinds.yaml")
    assert original.problems == []
    assert sorted({item["kind"] for item in original.items}) == sorted(KINDS)

    _text, again = _round_trip(original)

    assert again.problems == []
    assert again.items == original.items
    assert (again.slug, again.name, again.description) == (original.slug, original.name, original.description)


def test_awkward_strings_and_numbers_survive_the_round_trip():
    awkward = [
        "trailing spaces   \nsecond line",
        "  leading spaces\n",
        "yes",
        "no",
        "1e-3",
        "0.5",
        "null",
        "line one\n\n\nafter blank lines\n\n",
        "tab\tinside\nand a second line",
        "unicode: β₁, η, ∇J(θ)",
        "# not a comment",
        "{{eta}} is a placeholder: keep {braces}",
        "ends with a backslash \\",
    ]
    items = [
        {
            "key": f"item-{index}",
            "kind": "single",
            "title": text.splitlines()[0] if text.strip() else "blank",
            "topics": ["sgd"],
            "difficulty": 3,
            "stem": text,
            "explanation": text,
            "hints": [text],
            "choices": [{"text": text, "correct": True, "feedback": text}, {"text": "other"}],
            "shuffle": False,
            "tolerance": {"mode": "relative", "value": 1e-3},
            "numbers": [0.1, 1e-06, -2.5e10, 3, float("inf")],
        }
        for index, text in enumerate(awkward)
    ]

    parsed = parse_yaml(dump_yaml(BankExport(slug="odd", name="Odd strings", items=items)))

    assert parsed.problems == []
    assert parsed.items == items


def test_multiline_markdown_is_written_as_block_scalars(fixture_text):
    original = parse_yaml(fixture_text("all_kinds.yaml"))
    text, _again = _round_trip(original)

    assert "  stem: |\n    On a long narrow valley" in text
    assert "\\n" not in text  # no escaped newlines in quoted strings anywhere
    assert text.startswith("format: descent-bank/1\nbank:\n  slug: fixture-all-kinds\n")


def _shuffled(value, rng: random.Random):
    """The same data with every mapping's keys in a random order (as PostgreSQL's jsonb might give them)."""
    if isinstance(value, dict):
        pairs = [(name, _shuffled(entry, rng)) for name, entry in value.items()]
        rng.shuffle(pairs)
        return dict(pairs)
    if isinstance(value, list):
        return [_shuffled(entry, rng) for entry in value]
    return value


def test_export_key_order_does_not_depend_on_the_dict_order_given(fixture_text):
    original = parse_yaml(fixture_text("all_kinds.yaml"))
    shuffled_items = _shuffled(copy.deepcopy(original.items), random.Random(7))
    assert [list(item) for item in shuffled_items] != [list(item) for item in original.items]

    first = dump_yaml(BankExport(slug="s", name="n", items=original.items))
    second = dump_yaml(BankExport(slug="s", name="n", items=shuffled_items))

    assert first == second
    assert first.index("- key: momentum-purpose") < first.index("  kind: single") < first.index("  stem: |")


def test_exponent_without_a_dot_reads_as_a_number():
    text = """format: descent-bank/1
bank: {slug: b, name: B}
items:
  - {key: a, kind: numeric, stem: S, explanation: E, answer: 2e-2, tolerance: {mode: relative, value: 1e-3}}
"""
    item = parse_yaml(text).items[0]

    assert item["answer"] == 0.02
    assert item["tolerance"]["value"] == 0.001


def test_a_yaml_syntax_error_is_reported_with_its_line():
    text = "format: descent-bank/1\nbank:\n  slug: b\n  name: [unclosed\nitems: []\n"

    parsed = parse_yaml(text, filename="bad.yaml")

    assert len(parsed.problems) == 1
    problem = parsed.problems[0]
    assert problem.location.file == "bad.yaml"
    assert problem.location.line in (4, 5)
    assert "YAML syntax error" in problem.message
    assert str(problem).startswith(f"bad.yaml:{problem.location.line}: ")


def test_python_object_tags_are_refused_not_executed():
    text = "format: descent-bank/1\nbank: !!python/object/apply:os.system ['echo hacked']\nitems: []\n"

    parsed = parse_yaml(text, filename="evil.yaml")

    assert parsed.items == []
    assert parsed.problems and "could not determine a constructor" in parsed.problems[0].message
    assert parsed.problems[0].location.line == 2


def test_structural_problems_are_all_collected_with_locations():
    text = """format: descent-bank/2
bank:
  slug: Not A Slug
  name: ""
  colour: blue
items:
  - key: ok
    kind: truefalse
    stem: fine
    explanation: fine
    answer: true
    answer: false
extra: 1
"""
    parsed = parse_yaml(text, filename="b.yaml")
    found = {(problem.location.field, problem.location.line) for problem in parsed.problems}

    assert ("format", 1) in found
    assert ("bank.slug", 3) in found
    assert ("bank.name", 4) in found
    assert ("bank.colour", 5) in found
    assert ("items[0].answer", 12) in found  # the repeated field, which safe_load would hide
    assert ("extra", 13) in found


def test_every_broken_item_is_reported_with_item_key_field_and_line(fixture_text):
    parsed = read_bank(fixture_text("broken.yaml"), "yaml", filename="broken.yaml")
    by_item = {(p.location.item_index, p.location.item_key, p.location.field): p for p in parsed.problems}

    assert by_item[(1, "too-hard", "difficulty")].location.line == 13
    assert (2, "no-explanation", "explanation") in by_item
    assert by_item[(2, "no-explanation", "kind")].location.line == 18
    assert "duplicate key" in by_item[(3, "fine-item", "key")].message
    # The engine's kind-specific verdict, placed at the field and line it concerns.
    engine_problem = next(p for p in parsed.problems if p.location.item_key == "two-right-answers")
    assert engine_problem.location.field.startswith("choices")
    assert engine_problem.location.line is not None and engine_problem.location.line >= 27
    assert not any(p.location.item_key == "fine-item" and p.location.item_index == 0 for p in parsed.problems)


def test_exported_yaml_is_plain_safe_yaml(fixture_text):
    original = parse_yaml(fixture_text("all_kinds.yaml"))
    text, _again = _round_trip(original)

    document = yaml.safe_load(text)

    assert document["format"] == "descent-bank/1"
    assert len(document["items"]) == len(original.items)


def test_an_alias_bomb_is_refused_before_it_is_expanded():
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 9)]
    text = "format: descent-bank/1\nbank: {slug: b, name: B}\nitems: []\n" + "\n".join(levels) + "\n"
    started = time.monotonic()

    parsed = parse_yaml(text, filename="bomb.yaml")

    assert time.monotonic() - started < 2
    assert len(parsed.problems) == 1 and "YAML aliases" in parsed.problems[0].message


def test_recursive_aliases_do_not_hang():
    parsed = parse_yaml("format: descent-bank/1\nbank: &b {slug: b, name: B, self: *b}\nitems: []\n")

    assert parsed.items == []
    assert [problem.location.line for problem in parsed.problems] == [2]
    assert "recursive" in parsed.problems[0].message


def test_absurdly_deep_nesting_is_a_problem_not_a_crash():
    depth = 5000
    parsed = parse_yaml("format: descent-bank/1\nitems: " + "[" * depth + "]" * depth + "\n")

    assert parsed.problems and parsed.items == []


def test_values_json_cannot_store_are_located_problems():
    text = """format: descent-bank/1
bank: {slug: b, name: B}
items:
  - key: dated
    kind: numeric
    stem: When?
    explanation: Then.
    answer: 2024-01-31
    tolerance: {mode: absolute, value: .nan}
"""
    parsed = read_bank(text, "yaml", filename="dated.yaml")

    assert {(p.location.field, p.location.line) for p in parsed.problems} == {
        ("answer", 8),
        ("tolerance.value", 9),
    }


def test_a_key_with_a_trailing_newline_is_not_a_slug():
    parsed = read_bank(
        'format: descent-bank/1\nbank: {slug: b, name: B}\nitems:\n  - {key: "k\\n", kind: truefalse, stem: S,'
        " explanation: E, answer: true}\n",
        "yaml",
    )

    assert [problem.location.field for problem in parsed.problems] == ["key"]
