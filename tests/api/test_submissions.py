from datetime import timedelta

from django.utils import timezone

from grading.models import Submission

SOURCE = "def init_state(params):\n    return {}\n\ndef step(params, grads, state, lr):\n    return params, state\n"


def _graded(student, *, verdict=None):
    submission = Submission.objects.create(student=student, exercise_slug="sgd", source=SOURCE)
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.GRADED,
        score=0.5,
        verdict=verdict or {"summary": "half right"},
        graded_at=timezone.now(),
        created_at=timezone.now() + timedelta(seconds=1),
    )
    return Submission.objects.get(pk=submission.pk)


def test_create_submission_stores_it_queued_for_the_caller(
    api_as, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = api_as("student").post("/submissions", {"exercise": "sgd", "source": SOURCE})
    assert response.status_code == 201, response.content
    body = response.json()
    submission = Submission.objects.get(pk=body["id"])
    assert submission.student == people["student"] and submission.source == SOURCE
    assert (body["status"], body["finished"], body["exercise"]) == ("queued", False, "sgd")
    # The stored row is the queue entry itself: a worker claims it, nothing else is enqueued.
    assert submission.status == Submission.Status.QUEUED and not callbacks


def test_create_submission_refuses_what_the_service_refuses_with_400(api_as):
    api = api_as("student")
    empty = api.post("/submissions", {"exercise": "sgd", "source": "   "})
    assert empty.status_code == 400 and "empty" in empty.json()["detail"]
    unknown = api.post("/submissions", {"exercise": "no-such-exercise", "source": SOURCE})
    assert unknown.status_code == 400 and "no exercise" in unknown.json()["detail"]
    big = api.post("/submissions", {"exercise": "sgd", "source": "#" * (65 * 1024)})
    assert big.status_code == 400 and "KB" in big.json()["detail"]
    assert not Submission.objects.exists()


def test_create_submission_names_missing_fields_in_its_400(api_as):
    response = api_as("student").post("/submissions", {"exercise": "sgd"})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "source", "message": "Field required"}]


def test_create_submission_is_throttled_like_the_page_with_retry_after(api_as, throttles_on, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "submission": {"user": "2/m", "anonymous": None}}
    api = api_as("student")
    statuses = [api.post("/submissions", {"exercise": "sgd", "source": SOURCE}).status_code for _ in range(2)]
    assert statuses == [201, 201]
    refused = api.post("/submissions", {"exercise": "sgd", "source": SOURCE})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["retry_after"] == int(refused["Retry-After"])
    assert Submission.objects.count() == 2


def test_submission_status_of_another_students_submission_is_404(api_as, people):
    submission = Submission.objects.create(student=people["student"], exercise_slug="sgd", source=SOURCE)
    assert api_as("student").get(f"/submissions/{submission.pk}").json()["status"] == "queued"
    assert api_as("other").get(f"/submissions/{submission.pk}").status_code == 404
    assert api_as("other").get("/submissions/999999").status_code == 404


def test_submission_verdict_reaches_the_student_and_their_course_teachers(api_as, course, people):
    submission = _graded(people["student"])
    for name in ("student", "owner", "coauth", "viewer"):
        body = api_as(name).get(f"/submissions/{submission.pk}/verdict").json()
        assert body["verdict"] == {"summary": "half right"} and body["score"] == 0.5, name
    for name in ("other", "outsider"):
        assert api_as(name).get(f"/submissions/{submission.pk}/verdict").status_code == 404, name


def test_submission_verdict_is_empty_until_graded(api_as, people):
    submission = Submission.objects.create(student=people["student"], exercise_slug="sgd", source=SOURCE)
    body = api_as("student").get(f"/submissions/{submission.pk}/verdict").json()
    assert (body["finished"], body["verdict"]) == (False, None)
