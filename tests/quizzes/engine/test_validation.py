import pytest

from quizzes.engine import validate_item
from tests.quizzes.engine import sample_items


@pytest.mark.parametrize("factory", sample_items.ALL, ids=lambda factory: factory.__name__)
def test_sample_items_of_every_kind_are_valid(factory):
    assert validate_item(factory()) == []


@pytest.mark.parametrize(
    "junk", [None, 3, "item", [], {"kind": {"x": 1}}, {"kind": "calculation", "params": 5}]
)
def test_junk_never_raises(junk):
    assert validate_item(junk)


def has(problems, field, text=""):
    return any(problem.startswith(field) and text in problem for problem in problems)


def test_a_broken_calculation_reports_every_problem():
    item = {
        "key": "Bad Key",
        "kind": "calculation",
        "stem": "Use {{eta}} and {{mystery}}.",
        "difficulty": 9,
        "topics": ["Momentum!"],
        "params": {"eta": {"min": 1, "max": 0}, "answer": {"choices": [1]}, "class": {"choices": [1]}},
        "answer": {"expr": "eta.__class__"},
        "tolerance": {"mode": "percent", "value": 1},
        "constraints": ["eta <"],
        "misconceptions": [{"answer": {"calc": "no_such"}, "feedbak": "typo"}],
        "tolerence": {},
    }
    problems = validate_item(item)
    assert has(problems, "key:")
    assert has(problems, "explanation:", "required")
    assert has(problems, "difficulty:")
    assert has(problems, "topics:")
    assert has(problems, "tolerence:", "unknown field")
    assert has(problems, "params.eta:", "`max` must not be below `min`")
    assert has(problems, "params.answer:", "reserved")
    assert has(problems, "params.class:", "keyword")
    assert has(problems, "answer.expr:", "Unexpected character '.'")
    assert has(problems, "tolerance:", "mode")
    assert has(problems, "constraints[0]:")
    assert has(problems, "misconceptions[0].answer.calc:", "unknown calculator 'no_such'")
    assert has(problems, "misconceptions[0].feedbak:", "unknown field")


def test_unknown_placeholders_are_reported_with_the_available_names():
    item = sample_items.calculation()
    item["explanation"] = "The answer is {{answr}}."
    item["hints"] = ["{{eta:.2q}}"]
    problems = validate_item(item)
    assert has(problems, "explanation:", "unknown placeholder {{answr}}; available: answer, eta, g")
    assert has(problems, "hints[0]:", "invalid number format")


def test_non_finite_answers_are_reported():
    item = sample_items.calculation()
    item["params"]["g"] = {"min": 0, "max": 0}
    item["answer"] = {"expr": "eta / g"}
    item["constraints"] = []
    assert has(validate_item(item), "answer:", "finite")


def test_misconceptions_that_equal_the_key_are_reported():
    item = sample_items.calculation()
    item["misconceptions"] = [{"answer": {"expr": "g * eta"}, "feedback": "same"}]
    assert has(validate_item(item), "misconceptions[0].answer:", "equals the key")
    symbolic = sample_items.symbolic()
    symbolic["misconceptions"] = [{"answer": "eta*(beta^2 g0 + beta g1 + g2)", "feedback": "same"}]
    assert has(validate_item(symbolic), "misconceptions[0].answer:", "equivalent to the key")


def test_choice_items_need_the_right_number_of_correct_choices():
    item = sample_items.single()
    item["choices"][1]["correct"] = True
    assert has(validate_item(item), "choices:", "exactly one correct")
    item = sample_items.multiple()
    for choice in item["choices"]:
        choice.pop("correct", None)
    assert has(validate_item(item), "choices:", "at least one correct")
    item["choices"] = [{"text": "A"}, {"text": "A", "correct": True}]
    assert has(validate_item(item), "choices:", "same text")


def test_other_kinds_report_their_fields():
    truefalse = {**sample_items.truefalse(), "answer": "yes"}
    assert has(validate_item(truefalse), "answer:", "true or false")
    ordering = {**sample_items.ordering(), "steps": ["only one"]}
    assert has(validate_item(ordering), "steps:")
    numeric = {**sample_items.numeric(), "answer": "abc"}
    assert has(validate_item(numeric), "answer:", "finite number")
    zero = {**sample_items.numeric(), "answer": 0, "misconceptions": []}
    assert has(validate_item(zero), "tolerance:", "accepts only exactly 0")
    symbolic = {**sample_items.symbolic(), "symbols": ["beta", "sqrt", "beta"], "answer": "beta +"}
    problems = validate_item(symbolic)
    assert has(problems, "symbols:", "function name") and has(problems, "symbols:", "twice")
    symbolic = {**sample_items.symbolic(), "answer": "beta + g9"}
    assert has(validate_item(symbolic), "answer:", "Unknown symbol 'g9'")
    unknown_kind = {**sample_items.single(), "kind": "freeform"}
    assert has(validate_item(unknown_kind), "kind:")


def test_a_division_by_zero_at_the_edge_of_a_range_is_found():
    item = sample_items.calculation()
    item["params"]["g"] = {"min": 0, "max": 500, "step": 1}
    item["answer"] = {"expr": "eta / g"}
    item["constraints"] = []
    item["misconceptions"] = []
    problems = validate_item(item)
    assert has(problems, "answer:", "finite")
    assert any("'g': 0" in problem for problem in problems)


def test_placeholders_that_reveal_the_key_before_answering_are_reported():
    item = sample_items.calculation()
    item["stem"] = "Is it {{answer}}?"
    item["hints"] = ["Close to {{answer:.1g}}"]
    problems = validate_item(item)
    assert has(problems, "stem:", "would reveal the key")
    assert has(problems, "hints[0]:", "would reveal the key")
    table = sample_items.table()
    table["stem"] = "Start: m1 = {{m1}}"
    assert has(validate_item(table), "stem:", "would reveal the key")


def test_the_engine_is_importable_without_django():
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys; import quizzes.engine as engine; from tests.quizzes.engine import sample_items;"
        "[engine.check_answer(f(), None if f().get('kind') != 'table' else engine.draw_variant(f(), 0), '1') "
        "for f in sample_items.ALL if f()['kind'] not in ('ordering', 'multiple')];"
        "assert not any(name == 'django' or name.startswith('django.') for name in sys.modules), 'django'"
    )
    env = {"PATH": "", "PYTHONPATH": "."}
    repository = Path(__file__).resolve().parents[3]
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=repository, check=False
    )
    assert completed.returncode == 0, completed.stderr
