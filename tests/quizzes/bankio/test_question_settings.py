"""Moodle's question settings and categories: read, kept, written back with the elements Moodle reads."""

import xml.etree.ElementTree as ET

import pytest

from quizzes.bankio import read_bank, write_bank
from quizzes.engine import validate_item
from quizzes.models import Bank
from quizzes.services.banks import bank_export, bank_import

SETTINGS = "moodle_settings.xml"


@pytest.fixture
def parsed(fixture_text):
    bank = read_bank(fixture_text(SETTINGS), "moodle-xml", filename=SETTINGS)
    assert bank.problems == []
    return bank


def _by_title(bank):
    return {item["title"]: item for item in bank.items}


def _export(bank, fmt="moodle-xml"):
    return write_bank(fmt=fmt, slug="dynamics", name=bank.name, items=bank.items, categories=bank.categories)


def test_default_grade_penalty_and_combined_feedback_are_kept(parsed):
    item = _by_title(parsed)["Why warm up"]

    assert item["weight"] == 3.0
    assert item["penalty"] == 0.1
    assert item["combined_feedback"] == {
        "correct": "Your answer is correct.",
        "partial": "Part of the story.",
        "incorrect": "Think about the second-moment estimate.",
    }
    assert item["hints"] == ["What does Adam divide by?", "How many gradients has it seen at step 1?"]
    assert item["explanation"].startswith("Early Adam estimates")


def test_moodle_defaults_are_not_stored_as_settings(parsed):
    item = _by_title(parsed)["Name of the matrix"]

    assert item["weight"] == 0.5
    assert "penalty" not in item  # Moodle's default one third
    assert "hidden" not in item and "combined_feedback" not in item


def test_a_hidden_question_is_imported_hidden(parsed):
    assert _by_title(parsed)["Old draft about decay"]["hidden"] is True
    assert "hidden" not in _by_title(parsed)["Why warm up"]


def test_hint_options_descent_cannot_honour_are_reported_with_the_question_line(parsed):
    (note,) = [note for note in parsed.notes if "hint options" in note]

    assert note.startswith(f"{SETTINGS}:15: 'Why warm up'") and "shownumcorrect" in note


def test_the_category_path_becomes_the_items_category_and_descriptions_are_kept(parsed):
    items = _by_title(parsed)

    assert items["Why warm up"]["category"] == ["Training dynamics", "Step sizes", "Warmup and decay"]
    assert items["Name of the matrix"]["category"] == ["Training dynamics", "Curvature"]
    assert parsed.name == "Training dynamics"
    assert parsed.categories == [
        {"path": ["Training dynamics"], "description": "Questions about how training behaves."},
        {"path": ["Training dynamics", "Step sizes"], "description": "Learning rates and their schedules."},
        {
            "path": ["Training dynamics", "Step sizes", "Warmup and decay"],
            "description": "Ramps at the start, decay at the end.",
        },
    ]


def test_moodle_import_export_import_gives_the_same_items_and_categories(parsed):
    again = read_bank(_export(parsed).text, "moodle-xml", filename="again.xml")

    assert again.problems == []
    assert again.items == parsed.items
    assert again.categories == parsed.categories
    assert again.name == parsed.name


def test_exported_xml_carries_the_elements_moodles_importer_reads(parsed):
    root = ET.fromstring(_export(parsed).text)
    questions = {q.findtext("name/text"): q for q in root.iter("question") if q.get("type") != "category"}

    warm = questions["Why warm up"]
    assert warm.findtext("defaultgrade") == "3"
    assert warm.findtext("penalty") == "0.1"
    assert warm.findtext("hidden") == "0"
    assert warm.findtext("correctfeedback/text") == "Your answer is correct."
    assert warm.findtext("partiallycorrectfeedback/text") == "Part of the story."
    assert warm.findtext("incorrectfeedback/text") == "Think about the second-moment estimate."
    assert [hint.findtext("text") for hint in warm.findall("hint")] == [
        "What does Adam divide by?",
        "How many gradients has it seen at step 1?",
    ]
    assert questions["Old draft about decay"].findtext("hidden") == "1"
    assert questions["Name of the matrix"].findtext("penalty") == "0.3333333"
    records = [
        (q.findtext("category/text"), q.findtext("info/text") or "")
        for q in root.iter("question")
        if q.get("type") == "category"
    ]
    assert records[:3] == [
        ("$course$/top/Training dynamics", "Questions about how training behaves."),
        ("$course$/top/Training dynamics/Step sizes", "Learning rates and their schedules."),
        (
            "$course$/top/Training dynamics/Step sizes/Warmup and decay",
            "Ramps at the start, decay at the end.",
        ),
    ]
    assert ("$course$/top/Training dynamics/Curvature", "") in records


def test_yaml_keeps_every_setting_and_the_category_descriptions(parsed):
    again = read_bank(_export(parsed, "yaml").text, "yaml", filename="again.yaml")

    assert again.problems == []
    assert again.items == parsed.items
    assert again.categories == parsed.categories


def test_gift_keeps_the_category_path_and_reports_the_settings_it_cannot_hold(parsed, fixture_text):
    exported = _export(parsed, "gift")
    again = read_bank(exported.text, "gift", filename="again.gift")

    assert again.problems == []
    assert [item.get("category") for item in again.items] == [item["category"] for item in parsed.items]
    assert any("combined_feedback, hidden, penalty, weight" in note for note in exported.notes)
    assert any("no category descriptions" in note for note in exported.notes)


