import base64
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from optimlab import views
from optimlab.forms import PLAYGROUND_MAX_STEPS

URL = "/lab/"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def page(client, **query):
    response = client.get(URL, query)
    assert response.status_code == 200
    return response, response.content.decode()


def embedded_svgs(html: str) -> list[str]:
    return [
        base64.b64decode(b).decode()
        for b in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)
    ]


def test_url_name_and_nav_link(client):
    assert reverse("optimlab:playground") == URL
    _, html = page(client)
    assert f'href="{URL}"' in html


def test_first_visit_shows_the_d2l_example_with_plots_table_and_theory(client):
    response, html = page(client)
    result = response.context["result"]
    assert [row["label"] for row in result["rows"]] == [
        "sgd (lr=0.4)",
        "sgd (lr=0.6)",
        "momentum (lr=0.6, beta=0.5)",
    ]
    assert len(embedded_svgs(html)) == 2
    assert "What theory predicts" in html
    verdicts = [entry["analysis"]["converges"] for entry in result["stability"]["runs"]]
    assert verdicts == [True, False, True]


def test_several_optimizers_are_drawn_with_their_own_hyperparameters(client):
    _, html = page(
        client,
        problem="rosenbrock",
        steps="100",
        opt1="adam",
        hp1="lr=0.05",
        opt2="nesterov",
        hp2="lr=0.001,beta=0.9",
    )
    trajectory_svg, loss_svg = embedded_svgs(html)
    for svg in (trajectory_svg, loss_svg):
        assert 'id="trajectory-0"' in svg or 'id="loss-0"' in svg
        assert "adam (lr=0.05)" in svg and "nesterov (lr=0.001, beta=0.9)" in svg
    assert "What theory predicts" not in html  # Rosenbrock is not a quadratic


def test_diverging_run_is_reported_in_the_table(client):
    response, html = page(client, problem="parabola", steps="50", opt1="sgd", hp1="lr=5")
    row = response.context["result"]["rows"][0]
    assert row["diverged_at"] == 6
    assert "diverged at step 6" in html


def test_a_run_blowing_up_below_the_divergence_bound_is_called_diverging(client):
    # d2l: gradient descent with lr 0.6 on 0.1 x1^2 + 2 x2^2 grows |x2| by 1.4 per step (x2 = -1673 after 20).
    response, html = page(client, problem="ill-conditioned-quadratic", steps="20", opt1="sgd", hp1="lr=0.6")
    row = response.context["result"]["rows"][0]
    assert row["diverged_at"] is None
    assert row["growth"] > 1e5
    assert "diverging: loss ×" in html


@pytest.mark.parametrize(
    "query,message",
    [
        ({"problem": "banana", "opt1": "sgd"}, "Select a valid choice"),
        ({"problem": "parabola", "opt1": "adamm"}, "Select a valid choice"),
        ({"problem": "parabola", "opt1": "sgd", "hp1": "beta1=0.9"}, "sgd does not take beta1"),
        ({"problem": "parabola", "opt1": "sgd", "hp1": "lr=fast"}, "is not a number"),
        ({"problem": "parabola", "opt1": "momentum", "hp1": "beta=1.5"}, "beta"),
        ({"problem": "rosenbrock", "opt1": "sgd", "start": "1,2,3"}, "2 coordinates for rosenbrock, got 3"),
        ({"problem": "rosenbrock", "opt1": "sgd", "start": "one,two"}, "not a number"),
        (
            {"problem": "parabola", "opt1": "sgd", "steps": str(PLAYGROUND_MAX_STEPS + 1)},
            str(PLAYGROUND_MAX_STEPS),
        ),
        ({"problem": "parabola", "opt1": "sgd", "steps": "many"}, "whole number"),
        ({"problem": "parabola", "hp1": "lr=0.1"}, "Choose an optimizer for these hyperparameters"),
        ({"problem": "parabola", "steps": "10"}, "Choose at least one optimizer"),
    ],
)
def test_bad_input_shows_the_form_with_a_clear_message(client, query, message):
    query.setdefault("steps", "10")
    response, html = page(client, **query)
    assert response.context["result"] is None
    assert message in html.replace("&#x27;", "'")
    assert 'name="problem"' in html  # the form is still there to fix


def test_results_are_cached_by_their_normalised_parameters(client, monkeypatch):
    calls = []
    real_build = views.build_result

    def counting_build(cleaned):
        calls.append(cleaned)
        return real_build(cleaned)

    monkeypatch.setattr(views, "build_result", counting_build)
    page(client, problem="booth", steps="30", opt1="adam", hp1="lr=0.1, beta1=0.9")
    page(
        client, problem="booth", steps="30", opt1="adam", hp1="beta1=0.9,lr=0.1"
    )  # same run, spelt differently
    assert len(calls) == 1
    page(client, problem="booth", steps="31", opt1="adam", hp1="lr=0.1, beta1=0.9")
    assert len(calls) == 2


def test_custom_start_is_used(client):
    response, _ = page(client, problem="himmelblau", steps="5", opt1="sgd", hp1="lr=0.01", start="-1, 1")
    assert response.context["form"].cleaned_data["start_point"] == [-1.0, 1.0]


def test_stochastic_quadratic_shows_the_analysis_of_the_average_gradient(client):
    response, html = page(client, problem="noisy-quadratic", steps="30", opt1="sgd", hp1="lr=0.1")
    assert response.context["result"]["stability"]["stochastic"] is True
    assert "average gradient" in html


def test_saddle_analysis_says_there_is_no_minimiser(client):
    _, html = page(client, problem="saddle", steps="30", opt1="sgd", hp1="lr=0.1")
    assert "no minimiser" in html


def test_adafactor_and_lars_are_offered_and_drawn(client):
    _, html = page(
        client,
        problem="rosenbrock",
        steps="60",
        opt1="adafactor",
        hp1="lr=0.5",
        opt2="lars",
        hp2="lr=1,trust_coefficient=0.02",
    )
    assert 'value="adafactor"' in html and 'value="lars"' in html  # in the optimizer menus
    assert "clip_threshold=1" in html and "trust_coefficient=0.001" in html  # their defaults, listed
    trajectory_svg, _ = embedded_svgs(html)
    assert "adafactor (lr=0.5)" in trajectory_svg and "lars (lr=1, trust_coefficient=0.02)" in trajectory_svg
