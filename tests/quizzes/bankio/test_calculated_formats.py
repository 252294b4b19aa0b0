"""Moodle calculated questions: wildcards become template parameters, datasets their choices, and back."""

import math
import xml.etree.ElementTree as ET

import pytest

from quizzes.bankio import read_bank, write_bank
from quizzes.bankio.moodle_formula import FormulaError, from_moodle, to_moodle
from quizzes.engine import check_answer, draw_variant, validate_item
from quizzes.engine.kinds.registry import handler_for
from quizzes.engine.result import Variant


def _answer(formula, fraction=100, tolerance="0.01", tolerance_type="1", fmt="1", length="2", feedback=""):
    return f"""
    <answer fraction="{fraction}"><text>{formula}</text>
      <tolerance>{tolerance}</tolerance><tolerancetype>{tolerance_type}</tolerancetype>
      <correctanswerformat>{fmt}</correctanswerformat><correctanswerlength>{length}</correctanswerlength>
      <feedback format="html"><text>{feedback}</text></feedback>
    </answer>"""


def _dataset(
    name, values=(), minimum="1", maximum="10", decimals="1", distribution="uniform", status="private"
):
    items = "".join(
        f"<dataset_item><number>{number}</number><value>{value}</value></dataset_item>"
        for number, value in enumerate(values, start=1)
    )
    return f"""
    <dataset_definition>
      <status><text>{status}</text></status><name><text>{name}</text></name><type>calculated</type>
      <distribution><text>{distribution}</text></distribution>
      <minimum><text>{minimum}</text></minimum><maximum><text>{maximum}</text></maximum>
      <decimals><text>{decimals}</text></decimals><itemcount>{len(values)}</itemcount>
      <dataset_items>{items}</dataset_items><number_of_items>{len(values)}</number_of_items>
    </dataset_definition>"""


def _question(name, text, answers, datasets, qtype="calculated", extra="", feedback=""):
    return f"""
  <question type="{qtype}">
    <name><text>{name}</text></name>
    <questiontext format="html"><text>{text}</text></questiontext>
    <generalfeedback format="html"><text>{feedback}</text></generalfeedback>
    {"".join(answers)}
    {extra}
    <dataset_definitions>{"".join(datasets)}</dataset_definitions>
  </question>"""


def _question_lines(text):
    return [number for number, line in enumerate(text.splitlines(), start=1) if "<question " in line]


def _quiz(*questions):
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>' + "".join(questions) + "\n</quiz>\n"


# Adam's bias-corrected first step: lr * m / (1 - beta1^t) over sqrt(v / (1 - beta2^t)) plus eps.
ADAM = _question(
    "Adam corrected step",
    "Adam with learning rate {lr}, beta1 = {b1}, beta2 = 0.999 after {t} steps of the same gradient {g}: "
    "how large is the step?",
    [
        _answer(
            "{lr} * ({g} * (1 - pow({b1}, {t})) / (1 - pow({b1}, {t}))) / "
            "(sqrt({g} * {g} * (1 - pow(0.999, {t})) / (1 - pow(0.999, {t}))) + 1e-8)",
            tolerance="0.001",
            fmt="2",
            length="3",
            feedback="Right: with a constant gradient the corrected step is about {lr}.",
        ),
        _answer(
            "{lr} * {g} * (1 - pow({b1}, {t})) / sqrt({g} * {g} * (1 - pow(0.999, {t})))",
            fraction=50,
            tolerance="0.001",
            feedback="You left out the bias correction.",
        ),
    ],
    [
        _dataset("lr", ["0.001", "0.01", "0.1"], "0.001", "0.1", "3"),
        _dataset("b1", ["0.9", "0.8", "0.5"], "0.5", "0.9", "1"),
        _dataset("t", ["1", "2", "5"], "1", "5", "0"),
        _dataset("g", ["2", "0.5", "4"], "0.5", "4", "1"),
    ],
    feedback="The step is {={lr} * ({g} * (1 - pow({b1}, {t})) / (1 - pow({b1}, {t}))) / "
    "(sqrt({g} * {g} * (1 - pow(0.999, {t})) / (1 - pow(0.999, {t}))) + 1e-8)}.",
)

SIMPLE = _question(
    "Circle area",
    "What is the area of a circle of radius {r} cm?",
    [_answer("pi() * {r}**2", tolerance="0.05", tolerance_type="2", fmt="1", length="2")],
    [_dataset("r", ["1.5", "2.5", "4"], "1", "5", "1")],
    qtype="calculatedsimple",
    extra="<units><unit><multiplier>1</multiplier><unit_name>cm^2</unit_name></unit></units>",
)