def test_gift_category_lines_become_item_categories_below_the_bank(fixture_text):
    parsed = read_bank(fixture_text("categories.gift"), "gift", filename="categories.gift")

    assert parsed.problems == []
    assert parsed.name == "Training dynamics"
    first, second = parsed.items
    assert "category" not in first  # the bank's own category
    assert second["category"] == ["Training dynamics", "Step sizes", "Warmup and decay"]
    again = read_bank(_export(parsed, "gift").text, "gift", filename="again.gift")
    assert again.items == parsed.items


def test_a_slash_inside_a_category_name_round_trips_as_moodles_double_slash(parsed):
    parsed.items[0]["category"] = ["Training dynamics", "Before/after warmup"]
    text = _export(parsed).text

    assert "$course$/top/Training dynamics/Before//after warmup" in text
    again = read_bank(text, "moodle-xml")
    assert again.items[0]["category"] == ["Training dynamics", "Before/after warmup"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("weight", -1, "weight: must be a number from 0"),
        ("weight", True, "weight: must be a number from 0"),
        ("penalty", 1.5, "penalty: must be a number from 0 to 1"),
        ("hidden", "yes", "hidden: must be true or false"),
        ("combined_feedback", {"right": "x"}, "combined_feedback.right: unknown"),
        ("combined_feedback", "well done", "combined_feedback: must be a mapping"),
        ("category", "A/B", "category: must be a list of category names"),
        ("category", ["A", ""], "category[1]: must be a non-empty name"),
    ],
)
def test_broken_settings_are_named_by_field(field, value, message):
    item = {
        "key": "k",
        "kind": "truefalse",
        "stem": "Momentum averages gradients.",
        "explanation": "It does.",
        "answer": True,
        field: value,
    }

    assert any(problem.startswith(message) for problem in validate_item(item))


@pytest.mark.django_db
def test_the_bank_keeps_category_descriptions_through_an_import_and_its_export(fixture_text):
    report = bank_import(text=fixture_text(SETTINGS), fmt="moodle-xml", filename=SETTINGS, bank_slug="dyn")

    assert report.ok, report.problems
    bank = Bank.objects.get(slug="dyn")
    assert bank.categories[1] == {
        "path": ["Training dynamics", "Step sizes"],
        "description": "Learning rates and their schedules.",
    }
    again = read_bank(bank_export(bank=bank, fmt="moodle-xml"), "moodle-xml")
    first = read_bank(fixture_text(SETTINGS), "moodle-xml")
    assert again.categories == first.categories
    assert again.items == first.items


def test_display_options_descent_does_not_copy_are_reported_per_question(fixture_text):
    text = fixture_text(SETTINGS).replace(
        "<answernumbering>abc</answernumbering>",
        "<answernumbering>123</answernumbering><showstandardinstruction>0</showstandardinstruction>",
    )

    notes = read_bank(text, "moodle-xml", filename=SETTINGS).notes

    warm = [note for note in notes if note.startswith(f"{SETTINGS}:15: 'Why warm up'")]
    assert any("<answernumbering>123</answernumbering>" in note for note in warm)
    assert any("<showstandardinstruction>0" in note for note in warm)
    assert any("number of correct responses was left out" in note for note in warm)


def test_images_and_embedded_files_that_cannot_be_kept_are_reported_not_dropped_silently(fixture_text):
    text = fixture_text(SETTINGS).replace(
        "Why ramp the learning rate up over the first steps?",
        "Why ramp up? &lt;img src=&quot;@@PLUGINFILE@@/lr.png&quot; alt=&quot;schedule&quot;&gt;",
    )
    text = text.replace(
        "</questiontext>", '<file name="lr.png" path="/" encoding="base64">iVBORw0K</file></questiontext>', 1
    )
    gift = '::Pic::Which curve? <img src\\="x.png" alt\\="curve"> {T}'

    notes = read_bank(text, "moodle-xml", filename=SETTINGS).notes
    gift_notes = read_bank(gift, "gift", filename="pic.gift").notes

    # Eight characters of base64 are six bytes: not the whole PNG signature, so not an allowed type.
    assert any(
        "'Why warm up'" in note and "questiontext: file 'lr.png' is not one of the allowed types" in note
        for note in notes
    )
    assert any("images are not stored" in note for note in gift_notes)


def test_a_broken_yaml_category_list_is_refused_with_its_line():
    text = """format: descent-bank/1
bank:
  slug: dyn
  name: Dynamics
  categories:
    - path: [Dynamics]
      description: Fine.
    - path: Dynamics/Steps
items: []
"""

    parsed = read_bank(text, "yaml", filename="dyn.yaml")

    (problem,) = parsed.problems
    assert (problem.location.field, problem.location.line) == ("bank.categories[1].path", 8)
    assert "list of category names" in problem.message


def test_a_gift_export_reports_choices_it_cannot_keep_unshuffled(parsed):
    parsed.items[0]["shuffle"] = False

    exported = _export(parsed, "gift")

    assert any("why-warm-up: GIFT cannot keep the choices in order" in note for note in exported.notes)
