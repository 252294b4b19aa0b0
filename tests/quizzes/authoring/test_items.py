"""Item create/edit/delete: YAML spec + common fields, validated by the engine, all or nothing."""

import pytest
import yaml
from django.urls import reverse

from quizzes.engine.kinds import handler_for
from quizzes.forms_authoring import KIND_EXAMPLES
from quizzes.models import Item, Topic

CREATE_URL = reverse("quizzes:author_item_create", kwargs={"slug": "optimizers-core"})

VALID_SINGLE = """\
choices:
  - text: It damps oscillation by averaging past gradients
    correct: true
  - text: It sets the learning rate to zero
"""


def item_post(**overrides) -> dict:
    data = {
        "key": "momentum-role",
        "kind": "single",
        "title": "What momentum does",
        "stem": "What is the main job of momentum?",
        "explanation": "The velocity averages recent gradients.",
        "hints": "Think of a heavy ball.\n\n  Oscillating parts cancel.  ",
        "topics": "momentum, brand-new-topic, momentum",
        "difficulty": "2",
        "spec": VALID_SINGLE,
    }
    return data | overrides


def test_new_item_form_starts_from_the_example_for_the_chosen_kind(instructor_client, bank):
    form = instructor_client.get(CREATE_URL, {"kind": "symbolic"}).context["form"]
    assert form.initial["kind"] == "symbolic"
    assert form.initial["spec"] == KIND_EXAMPLES["symbolic"]


@pytest.mark.parametrize("kind", list(KIND_EXAMPLES))
def test_every_kind_example_is_a_mapping_without_common_fields(kind):
    spec = yaml.safe_load(KIND_EXAMPLES[kind]) or {}
    assert isinstance(spec, dict)
    assert spec or not handler_for(kind).fields  # only a kind without fields (description) has none
    assert not {"key", "kind", "stem", "explanation", "topics"} & spec.keys()


def test_valid_item_is_saved_with_its_spec_hints_and_topics(instructor_client, bank):
    response = instructor_client.post(CREATE_URL, item_post())
    item = Item.objects.get(bank=bank, key="momentum-role")
    assert response["Location"] == reverse(
        "quizzes:author_item_preview", kwargs={"slug": "optimizers-core", "key": "momentum-role"}
    )
    assert item.spec == yaml.safe_load(VALID_SINGLE)
    assert item.hints == ["Think of a heavy ball.", "Oscillating parts cancel."]
    assert sorted(item.topics.values_list("slug", flat=True)) == ["brand-new-topic", "momentum"]
    assert Topic.objects.filter(slug="brand-new-topic").exists()


def test_item_the_engine_rejects_is_not_saved_and_every_problem_is_listed(instructor_client, bank):
    two_correct = VALID_SINGLE.replace("to zero\n", "to zero\n    correct: true\n")
    response = instructor_client.post(CREATE_URL, item_post(spec=two_correct))
    assert response.status_code == 400
    assert response.context["problems"]
    assert "Nothing was saved" in response.text
    assert not Item.objects.exists() and not Topic.objects.exists()
    # The author's text comes back as typed, ready to fix.
    assert response.context["form"]["spec"].value() == two_correct


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("choices: [unclosed", "could not be read"),
        ("- just\n- a list\n", "expected a mapping"),
        (VALID_SINGLE + "stem: sneaked in\n", "common field"),
    ],
    ids=["yaml-syntax", "not-a-mapping", "common-field-in-yaml"],
)
def test_unreadable_spec_is_reported_and_nothing_saved(instructor_client, bank, spec, expected):
    response = instructor_client.post(CREATE_URL, item_post(spec=spec))
    assert response.status_code == 400
    assert any(expected in problem for problem in response.context["problems"])
    assert not Item.objects.exists()


def test_bad_common_fields_are_reported(instructor_client, bank):
    response = instructor_client.post(
        CREATE_URL, item_post(key="Not A Slug", topics="ok, Bad Topic", difficulty="9")
    )
    problems = " ".join(response.context["problems"])
    assert "key:" in problems and "topics:" in problems and "difficulty:" in problems
    assert not Item.objects.exists()


def test_a_key_already_used_in_the_bank_is_refused(instructor_client, calculation_item):
    response = instructor_client.post(CREATE_URL, item_post(key="sgd-update-size"))
    assert response.status_code == 400
    assert any("already uses the key" in problem for problem in response.context["problems"])
    calculation_item.refresh_from_db()
    assert calculation_item.kind == "calculation"


def test_edit_form_shows_the_stored_item(instructor_client, calculation_item):
    url = reverse("quizzes:author_item_edit", kwargs={"slug": "optimizers-core", "key": "sgd-update-size"})
    initial = instructor_client.get(url).context["form"].initial
    assert initial["topics"] == "sgd"
    assert initial["hints"] == "Multiply the learning rate by the gradient."
    assert yaml.safe_load(initial["spec"]) == calculation_item.spec


def test_editing_an_item_updates_it_in_place(instructor_client, calculation_item):
    url = reverse("quizzes:author_item_edit", kwargs={"slug": "optimizers-core", "key": "sgd-update-size"})
    form = instructor_client.get(url).context["form"]
    data = {name: form.initial[name] for name in form.fields} | {"key": "sgd-step", "title": "One SGD step"}
    response = instructor_client.post(url, data)
    assert response.status_code == 302
    item = Item.objects.get(pk=calculation_item.pk)
    assert (item.key, item.title, item.spec) == ("sgd-step", "One SGD step", calculation_item.spec)


def test_invalid_edit_leaves_the_item_untouched(instructor_client, calculation_item):
    url = reverse("quizzes:author_item_edit", kwargs={"slug": "optimizers-core", "key": "sgd-update-size"})
    form = instructor_client.get(url).context["form"]
    broken = form.initial["spec"].replace("eta * g", "eta * (g")
    response = instructor_client.post(
        url, {name: form.initial[name] for name in form.fields} | {"spec": broken}
    )
    assert response.status_code == 400 and response.context["problems"]
    calculation_item.refresh_from_db()
    assert calculation_item.spec["answer"] == {"expr": "eta * g"}


def test_deleting_an_item_asks_first(instructor_client, calculation_item):
    url = reverse("quizzes:author_item_delete", kwargs={"slug": "optimizers-core", "key": "sgd-update-size"})
    assert "cannot be undone" in instructor_client.get(url).text
    assert Item.objects.exists()
    instructor_client.post(url)
    assert not Item.objects.exists()


def test_an_answered_item_is_not_deleted_and_the_reason_is_given(instructor_client, answered):
    url = reverse("quizzes:author_item_delete", kwargs={"slug": "optimizers-core", "key": "sgd-update-size"})
    assert "recorded answer" in instructor_client.get(url).text
    response = instructor_client.post(url, follow=True)
    assert Item.objects.filter(key="sgd-update-size").exists()
    assert any("graded work" in str(message) for message in response.context["messages"])
