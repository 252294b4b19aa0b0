"""Validate a bank, import through the upload form (all or nothing), export as downloads."""

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.services import user_create
from quizzes.models import Bank, Item

IMPORT_URL = reverse("quizzes:author_import")

GOOD_BANK = r"""format: descent-bank/1
bank:
  slug: adaptive
  name: Adaptive methods
items:
  - key: adam-bias
    kind: truefalse
    stem: Adam's bias correction matters most in the first steps.
    explanation: It divides by $1-\beta^t$, far from 1 only while $t$ is small.
    topics: [adam, bias-correction]
    answer: true
  - key: ema-window
    kind: numeric
    stem: About how many recent gradients does an average with $\beta = 0.9$ remember?
    explanation: Roughly $1/(1-\beta) = 10$.
    answer: 10
    tolerance: {mode: relative, value: 0.001}
"""


def upload(text: str, name: str = "adaptive.yaml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="application/yaml")


def import_confirmed(client, data):
    """Post the file, check that a preview (and nothing else) came back, then confirm it."""
    preview = client.post(IMPORT_URL, data)
    assert preview.status_code == 200 and preview.context["preview"] is not None, preview.context["report"]
    assert preview.context["report"] is None
    return client.post(IMPORT_URL, {"confirm": preview.context["token"]})


def test_validate_page_says_so_when_there_are_no_problems(instructor_client, calculation_item):
    response = instructor_client.get(
        reverse("quizzes:author_bank_validate", kwargs={"slug": "optimizers-core"})
    )
    assert response.context["problems"] == []
    assert "No problems" in response.text


def test_validate_page_lists_each_problem_with_its_location(instructor_client, bank):
    Item.objects.create(bank=bank, key="no-answer", kind="truefalse", stem="S", explanation="E", spec={})
    response = instructor_client.get(
        reverse("quizzes:author_bank_validate", kwargs={"slug": "optimizers-core"})
    )
    problems = response.context["problems"]
    assert problems
    assert all("no-answer" in str(problem.location) for problem in problems)
    assert "no-answer" in response.text


def test_importing_an_uploaded_file_creates_the_bank_and_reports_counts(instructor_client, instructor):
    response = import_confirmed(
        instructor_client, {"file": upload(GOOD_BANK), "fmt": "yaml", "replace": "on"}
    )
    report = response.context["report"]
    assert response.status_code == 200
    assert report.ok and (report.created, report.updated, report.deleted) == (2, 0, 0)
    bank = Bank.objects.get(slug="adaptive")
    assert sorted(bank.items.values_list("key", flat=True)) == ["adam-bias", "ema-window"]
    assert "2</strong> created" in response.text


def test_pasted_text_into_a_chosen_bank(instructor_client, bank):
    data = {"text": GOOD_BANK, "fmt": "yaml", "bank": bank.pk, "replace": "on"}
    report = import_confirmed(instructor_client, data).context["report"]
    assert report.ok
    assert bank.items.count() == 2
    assert not Bank.objects.filter(slug="adaptive").exists()


def test_a_file_with_one_broken_item_imports_nothing_and_lists_the_problem(
    instructor_client, calculation_item
):
    broken = GOOD_BANK.replace("    answer: 10\n", "") + "  - key: Bad Key\n    kind: numeric\n"
    response = instructor_client.post(
        IMPORT_URL, {"file": upload(broken), "fmt": "yaml", "bank": calculation_item.bank.pk, "replace": "on"}
    )
    report = response.context["report"]
    assert response.status_code == 400
    assert not report.ok and len(report.problems) >= 2
    assert "Nothing was imported" in response.text
    for problem in report.problems:
        assert str(problem.location) in response.text
    assert list(Item.objects.values_list("key", flat=True)) == ["sgd-update-size"]


def test_import_form_wants_exactly_one_source(instructor_client, db):
    neither = instructor_client.post(IMPORT_URL, {"fmt": "yaml"})
    both = instructor_client.post(IMPORT_URL, {"file": upload(GOOD_BANK), "text": GOOD_BANK, "fmt": "yaml"})
    for response in (neither, both):
        assert response.context["report"] is None
        assert response.context["form"].non_field_errors()
    assert not Bank.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_with_a_reason(instructor_client, db):
    latin1 = SimpleUploadedFile("bank.yaml", "name: Mom\xe9ntum".encode("latin-1"))
    response = instructor_client.post(IMPORT_URL, {"file": latin1, "fmt": "yaml"})
    assert "not UTF-8" in " ".join(response.context["form"].non_field_errors())
    assert not Bank.objects.exists()


def export(client, fmt: str):
    return client.get(reverse("quizzes:author_bank_export", kwargs={"slug": "optimizers-core"}), {"fmt": fmt})


def test_yaml_export_is_a_download_that_imports_back(instructor_client, calculation_item):
    response = export(instructor_client, "yaml")
    assert response["Content-Disposition"] == 'attachment; filename="optimizers-core.yaml"'
    exported = yaml.safe_load(response.content)
    assert [item["key"] for item in exported["items"]] == ["sgd-update-size"]
    assert exported["items"][0]["answer"] == {"expr": "eta * g"}


def test_foreign_format_exports_are_downloads(instructor_client, truefalse_item):
    for fmt, filename in (("moodle-xml", "optimizers-core.moodle.xml"), ("gift", "optimizers-core.gift.txt")):
        response = export(instructor_client, fmt)
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
        assert response.content


def test_export_page_says_what_each_format_leaves_out(instructor_client, table_item, truefalse_item):
    response = export(instructor_client, "")
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    left_out = {row["fmt"]: [skip.name for skip in row["skipped"]] for row in response.context["rows"]}
    assert left_out["yaml"] == []
    assert "momentum-table" in left_out["gift"] and "bias-correction-late" not in left_out["gift"]


MOODLE_WITH_AN_ESSAY = """\
<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="truefalse">
    <name><text>Momentum damps zig-zags</text></name>
    <questiontext format="markdown"><text>Momentum damps oscillation across a narrow valley.</text></questiontext>
    <generalfeedback format="markdown"><text>Alternating components cancel in the velocity.</text></generalfeedback>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
  <question type="gapselect">
    <name><text>Describe Adam in your words</text></name>
    <questiontext format="html"><text>Explain Adam.</text></questiontext>
  </question>
</quiz>
"""


def test_moodle_import_names_the_questions_it_skipped(instructor_client, bank):
    data = {"file": upload(MOODLE_WITH_AN_ESSAY, "week1.xml"), "fmt": "moodle-xml", "bank": bank.pk}
    response = import_confirmed(instructor_client, data)
    report = response.context["report"]
    assert report.ok and report.created == 1
    assert [(skip.name, skip.type) for skip in report.skipped] == [
        ("Describe Adam in your words", "gapselect")
    ]
    assert "Describe Adam in your words" in response.text and "<code>gapselect</code>" in response.text
    assert list(bank.items.values_list("kind", flat=True)) == ["truefalse"]


def test_the_format_is_told_from_the_file_name_when_asked(instructor_client, bank):
    data = {"file": upload(MOODLE_WITH_AN_ESSAY, "week1.xml"), "fmt": "detect", "bank": bank.pk}
    assert import_confirmed(instructor_client, data).context["report"].created == 1
    pasted = instructor_client.post(IMPORT_URL, {"text": GOOD_BANK, "fmt": "detect"})
    assert pasted.context["report"] is None
    assert "Choose the format" in " ".join(pasted.context["form"].non_field_errors())


MOODLE_WITH_CHANGES = """\
<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="truefalse">
    <name><text>Momentum damps zig-zags</text></name>
    <questiontext format="markdown"><text>Momentum damps oscillation across a narrow valley.</text></questiontext>
    <generalfeedback format="markdown"><text>Alternating components cancel in the velocity.</text></generalfeedback>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
  <question type="truefalse">
    <name><text>Adam needs no learning rate</text></name>
    <questiontext format="markdown"><text>Adam needs no learning rate.</text></questiontext>
    <answer fraction="0"><text>true</text></answer>
    <answer fraction="100"><text>false</text></answer>
  </question>
  <question type="gapselect">
    <name><text>Describe Adam in your words</text></name>
    <questiontext format="html"><text>Adam keeps [[1]] moving averages.</text></questiontext>
  </question>
</quiz>
"""


def test_the_preview_counts_questions_lists_changes_with_their_line_and_writes_nothing(
    instructor_client, bank
):
    data = {"file": upload(MOODLE_WITH_CHANGES, "week2.xml"), "fmt": "moodle-xml", "bank": bank.pk}

    response = instructor_client.post(IMPORT_URL, data)

    preview = response.context["preview"]
    assert (
        preview.summary()
        == "3 questions: 1 exactly as written, 1 with the changes listed below, 1 left out (listed below)."
    )
    (changed,) = preview.changed
    assert (changed.where, changed.title) == ("week2.xml:10", "Adam needs no learning rate")
    assert changed.changes == ["no general feedback; the explanation states the correct answer"]
    assert [(skip.name, skip.location.line) for skip in preview.left_out] == [
        ("Describe Adam in your words", 16)
    ]
    assert "3 questions: 1 exactly as written" in response.text and "week2.xml:10" in response.text
    assert not bank.items.exists()


def test_confirming_imports_the_previewed_file_once_and_leaves_out_the_unsupported_question(
    instructor_client, bank
):
    data = {"file": upload(MOODLE_WITH_CHANGES, "week2.xml"), "fmt": "moodle-xml", "bank": bank.pk}
    token = instructor_client.post(IMPORT_URL, data).context["token"]

    confirmed = instructor_client.post(IMPORT_URL, {"confirm": token})
    again = instructor_client.post(IMPORT_URL, {"confirm": token})

    assert confirmed.context["report"].created == 2
    assert sorted(bank.items.values_list("title", flat=True)) == [
        "Adam needs no learning rate",
        "Momentum damps zig-zags",
    ]
    assert again.status_code == 400 and again.context["expired"] and "expired" in again.text


def test_another_instructor_cannot_confirm_someone_elses_preview(instructor_client, bank):
    data = {"file": upload(MOODLE_WITH_CHANGES, "week2.xml"), "fmt": "moodle-xml", "bank": bank.pk}
    token = instructor_client.post(IMPORT_URL, data).context["token"]
    other = Client()
    other.force_login(user_create(username="otto", password="pass-word-123", instructor=True))

    response = other.post(IMPORT_URL, {"confirm": token})

    assert response.status_code == 400 and response.context["expired"]
    assert not bank.items.exists()


def test_a_file_over_the_size_limit_is_refused_before_reading(instructor_client, bank, settings):
    settings.BANK_IMPORT_MAX_BYTES = 1000
    data = {"file": upload(GOOD_BANK * 3), "fmt": "yaml", "bank": bank.pk}

    response = instructor_client.post(IMPORT_URL, data)

    assert "more than the 1 KB" in " ".join(response.context["form"].non_field_errors())
    assert not bank.items.exists()


def test_the_preview_names_the_bank_items_a_replacing_import_would_delete(
    instructor_client, bank, truefalse_item
):
    data = {"text": GOOD_BANK, "fmt": "yaml", "bank": bank.pk, "replace": "on"}

    response = instructor_client.post(IMPORT_URL, data)

    assert response.context["preview"].removed == [truefalse_item.key]
    assert f"<code>{truefalse_item.key}</code>" in response.text
    assert bank.items.filter(key=truefalse_item.key).exists()