def _adam_by_moodle(lr, b1, t, g):
    """What Moodle's PHP evaluates for the key formula, recomputed here term by term."""
    m_hat = g * (1 - b1**t) / (1 - b1**t)
    v_hat = g * g * (1 - 0.999**t) / (1 - 0.999**t)
    return lr * m_hat / (math.sqrt(v_hat) + 1e-8)


def _partial_by_moodle(lr, b1, t, g):
    return lr * g * (1 - b1**t) / math.sqrt(g * g * (1 - 0.999**t))


@pytest.fixture
def bank():
    parsed = read_bank(_quiz(ADAM, SIMPLE), "moodle-xml", filename="calc.xml")
    assert parsed.problems == [] and parsed.skipped == []
    return parsed


def _values(item, params):
    return handler_for("calculation").values(item, params)


def test_each_dataset_item_gives_the_answer_moodle_computes(bank):
    adam = bank.items[0]
    rows = [(0.001, 0.9, 1, 2), (0.01, 0.8, 2, 0.5), (0.1, 0.5, 5, 4)]

    assert adam["kind"] == "calculation"
    assert {name: spec["choices"] for name, spec in adam["params"].items()} == {
        "lr": [0.001, 0.01, 0.1], "b1": [0.9, 0.8, 0.5], "t": [1, 2, 5], "g": [2, 0.5, 4],
    }  # fmt: skip
    for lr, b1, t, g in rows:
        values, wrong = _values(adam, {"lr": lr, "b1": b1, "t": t, "g": g})
        assert values["answer"] == pytest.approx(_adam_by_moodle(lr, b1, t, g), rel=1e-12)
        assert wrong == [pytest.approx(_partial_by_moodle(lr, b1, t, g), rel=1e-12)]


def test_the_k_th_items_of_every_dataset_are_drawn_together_as_moodle_does(bank):
    adam = bank.items[0]
    listed = {(0.001, 0.9, 1, 2), (0.01, 0.8, 2, 0.5), (0.1, 0.5, 5, 4)}

    drawn = {
        tuple(draw_variant(adam, seed).params[name] for name in ("lr", "b1", "t", "g")) for seed in range(60)
    }

    assert all(spec["paired"] is True for spec in adam["params"].values())
    assert drawn == listed


def test_feedback_fractions_tolerance_and_answer_length_are_kept(bank):
    adam = bank.items[0]
    variant = draw_variant(adam, 3)
    lr, b1, t, g = (variant.params[name] for name in ("lr", "b1", "t", "g"))

    right = check_answer(adam, variant, repr(_adam_by_moodle(lr, b1, t, g) * 1.0005))
    partial = check_answer(adam, variant, repr(_partial_by_moodle(lr, b1, t, g)))

    assert adam["tolerance"] == {"mode": "relative", "value": 0.001}
    assert adam["answer_format"] == {"sigfigs": 3}
    assert right.score == 1.0 and right.feedback == [
        f"Right: with a constant gradient the corrected step is about {lr:g}."
    ]
    assert (partial.score, partial.feedback) == (0.5, ["You left out the bias correction."])
    assert adam["explanation"] == "The step is {{answer}}."


def test_calculatedsimple_keeps_its_nominal_tolerance_units_and_decimals(bank):
    circle = bank.items[1]
    variant = Variant(0, {"r": 2.5}, *_values(circle, {"r": 2.5}))

    result = check_answer(circle, variant, "19.6")

    assert circle["answer"] == {"expr": "pi*r^2"}
    assert circle["tolerance"] == {"mode": "absolute", "value": 0.05}
    assert circle["units"] == "cm^2"
    assert circle["params"] == {"r": {"choices": [1.5, 2.5, 4]}}  # one dataset: plain choices
    assert result.score == 1.0 and result.correct_answer == "19.63 cm^2"  # two decimals, Moodle's length


def test_import_export_import_gives_the_same_bank(bank):
    exported = write_bank(fmt="moodle-xml", slug="calc", name="Calc", items=bank.items)
    again = read_bank(exported.text, "moodle-xml", filename="again.xml")

    assert exported.skipped == [] and again.problems == [] and again.skipped == []
    assert again.items == bank.items


