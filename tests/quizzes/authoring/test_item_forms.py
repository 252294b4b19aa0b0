"""Items authored through each kind's form: the same stored item as the YAML path, errors at their
fields, the YAML tab both ways, the unsaved preview, and the same permissions as the YAML form."""

import re

import pytest
import yaml
from django.urls import reverse

from quizzes.engine.expressions import AUTHOR_FUNCTIONS, STUDENT_FUNCTIONS
from quizzes.engine.kinds import HANDLERS
from quizzes.forms.item_editor import form_shows
from quizzes.forms.kinds import FORMS
from quizzes.models import BankShare, Item, ShareRole
from quizzes.services.item_spec import spec_as_yaml

CREATE_URL = reverse("quizzes:author_item_create", kwargs={"slug": "optimizers-core"})


def rows(prefix: str, entries: list[dict], *, blank: int = 2) -> dict:
    """A formset as a browser posts it: the filled rows, then `blank` empty ones."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(entries) + blank), f"{prefix}-INITIAL_FORMS": "0"}
    for index, entry in enumerate(entries):
        data |= {f"{prefix}-{index}-{name}": value for name, value in entry.items()}
    return data


STEMS = {
    "calculation": "With $\\eta = {{eta}}$, a stem.",
    "cloze": "A step is $\\eta g$ = {1:NUMERICAL:=0.02:0.001#Right} for $\\eta = 0.01$, $g = 2$.",
}


def common(key: str, kind: str) -> dict:
    return {
        "key": key,
        "kind": kind,
        "title": "A title",
        "stem": STEMS.get(kind, "A stem with $\\eta$."),
        "explanation": "Because.",
        "hints": "First hint.\nSecond hint.",
        "topics": "momentum, sgd",
        "difficulty": "3",
    }


def spec(**fields) -> dict:
    return {f"spec-{name}": value for name, value in fields.items()}


# For each kind: what an author types into the form, and the same item written in YAML.
CASES = {
    "single": (
        rows(
            "choices",
            [
                {"text": "It damps oscillation", "correct": "on", "feedback": "Yes."},
                {"text": "It sets the rate to zero", "fraction": "0.25", "feedback": "Partly."},
                {"text": "It doubles the rate"},
            ],
        )
        | spec(shuffle="false"),
        """\
choices:
  - text: It damps oscillation
    correct: true
    feedback: Yes.
  - text: It sets the rate to zero
    fraction: 0.25
    feedback: Partly.
  - text: It doubles the rate
shuffle: false
""",
    ),
    "multiple": (
        rows(
            "choices",
            [
                {"text": "A first moment", "correct": "on", "fraction": "0.5"},
                {"text": "A second moment", "correct": "on", "fraction": "0.5"},
                {"text": "No learning rate", "fraction": "-0.5", "feedback": "It has one."},
            ],
        )
        | spec(scoring="fractions"),
        """\
choices:
  - {text: A first moment, correct: true, fraction: 0.5}
  - {text: A second moment, correct: true, fraction: 0.5}
  - {text: No learning rate, fraction: -0.5, feedback: It has one.}
scoring: fractions
""",
    ),
    "truefalse": (
        spec(answer="false", feedback_true="It is near 1 late.", feedback_false="Right."),
        "answer: false\nfeedback_true: It is near 1 late.\nfeedback_false: Right.\n",
    ),
    "ordering": (
        rows(
            "steps",
            [{"text": "Check the logs"}, {"text": "Tune the learning rate"}, {"text": "Add a schedule"}],
        ),
        "steps: [Check the logs, Tune the learning rate, Add a schedule]\n",
    ),
    "numeric": (
        spec(answer="10", tolerance_mode="relative", tolerance_value="1e-3", units="steps")
        | rows("misconceptions", [{"answer": "0.9", "feedback": "That is beta itself."}]),
        """\
