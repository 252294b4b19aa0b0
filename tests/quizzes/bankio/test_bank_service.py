"""The import service: all or nothing, upserts by key, replace semantics, export and re-validation."""

import pytest

from quizzes.bankio.yaml_format import parse_yaml
from quizzes.models import Attempt, AttemptItem, Bank, Item, Quiz, Topic
from quizzes.services.banks import bank_export, bank_import, bank_validate, calculation_variant_problems

pytestmark = pytest.mark.django_db


def _import(text, **kwargs):
    return bank_import(
        text=text, fmt=kwargs.pop("fmt", "yaml"), filename=kwargs.pop("filename", "bank.yaml"), **kwargs
    )


def _snapshot():
    """Everything an import could change, to prove a failed one changed nothing."""
    return (
        list(Bank.objects.values_list("slug", "name", "description")),
        list(Item.objects.order_by("id").values_list("key", "kind", "stem", "spec", "position")),
        sorted(Topic.objects.values_list("slug", flat=True)),
    )


def test_a_valid_file_creates_the_bank_its_items_and_new_topics(fixture_text, instructor):
    report = _import(fixture_text("small.yaml"), owner=instructor)

    assert report.ok, report.problems
    assert (report.created, report.updated, report.deleted) == (3, 0, 0)
    bank = Bank.objects.get(slug="fixture-small")
    assert bank.owner == instructor and bank.description == "Three items for import tests."
    assert list(bank.items.values_list("key", "position")) == [
        ("momentum-sum", 0),
        ("sgd-step", 1),
        ("sgd-template", 2),
    ]
    sgd_step = bank.items.get(key="sgd-step")
    assert sgd_step.spec == {"answer": 0.02, "tolerance": {"mode": "relative", "value": 0.001}}
    assert sgd_step.difficulty == 1
    assert Topic.objects.get(slug="brand-new-topic").name == "Brand new topic"


def test_one_broken_item_imports_nothing_and_every_problem_is_located(fixture_text):
    _import(fixture_text("small.yaml").replace("fixture-small", "fixture-broken"))
    before = _snapshot()

    report = _import(fixture_text("broken.yaml"), filename="broken.yaml")

    assert not report.ok
    assert (report.created, report.updated, report.deleted) == (0, 0, 0)
    assert {problem.location.item_key for problem in report.problems} == {
        "too-hard", "no-explanation", "fine-item", "two-right-answers",
    }  # fmt: skip
    assert all(
        problem.location.file == "broken.yaml" and problem.location.line for problem in report.problems
    )
    assert _snapshot() == before  # the existing bank with the same slug is untouched
    assert "Nothing imported" in report.summary()


def test_a_broken_file_creates_no_bank(fixture_text):
    report = _import(fixture_text("broken.yaml"))

    assert not report.ok
    assert not Bank.objects.exists() and not Item.objects.exists()


def test_reimport_updates_by_key_and_deletes_items_missing_from_the_file(fixture_text):
    _import(fixture_text("small.yaml"))
    first_ids = dict(Item.objects.values_list("key", "id"))
    edited = fixture_text("small.yaml").replace("how far does one SGD step move?", "what is the step?")
    edited = edited[: edited.index("  - key: sgd-template")]

    report = _import(edited)

    assert (report.created, report.updated, report.deleted) == (0, 2, 1)
    assert dict(Item.objects.values_list("key", "id")) == {
        k: first_ids[k] for k in ("momentum-sum", "sgd-step")
    }
    assert Item.objects.get(key="sgd-step").stem.endswith("what is the step?")


def test_items_used_by_attempts_are_kept_and_reported_instead_of_deleted(fixture_text, student):
    _import(fixture_text("small.yaml"))
    used = Item.objects.get(key="momentum-sum")
    quiz = Quiz.objects.create(slug="q", title="Q")
    attempt = Attempt.objects.create(quiz=quiz, student=student, number=1)
    AttemptItem.objects.create(attempt=attempt, item=used, position=0, seed=1)
    text = fixture_text("small.yaml")
    only_sgd_step = text[: text.index("  - key: momentum-sum")] + text[text.index("  - key: sgd-step") :]
    only_sgd_step = only_sgd_step[: only_sgd_step.index("  - key: sgd-template")]

    report = _import(only_sgd_step)

    assert report.ok
    assert report.deleted == 1 and report.kept == ["momentum-sum"]
    assert "kept because attempts use them" in report.summary()
    assert list(Item.objects.order_by("position").values_list("key", flat=True)) == [
        "sgd-step",
        "momentum-sum",
    ]


def test_without_replace_items_missing_from_the_file_stay_first(fixture_text):
    _import(fixture_text("small.yaml"))
    text = fixture_text("small.yaml")
    only_template = text[: text.index("  - key: momentum-sum")] + text[text.index("  - key: sgd-template") :]

    report = _import(only_template, replace=False)

    assert (report.created, report.updated, report.deleted) == (0, 1, 0)
    assert list(Item.objects.order_by("position").values_list("key", flat=True)) == [
        "momentum-sum", "sgd-step", "sgd-template",
    ]  # fmt: skip


def test_bank_slug_argument_overrides_the_file(fixture_text):
    report = _import(fixture_text("small.yaml"), bank_slug="other-bank")

    assert report.ok and report.bank == "other-bank"
    assert Bank.objects.get().slug == "other-bank"