def test_exported_xml_carries_the_elements_moodles_importer_reads(bank):
    exported = write_bank(fmt="moodle-xml", slug="calc", name="Calc", items=bank.items)
    question = ET.fromstring(exported.text).find("question[@type='calculated']")

    for answer in question.findall("answer"):
        for tag in (
            "text",
            "tolerance",
            "tolerancetype",
            "correctanswerformat",
            "correctanswerlength",
            "feedback",
        ):
            assert answer.find(tag) is not None, tag
    definitions = question.findall("dataset_definitions/dataset_definition")
    assert [definition.findtext("name/text") for definition in definitions] == ["b1", "g", "lr", "t"]
    for definition in definitions:
        for path in ("status/text", "type", "distribution/text", "minimum/text", "maximum/text",
                     "decimals/text", "itemcount", "number_of_items"):  # fmt: skip
            assert definition.findtext(path), path
        assert definition.findtext("status/text") == "private"
        assert len(definition.findall("dataset_items/dataset_item")) == 3
    assert question.findtext("answer/text").startswith("{lr}*")
    assert "{=" in question.findtext("generalfeedback/text")


def test_unsupported_formulas_are_reported_with_their_line_and_the_rest_is_imported():
    tangent = _question("Tangent", "tan of {x}?", [_answer("tan({x})")], [_dataset("x", ["1", "2"])])
    xor = _question("Caret", "{x} squared?", [_answer("{x} ^ 2")], [_dataset("x", ["1", "2"])])
    normal = """
  <question type="numerical">
    <name><text>Plain number</text></name>
    <questiontext format="html"><text>Half of one?</text></questiontext>
    <answer fraction="100"><text>0.5</text><tolerance>0</tolerance></answer>
  </question>"""
    text = _quiz(tangent, normal, xor, SIMPLE)

    parsed = read_bank(text, "moodle-xml", filename="mixed.xml")

    assert parsed.problems == []
    assert [item["title"] for item in parsed.items] == ["Plain number", "Circle area"]
    skipped = {entry.name: entry for entry in parsed.skipped}
    assert set(skipped) == {"Tangent", "Caret"}
    assert "tan() has no equivalent" in skipped["Tangent"].reason
    assert "bitwise XOR" in skipped["Caret"].reason
    lines = text.splitlines()
    for name, entry in skipped.items():
        assert entry.location.file == "mixed.xml" and entry.type == "calculated"
        assert "<question" in lines[entry.location.line - 1] and name in lines[entry.location.line]


def test_tolerance_types_descent_cannot_check_exactly_are_reported_or_left_out():
    geometric = _question(
        "Geometric",
        "Double {x}?",
        [_answer("2*{x}", tolerance="0.1", tolerance_type="3")],
        [_dataset("x", ["1", "3"])],
    )
    unknown = _question(
        "Unknown type", "Triple {x}?", [_answer("3*{x}", tolerance_type="7")], [_dataset("x", ["1", "3"])]
    )
    text = _quiz(geometric, unknown)

    parsed = read_bank(text, "moodle-xml", filename="tol.xml")

    item = parsed.items[0]
    assert item["tolerance"] == {"mode": "relative", "value": pytest.approx(0.1 / 1.1, rel=1e-5)}
    ((line, message, note_index),) = [note for note in parsed.question_notes if "geometric" in note[1]]
    first, second = _question_lines(text)
    assert line == first and "geometric tolerance 0.1" in message
    assert parsed.notes[note_index].startswith(f"tol.xml:{first}: 'Geometric': answer 1: Moodle's geometric")
    (skipped,) = parsed.skipped
    assert skipped.name == "Unknown type" and "tolerance type '7'" in skipped.reason
    assert skipped.location.line == second


def test_a_dataset_without_items_becomes_a_range_and_a_log_uniform_one_is_left_out():
    ranged = _question("Ranged", "Add one to {x}.", [_answer("{x} + 1")], [_dataset("x", [], "2", "4", "1")])
    logged = _question(
        "Log-uniform",
        "Add one to {x}.",
        [_answer("{x} + 1")],
        [_dataset("x", [], "1", "100", "0", "loguniform")],
    )

    parsed = read_bank(_quiz(ranged, logged), "moodle-xml", filename="r.xml")

    assert parsed.problems == []
    assert parsed.items[0]["params"] == {"x": {"min": 2.0, "max": 4.0, "step": 0.1}}
    assert any("lists no items" in message for _, message, _ in parsed.question_notes)
    assert [(entry.name, "loguniform" in entry.reason) for entry in parsed.skipped] == [("Log-uniform", True)]


