"""Learning-rate schedules and gradient clipping in the playground page and the `playground` command."""

import base64
import json
import re
from io import StringIO

import numpy as np
import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from optimlab import plots, views
from optimlab.clipping import global_norm
from optimlab.problems import get_problem
from optimlab.runner import parse_clip, run_optimizer, schedule_for_run
from optimlab.schedules import build_schedule

URL = "/lab/"
WARMUP_COSINE_ROW = {"opt1": "adam", "hp1": "lr=0.5", "sched1": "warmup-cosine", "sp1": "warmup_steps=10"}
STEEP_START = "-2,2.5"  # on Rosenbrock the gradient there is in the thousands


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def page(client, **query):
    response = client.get(URL, query)
    assert response.status_code == 200
    return response, response.content.decode().replace("&#x27;", "'")


def embedded_svgs(html: str) -> list[str]:
    found = re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)
    return [base64.b64decode(b).decode() for b in found]


# --- parsing -------------------------------------------------------------------------------------------


def test_schedule_takes_its_peak_lr_from_the_run_and_its_length_from_the_steps():
    schedule = schedule_for_run("warmup-cosine", "warmup_steps=10, min_lr=0.01", lr=0.5, steps=200)
    assert dict(schedule.params) == {"lr": 0.5, "warmup_steps": 10, "total_steps": 200, "eta_min": 0.01}


def test_no_schedule_is_none_unless_parameters_were_given():
    assert schedule_for_run("", "", lr=0.1, steps=10) is None
    assert schedule_for_run("none", "", lr=0.1, steps=10) is None
    with pytest.raises(ValueError, match="without a schedule"):
        schedule_for_run("", "gamma=0.5", lr=0.1, steps=10)


@pytest.mark.parametrize(
    "name,text,message",
    [
        ("cosinus", "", "unknown schedule 'cosinus'"),
        ("cosine", "gamma=0.5", "unknown parameter(s) gamma"),
        ("step", "step_size=often", "'often' is not a number"),
        ("step", "", "missing required parameter 'step_size'"),
        (
            "warmup-cosine",
            "warmup_steps=50, total_steps=40",
            "total_steps (40) must exceed warmup_steps (50)",
        ),
        ("warmup-cosine", "warmup_steps=100", "longer than the run"),
        ("cosine", "lr=0.3", "set lr with the optimizer's hyperparameters"),
        ("cosine", "min_lr=0.01, eta_min=0.01", "eta_min is given twice"),
        ("exponential", "gamma=1.5", "gamma must be in (0, 1]"),
    ],
)
def test_bad_schedules_are_explained(name, text, message):
    with pytest.raises(ValueError) as raised:
        schedule_for_run(name, text, lr=0.1, steps=60)
    assert message in str(raised.value)


def test_clip_is_a_positive_number_or_nothing():
    assert parse_clip("1.5") == 1.5
    assert parse_clip("") is None and parse_clip(" none ") is None
    for bad, message in [("big", "not a number"), ("0", "must be positive"), ("-1", "must be positive")]:
        with pytest.raises(ValueError, match=message):
            parse_clip(bad)


# --- running ---------------------------------------------------------------------------------------------


def test_a_scheduled_run_uses_the_schedules_learning_rates():
    schedule = schedule_for_run("warmup-cosine", "warmup_steps=5", lr=0.5, steps=40)
    run = run_optimizer("adam", "rosenbrock", {"lr": 0.5}, steps=40, schedule=schedule)
    expected = build_schedule({"name": "warmup-cosine", "lr": 0.5, "warmup_steps": 5, "total_steps": 40})
    np.testing.assert_allclose(run.lr, expected.values(40))
    constant = run_optimizer("adam", "rosenbrock", {"lr": 0.5}, steps=40)
    assert constant.lr is None
    assert not np.allclose(run.trajectory, constant.trajectory)  # the warmup really changed the steps


