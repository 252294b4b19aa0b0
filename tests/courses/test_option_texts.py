"""Choice texts on the statistics page: filled with a representative variant, never raw braces."""

from courses.services.option_texts import choice_texts, readable_template
from quizzes.engine.common import stable_id

FILLED_CHOICE = {"text": "A step of {{eta}}", "correct": True}
PLAIN_CHOICE = {"text": "No step at all"}


def _item(*choices, params=None):
    item = {
        "key": "step",
        "kind": "single",
        "stem": "Which step?",
        "explanation": "…",
        "choices": list(choices),
    }
    if params:
        item["params"] = params
    return item


def test_placeholders_become_readable_names():
    assert readable_template("From {{theta0}} with {{ lr:.2g }}") == "From ⟨theta0⟩ with ⟨lr⟩"


def test_choices_without_placeholders_are_shown_as_written():
    texts = choice_texts(_item(PLAIN_CHOICE))
    assert texts[stable_id("c", PLAIN_CHOICE)].text == "No step at all"
    assert texts[stable_id("c", PLAIN_CHOICE)].template == ""


def test_a_placeholder_the_variant_defines_is_filled_and_the_template_kept():
    texts = choice_texts(_item(FILLED_CHOICE, PLAIN_CHOICE, params={"eta": {"choices": [0.25]}}))
    filled = texts[stable_id("c", FILLED_CHOICE)]
    assert filled.text == "A step of 0.25"
    assert filled.template == "A step of ⟨eta⟩"


def test_a_placeholder_nobody_defines_is_shown_by_name():
    texts = choice_texts(_item(FILLED_CHOICE, PLAIN_CHOICE))
    assert texts[stable_id("c", FILLED_CHOICE)].text == "A step of ⟨eta⟩"