def test_questions_descent_cannot_compute_are_left_out_with_the_reason():
    computed = _question(
        "Computed text", "Twice {x} is {={x}*2}; add one.", [_answer("{x}*2 + 1")], [_dataset("x", ["1"])]
    )
    undefined = _question("No dataset", "Add {x} and {y}.", [_answer("{x} + {y}")], [_dataset("x", ["1"])])
    no_key = _question("No key", "Add one to {x}.", [_answer("{x} + 1", fraction=50)], [_dataset("x", ["1"])])
    by_zero = _question(
        "By zero", "Divide by {x} - 2.", [_answer("1 / ({x} - 2)")], [_dataset("x", ["1", "2", "3"])]
    )
    huge = _question(
        "Huge range", "Add one to {x}.", [_answer("{x} + 1")], [_dataset("x", [], "0", "1e9", "3")]
    )

    parsed = read_bank(_quiz(computed, undefined, no_key, by_zero, huge), "moodle-xml", filename="x.xml")

    reasons = {entry.name: entry.reason for entry in parsed.skipped}
    assert parsed.items == [] and parsed.problems == []
    assert "{=...}" in reasons["Computed text"]
    assert "{y}, which has no dataset" in reasons["No dataset"]
    assert "fraction 100" in reasons["No key"]
    assert reasons["By zero"].startswith("value set 2 ({'x': 2})")
    assert "points; at most" in reasons["Huge range"]


def test_a_keyword_wildcard_is_renamed_and_an_unreachable_answer_is_left_out():
    question = _question(
        "Decay",
        "Decay {lambda} applied to {w}.",
        [_answer("{lambda} * {w}"), _answer("{w} * {lambda}", fraction=0, feedback="Same thing")],
        [_dataset("lambda", ["0.1", "0.2"]), _dataset("w", ["3", "5"])],
    )

    parsed = read_bank(_quiz(question), "moodle-xml", filename="k.xml")

    (item,) = parsed.items
    assert item["stem"] == "Decay {{lambda_}} applied to {{w}}."
    assert item["answer"] == {"expr": "lambda_*w"}
    assert "misconceptions" not in item
    assert any("never reaches it" in message for _, message, _ in parsed.question_notes)
    assert any("{lambda} is the parameter lambda_" in message for _, message, _ in parsed.question_notes)


def test_our_templates_export_and_come_back_computing_the_same_answers(fixture_text):
    from quizzes.bankio.yaml_format import parse_yaml

    original = next(i for i in parse_yaml(fixture_text("all_kinds.yaml")).items if i["kind"] == "calculation")

    exported = write_bank(fmt="moodle-xml", slug="s", name="n", items=[original])
    (again,) = read_bank(exported.text, "moodle-xml").items

    assert (
        again["params"] == original["params"]
    )  # every combination listed: independent choices and the range
    assert again["explanation"] == "The step is ${{eta}} \\times {{g}} = {{answer}}$."
    for seed in range(10):
        params = draw_variant(original, seed).params
        assert _values(again, params)[0]["answer"] == pytest.approx(_values(original, params)[0]["answer"])
    assert validate_item(again) == []


def test_a_gift_export_reports_the_one_variant_it_writes(bank):
    exported = write_bank(fmt="gift", slug="calc", name="Calc", items=bank.items[:1])

    assert any("adam-corrected-step: exported as one fixed variant" in note for note in exported.notes)
    assert "{{" not in exported.text and "{lr}" not in exported.text


@pytest.mark.parametrize(
    ("moodle", "ours"),
    [
        ("{a} * pow({b}, 2) + sqrt({c}) / pi()", "a*b^2 + sqrt(c)/pi"),
        ("-{a}**2", "-a^2"),
        ("{a} - ({b} - {c})", "a - (b - c)"),
        ("pow(1 - {b}, {t})", "(1 - b)^t"),
        ("log10({a})", "log(a, 10)"),
        ("max({a}, {b}, 3)", "max(a, b, 3)"),
    ],
)
def test_formulas_translate_both_ways_and_stay_stable(moodle, ours):
    assert from_moodle(moodle) == ours
    assert from_moodle(to_moodle(ours, ("a", "b", "c", "t"))) == ours


@pytest.mark.parametrize(
    "key", ["adam-step-without-bias-correction", "adam-corrected-first-moment-two-gradients"]
)
def test_the_demo_bank_calculated_style_items_export_to_moodle_and_come_back(key):
    from pathlib import Path

    import yaml

    path = Path(__file__).resolve().parents[3] / "content" / "banks" / "calculations-adaptive.yaml"
    (original,) = [
        item for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"] if item["key"] == key
    ]

    exported = write_bank(fmt="moodle-xml", slug="demo", name="Demo", items=[original])
    (again,) = read_bank(exported.text, "moodle-xml").items

    assert ET.fromstring(exported.text).find("question[@type='calculated']") is not None
    for field in ("params", "answer", "tolerance", "answer_format", "stem"):
        assert again[field] == original[field], field
    assert again["misconceptions"] == original["misconceptions"]
    for seed in range(12):
        params = draw_variant(original, seed).params
        (values, wrong), (expected, expected_wrong) = _values(again, params), _values(original, params)
        assert values["answer"] == pytest.approx(expected["answer"]) and wrong == pytest.approx(
            expected_wrong
        )