answer: 10
tolerance: {mode: relative, value: 1e-3}
units: steps
misconceptions:
  - {answer: 0.9, feedback: That is beta itself.}
""",
    ),
    "calculation": (
        rows(
            "params",
            [
                {"name": "eta", "choices": "0.1, 0.01, 0.001"},
                {"name": "g", "min": "5", "max": "50", "step": "1"},
            ],
        )
        | spec(
            answer_expr="eta * g",
            tolerance_mode="relative",
            tolerance_value="1e-6",
            constraints="eta * g < 1",
        )
        | rows(
            "misconceptions",
            [
                {"expr": "g / eta", "feedback": "That divides."},
                {"calc": "optimizer_step", "args": "optimizer: sgd\nstart: 3", "feedback": "A step from 3."},
            ],
        ),
        """\
params:
  eta: {choices: [0.1, 0.01, 0.001]}
  g: {min: 5, max: 50, step: 1}
answer: {expr: eta * g}
tolerance: {mode: relative, value: 1e-6}
constraints: ["eta * g < 1"]
misconceptions:
  - answer: {expr: g / eta}
    feedback: That divides.
  - answer: {calc: optimizer_step, args: {optimizer: sgd, start: 3}}
    feedback: A step from 3.
""",
    ),
    "symbolic": (
        spec(symbols="beta, eta, g0, g1", answer="beta*eta*g0 + eta*g1")
        | rows("misconceptions", [{"answer": "eta*(g0 + g1)", "feedback": "Discount the older one."}]),
        """\
symbols: [beta, eta, g0, g1]
answer: beta*eta*g0 + eta*g1
misconceptions:
  - {answer: eta*(g0 + g1), feedback: Discount the older one.}
""",
    ),
    "table": (
        spec(
            table_calc="momentum_table",
            table_args="optimizer: momentum-lr-inside\nproblem: parabola\ntheta0: 10\nlr: 0.1\nbeta: 0.9",
            table_rows="2",
            table_columns="m, theta",
            tolerance_mode="absolute",
            tolerance_value="0.005",
        ),
        """\
table:
  calc: momentum_table
  args: {optimizer: momentum-lr-inside, problem: parabola, theta0: 10, lr: 0.1, beta: 0.9}
  rows: 2
  columns: [m, theta]
tolerance: {mode: absolute, value: 0.005}
""",
    ),
    "shortanswer": (
        rows(
            "answers",
            [{"text": "RMSProp"}, {"text": "AdaGrad", "fraction": "0.25", "feedback": "Close."}],
        )
        | spec(case_sensitive="true"),
        """\
answers:
  - text: RMSProp
  - {text: AdaGrad, fraction: 0.25, feedback: Close.}
case_sensitive: true
""",
    ),
    "matching": (
        rows(
            "pairs",
            [
                {"prompt": "Momentum", "answer": "A decaying sum"},
                {"prompt": "RMSProp", "answer": "A squared average"},
            ],
        )
        | spec(distractors="A doubling rate\nA constant", shuffle="false"),
        """\
pairs:
  - {prompt: Momentum, answer: A decaying sum}
  - {prompt: RMSProp, answer: A squared average}
distractors: [A doubling rate, A constant]
shuffle: false
""",
    ),
    "description": ({}, ""),
    "cloze": ({}, ""),
    "essay": (
        spec(
            grader_info="Full marks: names the squared-gradient average.",
            response_format="monospaced",
            response_lines="6",
            min_words="20",
            max_words="300",
        ),
        """\