def test_clipping_caps_the_step_from_a_steep_start():
    problem = get_problem("rosenbrock")
    start = [-2.0, 2.5]
    assert global_norm([problem.grad(np.array(start))]) > 1000
    plain = run_optimizer("sgd", problem, {"lr": 0.003}, steps=1, start=start)
    clipped = run_optimizer("sgd", problem, {"lr": 0.003}, steps=1, start=start, clip=1.0)
    plain_step = np.linalg.norm(plain.trajectory[1] - plain.trajectory[0])
    clipped_step = np.linalg.norm(clipped.trajectory[1] - clipped.trajectory[0])
    assert clipped_step <= 0.003 * 1.0 + 1e-12
    assert plain_step > 100 * clipped_step
    long_plain = run_optimizer("sgd", problem, {"lr": 0.003}, steps=100, start=start)
    long_clipped = run_optimizer("sgd", problem, {"lr": 0.003}, steps=100, start=start, clip=1.0)
    assert long_plain.diverged and not long_clipped.diverged


# --- the page ----------------------------------------------------------------------------------------


def test_page_draws_the_lr_only_when_a_row_has_a_schedule(client):
    response, html = page(client, problem="rosenbrock", steps="60", opt1="adam", hp1="lr=0.5")
    assert response.context["result"]["lr_svg"] is None
    assert len(embedded_svgs(html)) == 2

    response, html = page(
        client, problem="rosenbrock", steps="60", **WARMUP_COSINE_ROW, opt2="sgd", hp2="lr=0.001"
    )
    svgs = embedded_svgs(html)
    assert len(svgs) == 3
    lr_svg = svgs[2]
    assert 'id="lr-0"' in lr_svg and 'id="lr-1"' in lr_svg
    label = "adam (lr=0.5) + warmup-cosine(warmup_steps=10, total_steps=60, eta_min=0)"
    assert label in lr_svg and label in svgs[1]  # the same label in the lr and the loss legends
    row = response.context["result"]["rows"][0]
    assert row["schedule"] == "warmup-cosine(warmup_steps=10, total_steps=60, eta_min=0)"
    assert "warmup-cosine(warmup_steps=10" in html


def test_lr_axis_is_logarithmic_only_when_the_lr_spans_decades():
    flat = run_optimizer("sgd", "booth", {"lr": 0.01}, steps=20)
    gentle = schedule_for_run("exponential", "gamma=0.99", lr=0.01, steps=20)
    steep = schedule_for_run("exponential", "gamma=0.5", lr=0.01, steps=20)
    runs = [run_optimizer("sgd", "booth", {"lr": 0.01}, steps=20, schedule=s) for s in (gentle, steep)]
    assert plots.lr_figure([flat, runs[0]], ["a", "b"]).axes[0].get_yscale() == "linear"
    assert plots.lr_figure([flat, runs[1]], ["a", "b"]).axes[0].get_yscale() == "log"


def test_page_clips_and_reports_the_clip(client):
    response, html = page(
        client, problem="rosenbrock", steps="50", start=STEEP_START,
        opt1="sgd", hp1="lr=0.003", opt2="sgd", hp2="lr=0.003", clip2="1",
    )  # fmt: skip
    plain, clipped = response.context["result"]["rows"]
    assert plain["diverged_at"] is not None and clipped["diverged_at"] is None
    assert clipped["label"] == "sgd (lr=0.003) + clip 1" and clipped["clip"] == 1.0


@pytest.mark.parametrize(
    "row,field,message",
    [
        ({"sched1": "cosine", "sp1": "gamma=0.5"}, "sp1", "unknown parameter(s) gamma"),
        ({"sched1": "cosinus"}, "sched1", "Select a valid choice"),
        ({"sched1": "step", "sp1": "step_size=x"}, "sp1", "is not a number"),
        (
            {"sched1": "warmup-cosine", "sp1": "warmup_steps=30,total_steps=20"},
            "sp1",
            "must exceed warmup_steps",
        ),
        ({"sp1": "gamma=0.5"}, "sp1", "without a schedule"),
        ({"clip1": "lots"}, "clip1", "is not a number"),
        ({"clip1": "-2"}, "clip1", "must be positive"),
    ],
)
def test_bad_schedule_or_clip_shows_the_form_with_the_message(client, row, field, message):
    response, html = page(client, problem="rosenbrock", steps="40", opt1="adam", hp1="lr=0.1", **row)
    assert response.context["result"] is None
    assert message in " ".join(response.context["form"].errors[field])
    assert message in html and 'name="sp1"' in html