def test_a_question_left_out_lists_why_and_not_what_would_have_changed():
    question = _question(
        "Half geometric",
        "Double {x}.",
        [_answer("2*{x}", tolerance_type="3"), _answer("3*{x}", fraction=0, tolerance_type="9")],
        [_dataset("x", ["1", "3"])],
    )

    parsed = read_bank(_quiz(question), "moodle-xml", filename="h.xml")

    assert [entry.name for entry in parsed.skipped] == ["Half geometric"]
    assert parsed.notes == [] and parsed.question_notes == []


def test_hostile_formulas_are_refused_with_a_message_not_a_crash():
    deep = "(" * 400 + "{x}" + ")" * 400
    signs = "-" * 5000 + "{x}"
    question = _question("Deep", "x is {x}.", [_answer(deep)], [_dataset("x", ["1"])])
    long = _question("Signs", "x is {x}.", [_answer(signs)], [_dataset("x", ["1"])])

    parsed = read_bank(_quiz(question, long), "moodle-xml", filename="d.xml")

    reasons = {entry.name: entry.reason for entry in parsed.skipped}
    assert "nested more than" in reasons["Deep"]
    assert "longer than" in reasons["Signs"]
    assert from_moodle("-" * 901 + "{x}") == "-x" and from_moodle("-+-{x}") == "x"
    with pytest.raises(FormulaError, match="operations inside one another"):
        from_moodle("*".join(["1"] * 400))


def test_constraints_limit_the_exported_value_sets_and_hint_placeholders_are_reported():
    from tests.quizzes.engine import sample_items

    item = {
        **sample_items.calculation(),
        "params": {"eta": {"choices": [0.1, 0.01]}, "g": {"min": 5, "max": 20}},
    }

    exported = write_bank(fmt="moodle-xml", slug="s", name="n", items=[item])
    (again,) = read_bank(exported.text, "moodle-xml").items

    pairs = set(zip(again["params"]["eta"]["choices"], again["params"]["g"]["choices"], strict=True))
    assert pairs == {(eta, g) for eta in (0.1, 0.01) for g in range(5, 21) if eta * g < 1}  # `eta * g < 1`
    assert all(spec["paired"] for spec in again["params"].values())
    assert any("Moodle fills no values into hints" in note for note in exported.notes)
    assert again["hints"] == ["Multiply {{eta}} by {{g}}."]


def test_what_moodle_cannot_hold_is_reported_on_export_and_what_descent_drops_on_import():
    from tests.quizzes.engine import sample_items

    wide = {
        **sample_items.calculation(),
        "key": "wide",
        "params": {"a": {"min": 1, "max": 200}, "b": {"choices": [1, 2]}},
        "answer": {"expr": "a + b"},
        "tolerance": {"mode": "sigfigs", "value": 3},
        "constraints": [],
        "misconceptions": [],
        "hints": [],
    }
    synchronised = _question(
        "Synchronised",
        "Add one to {x}.",
        [_answer("{x} + 1")],
        [_dataset("x", ["1", "2"], status="shared")],
        extra="<synchronize>1</synchronize><instructions format='html'><text>Give the unit.</text></instructions>",
    )

    exported = write_bank(fmt="moodle-xml", slug="s", name="n", items=[wide])
    (answer,) = ET.fromstring(exported.text).findall("question/answer")
    parsed = read_bank(_quiz(synchronised), "moodle-xml", filename="s.xml")

    assert (answer.findtext("tolerance"), answer.findtext("tolerancetype")) == ("0.0005", "1")
    assert any(
        "3-significant-figure tolerance became Moodle's relative tolerance 0.0005" in n
        for n in exported.notes
    )
    assert any("at most 100 value sets; 100 drawn ones" in note for note in exported.notes)
    assert len(ET.fromstring(exported.text).findall(".//dataset_definition[1]//dataset_item")) == 100
    notes = " ".join(message for _, message, _ in parsed.question_notes)
    assert "shared datasets were copied" in notes and "synchronises" in notes and "instructions" in notes