grader_info: 'Full marks: names the squared-gradient average.'
response_format: monospaced
response_lines: 6
min_words: 20
max_words: 300
""",
    ),
}


def fields_post(key: str, kind: str, kind_data: dict, **extra) -> dict:
    return common(key, kind) | {"mode": "fields", "fields_kind": kind} | kind_data | extra


def stored(key: str) -> dict:
    item = Item.objects.get(key=key).to_dict()
    return {name: value for name, value in item.items() if name != "key"}


def test_every_kind_has_a_form_and_a_case_here():
    assert set(FORMS) == {kind.value for kind in HANDLERS} == set(CASES)


@pytest.mark.parametrize("kind", list(CASES))
def test_an_item_made_with_the_form_is_stored_as_the_yaml_path_stores_it(instructor_client, bank, kind):
    kind_data, yaml_text = CASES[kind]
    by_form = instructor_client.post(CREATE_URL, fields_post("by-form", kind, kind_data))
    assert by_form.status_code == 302, by_form.context["problems"]
    by_yaml = instructor_client.post(CREATE_URL, common("by-yaml", kind) | {"spec": yaml_text})
    assert by_yaml.status_code == 302, by_yaml.context["problems"]
    assert stored("by-form") == stored("by-yaml")
    assert Item.objects.get(key="by-form").spec == (yaml.safe_load(yaml_text) or {})
    # The version snapshot is the same dict: one storage and versioning path.
    assert Item.objects.get(key="by-form").versions.get().data | {"key": "by-yaml"} == (
        Item.objects.get(key="by-yaml").versions.get().data
    )


@pytest.mark.parametrize("kind", list(CASES))
def test_an_item_saved_as_yaml_opens_in_the_form_and_saves_back_unchanged(instructor_client, bank, kind):
    kind_data, yaml_text = CASES[kind]
    instructor_client.post(CREATE_URL, common("round-trip", kind) | {"spec": yaml_text})
    before = stored("round-trip")
    edit_url = reverse("quizzes:author_item_edit", kwargs={"slug": bank.slug, "key": "round-trip"})
    editor = instructor_client.get(edit_url).context["editor"]
    assert editor.mode == "fields"
    # Post the form exactly as the page shows it.
    shown = {
        **common("round-trip", kind),
        "mode": "fields",
        "fields_kind": kind,
        **editor.kind_form.as_data(),
    }
    shown["item-siblings"] = ", ".join(editor.extras.initial.get("siblings", []))
    response = instructor_client.post(edit_url, shown)
    assert response.status_code == 302
    assert stored("round-trip") == before
    assert Item.objects.get(key="round-trip").versions.count() == 1  # nothing changed, no new version


@pytest.mark.parametrize("kind", [kind for kind in CASES if kind not in {"description", "cloze"}])
def test_the_yaml_tab_shows_what_the_form_holds_and_the_form_tab_reads_it_back(instructor_client, bank, kind):
    kind_data, yaml_text = CASES[kind]
    to_yaml = instructor_client.post(CREATE_URL, fields_post("tabs", kind, kind_data, action="to_yaml"))
    assert to_yaml.status_code == 200 and not Item.objects.exists()
    assert to_yaml.context["editor"].mode == "yaml"
    shown_yaml = to_yaml.context["form"]["spec"].value()
    assert shown_yaml == spec_as_yaml(yaml.safe_load(yaml_text))
    assert to_yaml.context["form"]["stem"].value() == common("tabs", kind)["stem"]
    back = instructor_client.post(
        CREATE_URL, common("tabs", kind) | {"spec": shown_yaml, "action": "to_fields"}
    )
    editor = back.context["editor"]
    assert editor.mode == "fields"
    assert type(editor.kind_form)(_posted(editor.kind_form.as_data())).is_valid()
    posted = type(editor.kind_form)(_posted(editor.kind_form.as_data()))
    posted.is_valid()
    assert posted.spec() == yaml.safe_load(yaml_text)


def _posted(data):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for name, value in data.items():
        query[name] = value
    return query


def test_every_demo_item_opens_in_the_form_exactly():
    from pathlib import Path

    from quizzes.services.item_spec import COMMON_FIELDS

    banks = sorted((Path(__file__).resolve().parents[3] / "content" / "banks").glob("*.yaml"))
    assert banks
    refused = []
    for path in banks:
        for item in yaml.safe_load(path.read_text())["items"]:
            item_spec = {name: value for name, value in item.items() if name not in COMMON_FIELDS}
            if not form_shows(FORMS[item["kind"]], item_spec):
                refused.append(item["key"])
    assert refused == []


def test_a_spec_the_form_cannot_show_opens_as_yaml_and_says_why(instructor_client, bank):
    Item.objects.create(
        bank=bank,
        key="with-ids",
        kind="single",
        stem="Pick.",
        explanation="Because.",
        spec={"choices": [{"text": "A", "correct": True, "id": "a"}, {"text": "B", "id": "b"}]},
    )
    response = instructor_client.get(
        reverse("quizzes:author_item_edit", kwargs={"slug": bank.slug, "key": "with-ids"})
    )
    assert response.context["editor"].mode == "yaml"
    assert "cannot show exactly" in response.text
    assert "id: a" in response.context["form"]["spec"].value()


def errors_of(response, row_set=None, row=None):
    kind_form = response.context["editor"].kind_form
    if row_set is None:
        return kind_form.main.errors
    return kind_form.formsets[row_set].forms[row].errors


def test_a_tolerance_the_engine_refuses_is_shown_at_the_tolerance_and_nothing_is_lost(
    instructor_client, bank
):
    kind_data, _ = CASES["numeric"]
    data = fields_post("bad-tolerance", "numeric", kind_data | spec(tolerance_value="-1"))
    response = instructor_client.post(CREATE_URL, data)
    assert response.status_code == 400 and not Item.objects.exists()
    assert "tolerance_value" in errors_of(response)
    assert response.context["editor"].unplaced == []
    # Everything typed comes back.
    form = response.context["editor"].kind_form
    assert form.main["tolerance_value"].value() == "-1"
    assert form.main["units"].value() == "steps"
    assert form.formsets["misconceptions"].forms[0]["feedback"].value() == "That is beta itself."
    assert response.context["form"]["stem"].value() == data["stem"]


def test_a_bad_fraction_is_shown_on_its_own_choice_row(instructor_client, bank):
    kind_data = rows(
        "choices",
        [{"text": ""}, {"text": "Right", "correct": "on"}, {"text": "Wrong", "fraction": "2"}],
    )
    response = instructor_client.post(CREATE_URL, fields_post("bad-fraction", "single", kind_data))
    assert response.status_code == 400
    # The blank first row was dropped, so the engine's choices[1] is the form's third row.
    assert "fraction" in errors_of(response, "choices", 2)
    assert "-1 to 1" in str(errors_of(response, "choices", 2)["fraction"])
    assert not errors_of(response, "choices", 1)


def test_a_function_outside_the_whitelist_is_refused_at_the_formula_which_lists_the_allowed_ones(
    instructor_client, bank
):
    kind_data, _ = CASES["calculation"]
    response = instructor_client.post(
        CREATE_URL, fields_post("uses-sign", "calculation", kind_data | spec(answer_expr="sign(g) * eta"))
    )
    assert response.status_code == 400
    assert "answer_expr" in errors_of(response)
    assert all(f"<code>{name}</code>" in response.text for name in AUTHOR_FUNCTIONS)


def test_a_broken_parameter_is_shown_on_its_row(instructor_client, bank):
    kind_data, _ = CASES["calculation"]
    kind_data = kind_data | {"params-1-max": "1"}  # g from 5 to 1
    response = instructor_client.post(CREATE_URL, fields_post("bad-param", "calculation", kind_data))
    assert response.status_code == 400
    assert errors_of(response, "params", 1)
    assert not errors_of(response, "params", 0)


def test_an_unreadable_number_is_a_form_error_on_its_field(instructor_client, bank):
    kind_data, _ = CASES["calculation"]
    response = instructor_client.post(
        CREATE_URL, fields_post("bad-list", "calculation", kind_data | {"params-0-choices": "[0.1, 0.2"})
    )
    assert response.status_code == 400
    assert "choices" in errors_of(response, "params", 0)


def test_a_common_field_problem_is_shown_at_that_field(instructor_client, bank):
    kind_data, _ = CASES["truefalse"]
    response = instructor_client.post(CREATE_URL, fields_post("Not A Key", "truefalse", kind_data))
    assert response.status_code == 400
    assert "key" in response.context["form"].errors


def test_symbolic_and_calculation_pages_list_the_engines_functions(instructor_client, bank):
    symbolic = instructor_client.get(CREATE_URL, {"kind": "symbolic"}).text
    assert all(f"<code>{name}</code>" in symbolic for name in STUDENT_FUNCTIONS)
    assert "<code>floor</code>" not in symbolic  # an author-only function is not offered to students
    yaml_tab = instructor_client.get(CREATE_URL, {"kind": "calculation", "mode": "yaml"}).text
    assert all(f"<code>{name}</code>" in yaml_tab for name in AUTHOR_FUNCTIONS)


@pytest.mark.parametrize("kind", list(CASES))
def test_a_new_item_of_every_kind_opens_as_its_form_with_the_example(instructor_client, bank, kind):
    response = instructor_client.get(CREATE_URL, {"kind": kind})
    assert response.status_code == 200
    editor = response.context["editor"]
    assert editor.mode == "fields" and editor.kind_form.kind == kind
    assert 'name="fields_kind"' in response.text


def test_preview_draws_a_variant_and_its_key_without_saving(instructor_client, bank):
    kind_data, _ = CASES["calculation"]
    response = instructor_client.post(
        CREATE_URL, fields_post("previewed", "calculation", kind_data, action="preview", preview_seed="4")
    )
    assert response.status_code == 200 and not Item.objects.exists()
    context = response.context
    assert context["previewed"] and context["seed"] == 4
    params = context["variant"]["params"]
    assert context["variant"]["values"]["answer"] == pytest.approx(params["eta"] * params["g"])
    assert "Preview, seed 4" in response.text and "(not saved)" in response.text
    # The form is still filled in.
    assert context["editor"].kind_form.main["answer_expr"].value() == "eta * g"


def test_the_live_preview_gets_the_preview_part_alone(instructor_client, bank):
    kind_data, _ = CASES["single"]
    response = instructor_client.post(
        CREATE_URL, fields_post("live", "single", kind_data, action="preview", fragment="1")
    )
    assert response.status_code == 200
    assert "<form" not in response.text and "It damps oscillation" in response.text


def test_preview_of_a_broken_item_lists_the_problems_and_draws_nothing(instructor_client, bank):
    response = instructor_client.post(
        CREATE_URL, fields_post("broken", "single", rows("choices", [{"text": "Only one"}]), action="preview")
    )
    assert response.status_code == 400
    assert not response.context.get("previewed")


def test_more_rows_adds_blank_rows_and_keeps_what_was_typed(instructor_client, bank):
    kind_data, _ = CASES["ordering"]
    response = instructor_client.post(CREATE_URL, fields_post("more", "ordering", kind_data, action="more"))
    formset = response.context["editor"].kind_form.formsets["steps"]
    assert len(formset.forms) == 3 + 2 + 3
    assert formset.forms[1]["text"].value() == "Tune the learning rate"
    assert not Item.objects.exists()


def test_changing_single_to_multiple_keeps_the_choices(instructor_client, bank):
    kind_data, _ = CASES["single"]
    data = fields_post("switch", "multiple", kind_data) | {"fields_kind": "single"}
    response = instructor_client.post(CREATE_URL, data)
    assert response.status_code == 200 and not Item.objects.exists()
    editor = response.context["editor"]
    assert editor.kind == "multiple" and editor.kind_form.kind == "multiple"
    assert editor.kind_form.formsets["choices"].forms[0]["text"].value() == "It damps oscillation"


def test_a_second_instructor_cannot_edit_the_bank_through_the_form(client, bank, truefalse_item):
    from accounts.services import user_create

    second = user_create(username="otto", password="pass-word-123", instructor=True)
    client.force_login(second)
    kind_data, _ = CASES["truefalse"]
    edit_url = reverse("quizzes:author_item_edit", kwargs={"slug": bank.slug, "key": truefalse_item.key})
    for action in ("save", "preview", "to_yaml"):
        data = fields_post(truefalse_item.key, "truefalse", kind_data, action=action)
        assert client.post(edit_url, data).status_code == 404
        assert client.post(CREATE_URL, data | {"key": "sneaked-in"}).status_code == 404
    assert Item.objects.get(pk=truefalse_item.pk).spec == {"answer": False}
    assert not Item.objects.filter(key="sneaked-in").exists()
    # Sharing as a viewer still does not allow editing.
    BankShare.objects.create(bank=bank, user=second, role=ShareRole.VIEWER)
    assert client.post(edit_url, fields_post(truefalse_item.key, "truefalse", kind_data)).status_code == 404


def test_a_co_author_edits_through_the_form(client, bank, truefalse_item):
    from accounts.services import user_create

    second = user_create(username="otto", password="pass-word-123", instructor=True)
    BankShare.objects.create(bank=bank, user=second, role=ShareRole.EDITOR)
    client.force_login(second)
    edit_url = reverse("quizzes:author_item_edit", kwargs={"slug": bank.slug, "key": truefalse_item.key})
    data = fields_post(truefalse_item.key, "truefalse", spec(answer="true"))
    assert client.post(edit_url, data).status_code == 302
    assert Item.objects.get(pk=truefalse_item.pk).spec == {"answer": True}


def test_a_student_cannot_post_the_form(student_client, bank):
    kind_data, _ = CASES["truefalse"]
    assert (
        student_client.post(CREATE_URL, fields_post("by-student", "truefalse", kind_data)).status_code == 403
    )
    assert not Item.objects.exists()


def test_every_kind_form_field_has_a_label_on_the_page(instructor_client, bank):
    for kind in CASES:
        text = instructor_client.get(CREATE_URL, {"kind": kind}).text
        ids = set(
            re.findall(
                r'<(?:input(?! type="hidden")|select|textarea)[^>]*id="(id_(?:spec|choices|steps|params|misconceptions|answers|pairs)-[^"]+)"',
                text,
            )
        )
        labelled = set(re.findall(r'<label for="([^"]+)"', text))
        assert ids <= labelled, (kind, sorted(ids - labelled))


def test_siblings_survive_an_edit_through_the_form_and_a_wrong_one_is_shown_at_its_field(
    instructor_client, bank, truefalse_item
):
    kind_data, yaml_text = CASES["single"]
    with_sibling = yaml_text + f"siblings: [{truefalse_item.key}]\n"
    instructor_client.post(CREATE_URL, common("with-sibling", "single") | {"spec": with_sibling})
    edit_url = reverse("quizzes:author_item_edit", kwargs={"slug": bank.slug, "key": "with-sibling"})
    editor = instructor_client.get(edit_url).context["editor"]
    assert editor.mode == "fields" and editor.extras["siblings"].value() == truefalse_item.key
    data = fields_post("with-sibling", "single", kind_data) | {"item-siblings": truefalse_item.key}
    assert instructor_client.post(edit_url, data).status_code == 302
    assert Item.objects.get(key="with-sibling").spec["siblings"] == [truefalse_item.key]
    response = instructor_client.post(edit_url, data | {"item-siblings": "no-such-item"})
    assert response.status_code == 400
    assert "siblings" in response.context["editor"].extras.errors
    assert Item.objects.get(key="with-sibling").spec["siblings"] == [truefalse_item.key]