def test_schedule_or_clip_without_an_optimizer_is_an_error(client):
    response, _ = page(client, problem="rosenbrock", steps="40", opt1="adam", sched2="cosine", clip2="1")
    errors = response.context["form"].errors
    assert "Choose an optimizer" in errors["sched2"][0] and "Choose an optimizer" in errors["clip2"][0]


def test_cache_key_changes_with_the_schedule_and_the_clip(client, monkeypatch):
    keys = []
    real_key = views.cache_key
    monkeypatch.setattr(views, "cache_key", lambda cleaned: keys.append(real_key(cleaned)) or keys[-1])
    base = {"problem": "booth", "steps": "30", "opt1": "adam", "hp1": "lr=0.1"}
    page(client, **base)
    page(client, **base, sched1="cosine")
    page(client, **base, sched1="cosine", sp1="eta_min=0.01")
    page(client, **base, sched1="cosine", sp1="min_lr=0.01")  # the same schedule, spelt differently
    page(client, **base, sched1="cosine", sp1="T_max=30")  # the default, spelt out
    page(client, **base, clip1="1")
    assert len(set(keys)) == 4
    assert keys[2] == keys[3] and keys[1] == keys[4]


def test_preset_link_runs_adam_with_warmup_and_cosine(client):
    _, html = page(client)
    match = re.search(r'href="/lab/\?([^"]+)">Adam with warmup \+ cosine vs constant lr on Rosenbrock<', html)
    assert match, "the preset link is on the page"
    response = client.get("/lab/?" + match.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    result = response.context["result"]
    assert result["lr_svg"] is not None and len(result["rows"]) == 2


# --- the command -------------------------------------------------------------------------------------


def run_json(*args: str) -> list[dict]:
    out = StringIO()
    call_command("playground", *args, "--json", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_command_json_has_the_lr_series_of_a_scheduled_run():
    constant, scheduled = run_json(
        "--problem", "rosenbrock", "--optimizer", "adam", "--optimizer", "adam", "--hp", "lr=0.5",
        "--schedule", "none", "--schedule", "warmup-cosine:warmup_steps=5,min_lr=0.01", "--steps", "30",
    )  # fmt: skip
    assert "lr" not in constant and "schedule" not in constant
    expected = build_schedule(
        {"name": "warmup-cosine", "lr": 0.5, "warmup_steps": 5, "total_steps": 30, "eta_min": 0.01}
    )
    assert scheduled["lr"] == pytest.approx(expected.values(30).tolist())
    assert scheduled["schedule"]["name"] == "warmup-cosine"


def test_command_single_schedule_and_clip_apply_to_every_optimizer():
    records = run_json(
        "--problem", "rosenbrock", "--start=-2,2.5", "--optimizer", "sgd", "--optimizer", "momentum",
        "--hp", "lr=0.003", "--schedule", "exponential:gamma=0.9", "--clip", "1", "--steps", "20",
    )  # fmt: skip
    for record in records:
        assert record["clip"] == 1.0 and record["diverged_at"] is None
        assert record["lr"] == pytest.approx([0.003 * 0.9**t for t in range(20)])


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--schedule", "cosinus"], "unknown schedule 'cosinus'"),
        (["--schedule", "cosine:gamma=0.5"], r"--schedule for sgd: cosine: unknown parameter\(s\) gamma"),
        (["--schedule", "step:step_size=x"], "not a number"),
        (["--schedule", "warmup-cosine:warmup_steps=9,total_steps=5"], "must exceed warmup_steps"),
        (
            ["--schedule", "none", "--schedule", "none", "--schedule", "none"],
            "one --schedule per --optimizer",
        ),
        (["--clip", "fast"], "clip: 'fast' is not a number"),
        (["--clip", "0"], "must be positive"),
    ],
)
def test_command_bad_schedule_or_clip_is_a_command_error(extra, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "playground", "--problem", "booth", "--optimizer", "sgd", "--optimizer", "adam", "--steps", "10",
            *extra, "--json", stdout=StringIO(),
        )  # fmt: skip
