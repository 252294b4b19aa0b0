"""Importing Moodle calculated questions through the upload form: the preview names each approximation."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.engine import draw_variant

IMPORT_URL = reverse("quizzes:author_import")

CALCULATED = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="calculated">
    <name><text>Bias correction</text></name>
    <questiontext format="html"><text>Adam with beta1 = {b} after {t} steps divides by what?</text></questiontext>
    <generalfeedback format="html"><text>It divides by 1 - {b}^{t}.</text></generalfeedback>
    <answer fraction="100"><text>1 - pow({b}, {t})</text>
      <tolerance>0.1</tolerance><tolerancetype>3</tolerancetype>
      <correctanswerformat>2</correctanswerformat><correctanswerlength>3</correctanswerlength>
      <feedback format="html"><text></text></feedback></answer>
    <dataset_definitions>
      <dataset_definition><status><text>private</text></status><name><text>b</text></name><type>calculated</type>
        <distribution><text>uniform</text></distribution><minimum><text>0.8</text></minimum>
        <maximum><text>0.9</text></maximum><decimals><text>1</text></decimals><itemcount>2</itemcount>
        <dataset_items><dataset_item><number>1</number><value>0.9</value></dataset_item>
          <dataset_item><number>2</number><value>0.8</value></dataset_item></dataset_items>
        <number_of_items>2</number_of_items></dataset_definition>
      <dataset_definition><status><text>private</text></status><name><text>t</text></name><type>calculated</type>
        <distribution><text>uniform</text></distribution><minimum><text>1</text></minimum>
        <maximum><text>3</text></maximum><decimals><text>0</text></decimals><itemcount>2</itemcount>
        <dataset_items><dataset_item><number>1</number><value>1</value></dataset_item>
          <dataset_item><number>2</number><value>3</value></dataset_item></dataset_items>
        <number_of_items>2</number_of_items></dataset_definition>
    </dataset_definitions>
  </question>
  <question type="calculated">
    <name><text>Rounded step</text></name>
    <questiontext format="html"><text>Round {x}.</text></questiontext>
    <answer fraction="100"><text>round({x})</text><tolerance>0</tolerance><tolerancetype>2</tolerancetype>
      <correctanswerformat>1</correctanswerformat><correctanswerlength>0</correctanswerlength></answer>
    <dataset_definitions>
      <dataset_definition><status><text>private</text></status><name><text>x</text></name><type>calculated</type>
        <distribution><text>uniform</text></distribution><minimum><text>1</text></minimum>
        <maximum><text>2</text></maximum><decimals><text>1</text></decimals><itemcount>1</itemcount>
        <dataset_items><dataset_item><number>1</number><value>1.4</value></dataset_item></dataset_items>
        <number_of_items>1</number_of_items></dataset_definition>
    </dataset_definitions>
  </question>
</quiz>
"""


def _post(client, bank, **extra):
    upload = SimpleUploadedFile("adam.xml", CALCULATED.encode(), content_type="application/xml")
    return client.post(IMPORT_URL, {"file": upload, "fmt": "moodle-xml", "bank": bank.pk, **extra})


def test_the_preview_lists_the_approximated_tolerance_and_the_formula_left_out(instructor_client, bank):
    response = _post(instructor_client, bank)

    preview = response.context["preview"]
    assert (
        preview.summary()
        == "2 questions: 0 exactly as written, 1 with the changes listed below, 1 left out (listed below)."
    )
    (changed,) = preview.changed
    assert (changed.where, changed.title) == ("adam.xml:3", "Bias correction")
    assert len(changed.changes) == 1 and "geometric tolerance 0.1" in changed.changes[0]
    (left_out,) = preview.left_out
    assert (left_out.name, left_out.type, left_out.location.line) == ("Rounded step", "calculated", 26)
    assert "round() has no equivalent" in left_out.reason
    assert "round() has no equivalent" in response.text and "geometric tolerance" in response.text
    assert not bank.items.exists()


def test_confirming_stores_a_template_drawing_only_moodles_value_sets(instructor_client, bank):
    token = _post(instructor_client, bank).context["token"]

    instructor_client.post(IMPORT_URL, {"confirm": token})

    (item,) = bank.items.all()
    data = item.to_dict()
    assert (
        data["kind"] == "calculation"
        and data["stem"] == "Adam with beta1 = {{b}} after {{t}} steps divides by what?"
    )
    drawn = {
        (draw_variant(data, seed).params["b"], draw_variant(data, seed).params["t"]) for seed in range(30)
    }
    assert drawn == {(0.9, 1), (0.8, 3)}


def test_an_imported_template_with_paired_values_and_answer_format_opens_in_the_form_exactly(
    instructor_client, bank
):
    from quizzes.forms.item_editor import form_shows
    from quizzes.forms.kinds import FORMS
    from quizzes.services.item_spec import COMMON_FIELDS

    token = _post(instructor_client, bank).context["token"]
    instructor_client.post(IMPORT_URL, {"confirm": token})
    data = bank.items.get().to_dict()
    spec = {name: value for name, value in data.items() if name not in COMMON_FIELDS}

    assert spec["params"]["b"]["paired"] is True and spec["answer_format"] == {"sigfigs": 3}
    assert form_shows(FORMS["calculation"], spec)