def test_an_invalid_target_slug_is_a_problem(fixture_text):
    report = _import(fixture_text("small.yaml"), bank_slug="Not a slug")

    assert not report.ok and not Bank.objects.exists()


def test_moodle_import_reports_skipped_questions_and_imports_the_rest(fixture_text):
    report = _import(fixture_text("moodle_all.xml"), fmt="moodle-xml", filename="moodle_all.xml")

    assert report.ok, report.problems
    assert report.bank == "moodle-all" and report.created == 7
    assert {entry.name for entry in report.skipped} == {"Explain warmup", "Match the symbols", "Random step"}
    assert Bank.objects.get().name == "Optimizer basics"


def test_a_foreign_file_with_nothing_importable_does_not_wipe_the_bank(fixture_text):
    _import(fixture_text("small.yaml"))
    only_unsupported = (
        '<quiz><question type="gapselect"><name><text>Pick words</text></name>'
        "<questiontext><text>[[1]] helps.</text></questiontext></question></quiz>"
    )

    report = _import(only_unsupported, fmt="moodle-xml", filename="x.xml", bank_slug="fixture-small")

    assert not report.ok and report.skipped
    assert Item.objects.count() == 3


def test_gift_import_through_the_service(fixture_text):
    report = _import(fixture_text("questions.gift"), fmt="gift", filename="questions.gift")

    assert report.ok and report.created == 9 and report.skipped == []


def test_every_kind_exports_from_the_database_losslessly(fixture_text):
    # Stored directly (not imported) so this holds whatever kinds the engine accepts today.
    original = parse_yaml(fixture_text("all_kinds.yaml"))
    bank = Bank.objects.create(slug=original.slug, name=original.name, description=original.description)
    for position, data in enumerate(original.items):
        common = {"key", "kind", "title", "stem", "explanation", "hints", "difficulty", "topics"}
        item = Item.objects.create(
            bank=bank,
            position=position,
            spec={name: value for name, value in data.items() if name not in common},
            **{name: data[name] for name in common - {"topics"}},
        )
        item.topics.set(
            [Topic.objects.get_or_create(slug=slug, defaults={"name": slug})[0] for slug in data["topics"]]
        )

    again = parse_yaml(bank_export(bank=bank, fmt="yaml"))

    assert again.problems == []
    # Item.topics is a many-to-many without an order, so topics come back sorted by slug.
    assert again.items == [{**item, "topics": sorted(item["topics"])} for item in original.items]


def test_import_then_export_then_import_is_a_fixed_point(fixture_text):
    _import(fixture_text("small.yaml"))
    exported = bank_export(bank=Bank.objects.get(), fmt="yaml")

    report = _import(exported)

    assert report.ok and (report.created, report.updated, report.deleted) == (0, 3, 0)
    assert bank_export(bank=Bank.objects.get(), fmt="yaml") == exported


def test_unknown_export_format_is_refused(fixture_text):
    _import(fixture_text("small.yaml"))

    with pytest.raises(ValueError, match="unknown bank format"):
        bank_export(bank=Bank.objects.get(), fmt="docx")


def test_validate_passes_a_good_bank_and_exercises_calculation_variants(fixture_text):
    _import(fixture_text("small.yaml"))

    assert bank_validate(bank=Bank.objects.get()) == []


def test_validate_finds_a_stored_item_that_went_bad(fixture_text):
    _import(fixture_text("small.yaml"))
    Item.objects.filter(key="momentum-sum").update(explanation="")
    Item.objects.filter(key="sgd-template").update(
        spec={"params": {"g": {"min": 2, "max": 9}}, "answer": {"expr": "1/(g-g)"}}
    )

    problems = bank_validate(bank=Bank.objects.get())

    keys = {problem.location.item_key for problem in problems}
    assert keys == {"momentum-sum", "sgd-template"}
    assert all(problem.location.file == "fixture-small" for problem in problems)


def test_variant_check_reports_a_template_that_breaks_for_some_drawn_values():
    item = {
        "key": "pole", "kind": "calculation", "title": "", "topics": [], "difficulty": 2, "hints": [],
        "stem": "With $g = {{g}}$, compute $1/(g-5)$.", "explanation": "It is {{answer}}.",
        "params": {"g": {"choices": [4, 5, 6]}}, "answer": {"expr": "1/(g-5)"},
        "tolerance": {"mode": "relative", "value": 1e-6},
    }  # fmt: skip
    healthy = {**item, "answer": {"expr": "1/(g+5)"}}

    problems = calculation_variant_problems(item, bank_slug="b", index=3)

    assert len(problems) == 1
    assert (problems[0].location.item_key, problems[0].location.field) == ("pole", "answer")
    assert "variant with seed" in problems[0].message
    assert calculation_variant_problems(healthy, bank_slug="b") == []


def test_a_foreign_file_adds_to_an_existing_bank_without_renaming_it(fixture_text):
    _import(fixture_text("small.yaml"))

    report = _import(
        fixture_text("questions.gift"),
        fmt="gift",
        filename="q.gift",
        bank_slug="fixture-small",
        replace=False,
    )

    assert report.ok and report.created == 9
    bank = Bank.objects.get()
    assert (bank.name, bank.description) == ("A small bank", "Three items for import tests.")
    assert bank.items.count() == 12


def test_a_foreign_file_without_a_bank_name_or_filename_asks_for_a_target():
    report = bank_import(text="::Q::SGD has one step size. {T}", fmt="gift")

    assert not report.ok
    assert "give the target bank's slug" in report.problems[0].message
