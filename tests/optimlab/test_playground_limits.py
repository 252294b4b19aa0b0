"""The playground's limits: work per request, rounded inputs that keep the cache whole, a rate on new runs."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from optimlab.forms import DEFAULT_QUERY, PRESETS, canonical

URL = "/lab/"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def rows(count, steps, problem="booth", **extra):
    query = {"problem": problem, "steps": str(steps)}
    for row in range(1, count + 1):
        query |= {f"opt{row}": "sgd", f"hp{row}": f"lr=0.0{row}"}
    return query | extra


def limits(settings, *, user, anonymous):
    settings.PLAYGROUND_WORK_LIMITS = {"user": user, "anonymous": anonymous}


# --- the work cap ------------------------------------------------------------------------------


def test_a_comparison_beyond_the_work_cap_is_refused_with_a_form_error(student_client, settings):
    limits(settings, user=8000, anonymous=2400)
    response = student_client.get(URL, rows(4, 1001))
    html = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200 and response.context["result"] is None
    assert "4 optimizers × 1001 steps × 2 dimensions = 8,008 updates" in html
    assert "at most 8,000. Use at most 1,000 steps here, or fewer optimizers." in html
    assert student_client.get(URL, rows(4, 1000)).context["result"] is not None


def test_anonymous_visitors_have_a_lower_cap_than_signed_in_users(client, student, settings):
    limits(settings, user=8000, anonymous=2400)
    query = rows(3, 401)
    anonymous = client.get(URL, query)
    assert anonymous.context["result"] is None
    assert "= 2,406 updates; one request may run at most 2,400" in anonymous.content.decode()
    client.force_login(student)
    assert client.get(URL, query).context["result"] is not None


def test_the_cap_counts_the_problems_dimension(client, settings):
    limits(settings, user=8000, anonymous=100)
    assert client.get(URL, rows(1, 100, problem="parabola")).context["result"] is not None  # 1-D
    assert client.get(URL, rows(1, 100, problem="booth")).context["result"] is None  # 2-D


def test_the_first_visit_and_every_preset_fit_the_anonymous_cap(client, settings):
    for query in [DEFAULT_QUERY] + [preset for _, preset in PRESETS]:
        response = client.get(URL, query)
        assert response.context["form"].is_valid(), (query, response.context["form"].errors)


# --- rounding to what the page displays ----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "used"),
    [
        (0.1000001, 0.1),
        (0.1, 0.1),
        (0.9999999, 1.0),
        (0.999999, 0.999999),
        (1e-7, 1e-7),
        (3.14159265, 3.14159),
        (-0.0, 0.0),
        (123456789.0, 123457000.0),
        (2000.0, 2000.0),
    ],
)
def test_numbers_are_rounded_to_six_significant_figures(typed, used):
    assert canonical(typed) == used and repr(canonical(typed)) == repr(used)


def test_a_jittered_learning_rate_is_served_from_the_cache_and_shows_the_value_used(client, settings):
    settings.RATELIMIT_ENABLE = True  # one new run allowed: a second computation would be refused
    settings.RATELIMITS = {**settings.RATELIMITS, "playground": {"user": None, "anonymous": "1/d"}}
    first = client.get(URL, rows(1, 30, hp1="lr=0.1"))
    assert first.status_code == 200

    jittered = client.get(URL, rows(1, 30, hp1="lr=0.1000001"))

    assert jittered.status_code == 200
    assert jittered.context["result"] == first.context["result"]
    html = jittered.content.decode()
    assert "sgd (lr=0.1)" in html and "0.1000001" in html  # the typed value stays in the box...
    assert "lr 0.1000001 → 0.1" in html  # ...and the page says what was run instead
    assert jittered.context["form"].cleaned_data["runs"][0].hp == {"lr": 0.1}


def test_schedule_clip_and_start_values_are_rounded_too(client):
    query = rows(
        1,
        40,
        hp1="lr=0.5",
        sched1="warmup-cosine",
        sp1="warmup_steps=10.0000001",
        clip1="1.00000004",
        start="-1.00000001, 2",
    )
    cleaned = client.get(URL, query).context["form"].cleaned_data
    run = cleaned["runs"][0]
    assert run.clip == 1.0 and run.schedule.params["warmup_steps"] == 10
    assert cleaned["start_point"] == [-1.0, 2.0]
    assert (
        client.get(URL, {**query, "sp1": "warmup_steps=10", "clip1": "1", "start": "-1,2"}).context["result"]
        == client.get(URL, query).context["result"]
    )


# --- the rate of new runs --------------------------------------------------------------------------


@pytest.mark.usefixtures("throttles_on")
def test_new_comparisons_beyond_the_rate_get_429_while_cached_ones_are_still_served(client, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "playground": {"user": "5/d", "anonymous": "2/d"}}
    assert client.get(URL, rows(1, 10)).status_code == 200
    assert client.get(URL, rows(1, 11)).status_code == 200

    refused = client.get(URL, rows(1, 12))

    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    page = refused.content.decode()
    assert "The playground has run many new comparisons for you in a short time." in page
    assert "Please wait <strong>" in page
    assert client.get(URL, rows(1, 10)).status_code == 200  # already computed: no new work


@pytest.mark.usefixtures("throttles_on")
def test_signed_in_users_have_a_higher_rate_of_their_own(client, student, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "playground": {"user": "3/d", "anonymous": "1/d"}}
    assert client.get(URL, rows(1, 10)).status_code == 200
    assert client.get(URL, rows(1, 11)).status_code == 429
    client.force_login(student)
    assert [client.get(URL, rows(1, steps)).status_code for steps in (11, 12, 13, 14)] == [200, 200, 200, 429]


def test_the_playground_link_stays_public(client):
    assert client.get(reverse("optimlab:playground")).status_code == 200
