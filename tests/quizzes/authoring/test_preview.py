"""Preview with seeds, the variants panel and the try-it form, against the real engine."""

import math

from django.urls import reverse

PREVIEW = reverse("quizzes:author_item_preview", kwargs={"slug": "optimizers-core", "key": "sgd-update-size"})
TRUEFALSE_PREVIEW = reverse(
    "quizzes:author_item_preview", kwargs={"slug": "optimizers-core", "key": "bias-correction-late"}
)


def drawn(response) -> dict:
    return response.context["variant"]["params"]


def test_preview_for_a_seed_is_the_same_every_time(instructor_client, calculation_item):
    first = instructor_client.get(PREVIEW, {"seed": 5})
    second = instructor_client.get(PREVIEW, {"seed": 5})
    assert drawn(first) == drawn(second)
    assert first.context["rendered"] == second.context["rendered"]
    assert first.context["preview"].key == second.context["preview"].key


def test_preview_differs_across_seeds_for_a_calculation_item(instructor_client, calculation_item):
    stems = {
        instructor_client.get(PREVIEW, {"seed": seed}).context["rendered"]["stem"] for seed in range(1, 7)
    }
    assert len(stems) > 1


def test_preview_fills_the_stem_with_the_drawn_values_and_hides_the_key_from_the_student_part(
    instructor_client, calculation_item
):
    response = instructor_client.get(PREVIEW, {"seed": 3})
    params = drawn(response)
    stem = response.context["rendered"]["stem"]
    assert "{{" not in stem
    assert str(params["g"]) in stem
    assert "answer" not in response.context["rendered"]


def test_key_and_explanation_match_the_seed(instructor_client, calculation_item):
    response = instructor_client.get(PREVIEW, {"seed": 11})
    params = drawn(response)
    key = float(response.context["preview"].key.strip("$ "))
    assert math.isclose(key, params["eta"] * params["g"], rel_tol=1e-9)
    assert "{{" not in response.context["preview"].explanation


def test_default_seed_is_one_and_a_bad_seed_falls_back_to_it(instructor_client, calculation_item):
    assert instructor_client.get(PREVIEW).context["seed"] == 1
    response = instructor_client.get(PREVIEW, {"seed": "-4"})
    assert response.status_code == 200
    assert response.context["seed"] == 1
    assert response.context["seed_form"].errors


def test_variants_panel_shows_eight_seeds_with_answers_and_misconception_values(
    instructor_client, calculation_item
):
    rows = instructor_client.get(PREVIEW, {"seed": 20}).context["variants"]
    assert [row.seed for row in rows] == list(range(20, 28))
    for row in rows:
        eta, g = row.params["eta"], row.params["g"]
        assert math.isclose(float(row.values["answer"]), eta * g, rel_tol=1e-9)
        ((feedback, wrong),) = row.misconceptions
        assert feedback == "That divides by the learning rate."
        assert math.isclose(float(wrong), g / eta, rel_tol=1e-9)
    assert len({(row.params["eta"], row.params["g"]) for row in rows}) > 1


def test_items_without_a_template_have_no_variants_panel(instructor_client, truefalse_item):
    assert instructor_client.get(TRUEFALSE_PREVIEW).context["variants"] is None


def try_it(client, url, seed, **fields):
    return client.post(url, {"seed": seed, **fields})


def test_try_it_accepts_the_answer_for_that_seed(instructor_client, calculation_item):
    params = drawn(instructor_client.get(PREVIEW, {"seed": 9}))
    response = try_it(instructor_client, PREVIEW, 9, answer=repr(params["eta"] * params["g"]))
    result = response.context["result"]
    assert (result["status"], result["score"]) == ("correct", 1.0)
    assert response.context["seed"] == 9
    assert "correct" in response.text


def test_try_it_names_the_misconception(instructor_client, calculation_item):
    params = drawn(instructor_client.get(PREVIEW, {"seed": 9}))
    result = try_it(instructor_client, PREVIEW, 9, answer=repr(params["g"] / params["eta"])).context["result"]
    assert result["status"] == "incorrect"
    assert result["misconception"]
    assert any("divides by the learning rate" in line for line in result["feedback"])


def test_try_it_reports_an_unreadable_number_as_invalid(instructor_client, calculation_item):
    response = try_it(instructor_client, PREVIEW, 9, answer="twelve")
    assert response.context["result"]["status"] == "invalid"
    assert response.context["result"]["feedback"]
    assert 'value="twelve"' in response.text  # the typed answer stays in the box


def test_try_it_on_a_true_false_item(instructor_client, truefalse_item):
    assert (
        try_it(instructor_client, TRUEFALSE_PREVIEW, 1, answer="false").context["result"]["status"]
        == "correct"
    )
    assert (
        try_it(instructor_client, TRUEFALSE_PREVIEW, 1, answer="true").context["result"]["status"]
        == "incorrect"
    )


def test_preview_renders_every_kind_of_item(instructor_client, bank):
    """Items made through the create page from each kind's example: preview and key work for all."""
    from quizzes.forms_authoring import KIND_EXAMPLES

    create = reverse("quizzes:author_item_create", kwargs={"slug": bank.slug})
    for kind, example in KIND_EXAMPLES.items():
        stem = {
            "calculation": "With $\\eta = {{eta}}$ and $g = {{g}}$, how large is $\\eta g$?",
            "cloze": "Momentum keeps {1:MULTICHOICE:=a velocity#Yes~nothing#No} between steps.",  # blanks live in the stem
        }.get(kind, "Q?")
        data = {
            "key": f"example-{kind}",
            "kind": kind,
            "stem": stem,
            "explanation": "Because.",
            "difficulty": 2,
        }
        saved = instructor_client.post(create, data | {"spec": example})
        assert saved.status_code == 302, (kind, saved.context and saved.context["problems"])
        response = instructor_client.get(saved["Location"], {"seed": 4})
        assert response.status_code == 200
        assert response.context["preview"].key and "no key" not in response.context["preview"].key, kind


def preview_url(key: str) -> str:
    return reverse("quizzes:author_item_preview", kwargs={"slug": "optimizers-core", "key": key})


def test_try_it_on_a_table_carries_an_early_mistake_forward(instructor_client, table_item):
    # theta1 is wrong (9 instead of 8); m2 and theta2 follow correctly from that 9:
    # m2 = 0.9*2 + 0.1*(2*9) = 3.6 and theta2 = 9 - 3.6 = 5.4.
    cells = {"cell_m1": "2", "cell_theta1": "9", "cell_m2": "3.6", "cell_theta2": "5.4"}
    response = try_it(instructor_client, preview_url("momentum-table"), 1, **cells)
    result = response.context["result"]
    assert result["status"] == "partial" and 0 < result["score"] < 1
    verdicts = {cell["name"]: cell["status"] for cell in response.context["cell_results"]}
    assert verdicts["m1"] == "correct" and verdicts["theta1"] != "correct"
    assert verdicts["m2"] == verdicts["theta2"] == "carried"
    assert 'value="5.4"' in response.text  # typed cells are kept


def test_try_it_on_an_ordering_uses_the_positions_given(instructor_client, ordering_item):
    steps = instructor_client.get(preview_url("tuning-order")).context["rendered"]["steps"]
    truth = ["Check the logged loss", "Tune the learning rate", "Choose the optimizer"]
    positions = {f"pos_{step['id']}": truth.index(step["text"]) + 1 for step in steps}
    assert (
        try_it(instructor_client, preview_url("tuning-order"), 1, **positions).context["result"]["score"]
        == 1.0
    )
    reversed_positions = {name: 4 - position for name, position in positions.items()}
    response = try_it(instructor_client, preview_url("tuning-order"), 1, **reversed_positions)
    assert response.context["result"]["score"] == 0.0
    # After the check the steps are listed in the order the author just gave.
    assert [step["text"] for step in response.context["ordering_steps"]] == truth[::-1]


def test_try_it_on_a_symbolic_item_echoes_how_the_expression_was_read(instructor_client, bank):
    from quizzes.models import Item

    Item.objects.create(
        bank=bank,
        key="velocity-sum",
        kind="symbolic",
        stem="Write $v_2$ for momentum with the learning rate inside, from $v_0 = 0$.",
        explanation="$v_2 = \\beta\\eta g_1 + \\eta g_2$.",
        spec={"symbols": ["beta", "eta", "g1", "g2"], "answer": "beta*eta*g1 + eta*g2"},
    )
    url = preview_url("velocity-sum")
    right = try_it(instructor_client, url, 1, answer="eta*(beta*g1 + g2)")
    assert right.context["result"]["status"] == "correct"
    assert right.context["echo"]["ok"] and "\\beta" in right.context["echo"]["latex"]
    broken = try_it(instructor_client, url, 1, answer="eta*(beta*g1 +")
    assert broken.context["result"]["status"] == "invalid"
    assert not broken.context["echo"]["ok"] and broken.context["echo"]["error"]


def test_a_stored_item_the_engine_cannot_draw_shows_why_instead_of_failing(instructor_client, bank):
    from quizzes.models import Item

    Item.objects.create(
        bank=bank,
        key="impossible",
        kind="calculation",
        stem="{{x}}",
        explanation="E",
        spec={"params": {"x": {"min": 1, "max": 3}}, "answer": {"expr": "x"}, "constraints": ["x > 5"]},
    )
    response = instructor_client.get(preview_url("impossible"))
    assert response.status_code == 200
    assert response.context["broken"]
    assert "cannot be shown" in response.text


def test_try_it_on_a_multiresponse_blank_ticks_several_boxes_and_shows_them_again(instructor_client, bank):
    from quizzes.models import Item

    stem = "Second moments: {1:MULTIRESPONSE:=Adam~=RMSProp~SGD}."
    Item.objects.create(bank=bank, key="picks", kind="cloze", stem=stem, explanation="Both scale steps.")
    page = instructor_client.get(preview_url("picks"), {"seed": 1})
    ids = {c["text"]: c["id"] for c in page.context["rendered"]["blanks"][0]["choices"]}

    response = instructor_client.post(
        preview_url("picks"), {"seed": 1, "blank-1": [ids["Adam"], ids["RMSProp"]]}
    )

    assert (response.context["result"]["status"], response.context["result"]["score"]) == ("correct", 1.0)
    for text in ("Adam", "RMSProp"):
        assert f'type="checkbox" name="blank-1" value="{ids[text]}" checked' in response.text
    assert f'type="checkbox" name="blank-1" value="{ids["SGD"]}">' in response.text
