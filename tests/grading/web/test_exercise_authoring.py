"""Exercises instructors write, through the pages: per-field errors, owners and shares, validation in
the sandbox before publishing, a preview that stores nothing, zips in and out, and students who
reach a published exercise through a course and are graded by the worker."""

import io
import zipfile
from datetime import timedelta

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.services import user_create
from courses.models import AssignmentKind
from courses.services.courses import assignment_create, course_create, enrollment_join
from grading import tasks, worker
from grading.authoring.content import content_of
from grading.exercises import EXERCISES_DIR, get_exercise
from grading.exercises.loader import REQUIRED_FILES
from grading.models import AuthoredExercise, Submission
from grading.services.authoring import authored_create, authored_share_set

SGD_WITHOUT_LR = """
def init_state(params):
    return {}

def step(params, grads, state, *, lr):
    return params - grads, state
"""


def suite_fields(entries: list[dict]) -> dict:
    """The suite as the form's rows of fields (case-<i>-target, -start, -steps, -hp, -lr_schedule, -id)."""
    fields = {}
    for index, entry in enumerate(entries):
        kind = "problem" if "problem" in entry else "case"
        row = {
            "target": f"{kind}:{entry[kind]}",
            "start": ", ".join(str(x) for x in entry.get("start", [])),
            "steps": str(entry.get("steps", "")),
            "hp": ", ".join(f"{name}: {value}" for name, value in entry.get("hp", {}).items()),
            "lr_schedule": ", ".join(f"{first}: {rate}" for first, rate in entry.get("lr_schedule", [])),
            "id": entry.get("id", ""),
        }
        fields.update({f"case-{index}-{part}": value for part, value in row.items()})
    return fields


def form_data(slug: str = "my-sgd", suite: list[dict] | None = None, **changes) -> dict:
    """The authoring form filled in with the SGD exercise's content."""
    content = content_of(get_exercise("sgd"))
    data = {
        "slug": slug,
        "title": "My SGD",
        "order": 50,
        "topics": "sgd, learning-rate",
        "statement_md": content["statement_md"],
        "reference_optimizer": "sgd",
        "hyperparameters": yaml.safe_dump(dict(content["hyperparameters"])),
        **suite_fields(content["suite"] if suite is None else suite),
        "hints": "\n".join(content["hints"]),
        "starter_source": content["starter_source"],
        "reference_source": content["reference_source"],
    }
    return {**data, **changes}


@pytest.fixture
def second_instructor(db):
    return user_create(username="ivan", password="instructor-pass-123", instructor=True)


@pytest.fixture
def exercise(instructor):
    content = {**content_of(get_exercise("sgd")), "title": "My SGD"}
    return authored_create(owner=instructor, slug="my-sgd", content=content)


@pytest.fixture
def drain(worker_sandbox):
    """Run a real grading worker (its sandbox, its claim loop) until the queue is empty."""

    def run() -> int:
        done = worker.GradingWorker(interval=0.01, batch=True, worker_id="test-worker")
        done.run()
        return done.graded

    return run


def page(name, slug=None):
    return reverse(f"grading:{name}", kwargs={"slug": slug} if slug else None)


# ---------------------------------------------------------------- writing, with errors per field


def test_an_instructor_writes_an_exercise(instructor_client, instructor):
    response = instructor_client.post(page("author_exercise_create"), form_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    row = AuthoredExercise.objects.get(slug="my-sgd")
    assert row.owner == instructor and row.title == "My SGD" and row.topics == ["sgd", "learning-rate"]
    assert row.hyperparameters == [["lr", get_exercise("sgd").hyperparameters["lr"]]]
    assert not row.is_published


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hyperparameters", "lr: [0.1", "not valid YAML"),
        ("hyperparameters", "lr: 0.1\nmomentum: 0.9", "has no hyperparameter"),
        ("case-0-target", "problem:himalaya", "Select a valid choice"),
        ("case-0-steps", "100000", "less than or equal to 500"),
        ("case-0-start", "1.0, two", "“two” is not a number"),
        ("case-0-hp", "lr 0.1", "“name: value” pairs"),
        ("case-1-start", "1.0", "A prepared case has its own start"),
        (
            "reference_source",
            "def step(params, grads, state, *, rate):\n    pass\n",
            "must define init_state",
        ),
        (
            "starter_source",
            "def init_state(p):\n  return {}\ndef step(params, grads, state, *, eta):\n  pass\n",
            "keyword arguments",
        ),
        ("hints", "only one", "2 to 4"),
        ("slug", "sgd", "built-in"),
        ("slug", "author", "reserved"),
    ],
)
def test_each_wrong_field_gets_its_own_error(instructor_client, field, value, message):
    response = instructor_client.post(page("author_exercise_create"), form_data(**{field: value}))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field]), errors[field]
    assert not AuthoredExercise.objects.exists()


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        ({"problem": "rosenbrock", "start": [1.0]}, "case-0-start", "start must be a list of 2 numbers"),
        ({"problem": "rosenbrock", "hp": {"momentum": 0.9}}, "case-0-hp", "hp may only set lr"),
        (
            {"problem": "rosenbrock", "steps": 20, "lr_schedule": [[5, 0.1]]},
            "case-0-lr_schedule",
            "must start at step 0",
        ),
    ],
)
def test_a_suite_case_the_loader_refuses_gets_the_error_on_its_own_row(
    instructor_client, entry, field, message
):
    response = instructor_client.post(page("author_exercise_create"), form_data(suite=[entry]))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors


def test_an_empty_suite_is_refused_and_a_half_filled_row_is_named(instructor_client):
    data = {key: value for key, value in form_data().items() if not key.startswith("case-")}
    response = instructor_client.post(page("author_exercise_create"), data)
    assert "A suite needs at least one case" in " ".join(response.context["form"].errors["case-0-target"])
    response = instructor_client.post(page("author_exercise_create"), {**data, "case-2-steps": "40"})
    assert "Choose a problem or a prepared case" in " ".join(response.context["form"].errors["case-2-target"])


def test_the_suite_rows_show_the_stored_suite_and_save_it_unchanged(instructor_client, exercise):
    suite = [
        {"problem": "rosenbrock", "start": [-1.5, 2.0], "steps": 150, "hp": {"lr": 0.0005}, "id": "banana"},
        {"case": "d2l-quadratic", "hp": {"lr": 0.4}, "lr_schedule": [[0, 0.4], [10, 0.1]]},
    ]
    AuthoredExercise.objects.filter(pk=exercise.pk).update(suite=suite)
    form = instructor_client.get(page("author_exercise_edit", exercise.slug)).context["form"]
    assert (
        form["case-0-target"].value() == "problem:rosenbrock" and form["case-0-start"].value() == "-1.5, 2.0"
    )
    assert form["case-1-lr_schedule"].value() == "0: 0.4, 10: 0.1" and form["case-2-target"].value() in (
        "",
        None,
    )
    posted = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    posted["topics"] = "sgd"
    response = instructor_client.post(page("author_exercise_edit", exercise.slug), posted)
    assert response.status_code == 302, response.context["form"].errors
    exercise.refresh_from_db()
    assert exercise.suite == suite


def test_the_form_page_lists_the_problems_a_suite_can_use(instructor_client):
    body = instructor_client.get(page("author_exercise_create")).content.decode()
    assert "rosenbrock" in body and "linear-layer" in body


# ---------------------------------------------------------------- owners and shares


def test_a_second_instructor_cannot_see_or_edit_an_exercise_not_shared_with_them(
    client, exercise, second_instructor
):
    client.force_login(second_instructor)
    for name in (
        "author_exercise",
        "author_exercise_edit",
        "author_exercise_preview",
        "author_exercise_export",
    ):
        assert client.get(page(name, exercise.slug)).status_code == 404, name
    assert client.post(page("author_exercise_edit", exercise.slug), form_data()).status_code == 404
    assert client.post(page("author_exercise_publish", exercise.slug)).status_code == 404
    assert "my-sgd" not in client.get(page("author_exercises")).content.decode()
    exercise.refresh_from_db()
    assert exercise.title == "My SGD"


def test_a_viewer_may_look_but_not_edit_and_a_coauthor_may_edit(client, exercise, second_instructor):
    authored_share_set(exercise=exercise, username=second_instructor.username, role="viewer")
    client.force_login(second_instructor)
    assert client.get(page("author_exercise", exercise.slug)).status_code == 200
    assert client.get(page("author_exercise_edit", exercise.slug)).status_code == 404
    authored_share_set(exercise=exercise, username=second_instructor.username, role="editor")
    response = client.post(page("author_exercise_edit", exercise.slug), form_data(title="Renamed"))
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.title == "Renamed"
    assert client.get(page("author_exercise_sharing", exercise.slug)).status_code == 404  # owner only


def test_the_owner_shares_through_the_shared_sharing_page(instructor_client, exercise, second_instructor):
    response = instructor_client.post(
        page("author_exercise_sharing", exercise.slug), {"username": "ivan", "role": "viewer"}
    )
    assert response.status_code == 302
    assert exercise.shares.get().user == second_instructor
    response = instructor_client.post(
        page("author_exercise_sharing", exercise.slug), {"username": "nobody", "role": "viewer"}
    )
    assert response.status_code == 400 and "No instructor is called" in response.content.decode()


# ---------------------------------------------------------------- validation and publishing


def test_publishing_is_refused_until_validation_passes(instructor_client, exercise, drain):
    response = instructor_client.post(page("author_exercise_publish", exercise.slug), follow=True)
    assert "Validate the exercise first" in response.content.decode()
    exercise.refresh_from_db()
    assert not exercise.is_published

    instructor_client.post(page("author_exercise_validate", exercise.slug))

    drain()
    exercise.refresh_from_db()
    assert exercise.validation["ok"], exercise.validation["problems"]
    assert exercise.validation["reference"]["score"] == 1.0
    assert exercise.validation["starter"]["status"] != "passed"
    statuses = {f["name"]: f["status"] for f in exercise.validation["families"]}
    assert statuses["sign-flipped"] == "named" and statuses["wrong-power"] == "not applicable"

    instructor_client.post(page("author_exercise_publish", exercise.slug))
    exercise.refresh_from_db()
    assert exercise.is_published and exercise.published["title"] == "My SGD"

    # An edit needs a new validation before it is published; students keep the published version.
    instructor_client.post(page("author_exercise_edit", exercise.slug), form_data(title="Changed"))
    response = instructor_client.post(page("author_exercise_publish", exercise.slug), follow=True)
    assert "Validate the exercise first" in response.content.decode()
    exercise.refresh_from_db()
    assert exercise.published["title"] == "My SGD"


def test_validation_names_the_families_the_suite_cannot_tell_apart(instructor_client, exercise, drain):
    suite = [
        {"problem": "parabola", "steps": 20, "hp": {"lr": 1.0}}
    ]  # with lr = 1, "lr not used" is invisible
    instructor_client.post(page("author_exercise_edit", exercise.slug), form_data(suite=suite))
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    drain()
    exercise.refresh_from_db()
    report = exercise.validation
    assert not report["ok"]
    families = {f["name"]: f for f in report["families"]}
    assert families["lr-not-used"]["status"] == "NOT TOLD APART"
    assert "lr-applied-twice" in families["lr-not-used"]["collides_with"]
    assert any("lr-not-used" in problem for problem in report["problems"])
    body = instructor_client.get(page("author_exercise", exercise.slug)).content.decode()
    assert "NOT TOLD APART" in body
    assert instructor_client.post(page("author_exercise_publish", exercise.slug)).status_code == 302
    exercise.refresh_from_db()
    assert not exercise.is_published


def test_a_starter_that_already_passes_fails_validation(instructor_client, exercise, drain):
    reference = content_of(get_exercise("sgd"))["reference_source"]
    instructor_client.post(page("author_exercise_edit", exercise.slug), form_data(starter_source=reference))
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    drain()
    exercise.refresh_from_db()
    assert not exercise.validation["ok"]
    assert any("The starter passes" in problem for problem in exercise.validation["problems"])


def test_a_wrong_reference_solution_fails_validation(instructor_client, exercise, drain):
    instructor_client.post(
        page("author_exercise_edit", exercise.slug), form_data(reference_source=SGD_WITHOUT_LR)
    )
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    drain()
    exercise.refresh_from_db()
    assert not exercise.validation["ok"]
    assert any("reference solution must score 1" in problem for problem in exercise.validation["problems"])


# ---------------------------------------------------------------- preview


def preview(client, exercise, source, drain):
    """Send code to the preview, check the page waits for a worker, run one; the page afterwards."""
    response = client.post(page("author_exercise_preview", exercise.slug), {"source": source})
    assert response.status_code == 302
    waiting = client.get(response["Location"])
    body = waiting.content.decode()
    assert "Queued…" in body and '<meta http-equiv="refresh"' in body
    assert escape(source.strip().splitlines()[-1]) in body  # the code being graded is shown
    assert 'data-editor="python"' not in body  # no editor to type in while the page reloads itself
    drain()
    return client.get(response["Location"])


def test_the_preview_grades_code_as_a_student_would_and_stores_nothing(instructor_client, exercise, drain):
    url = page("author_exercise_preview", exercise.slug)
    assert "Grade this code" in instructor_client.get(url).content.decode()
    response = preview(instructor_client, exercise, SGD_WITHOUT_LR, drain)
    assert response.status_code == 200
    assert response.context["verdict"]["status"] == "failed"
    assert "The learning rate is not applied" in response.content.decode()
    assert '<meta http-equiv="refresh"' not in response.content.decode()
    # Back to the same code editor as the student's page, holding the code just graded.
    assert (
        'data-editor="python"' in response.content.decode()
        and "codemirror.min.js" in response.content.decode()
    )
    assert response.context["form"]["source"].value() == SGD_WITHOUT_LR
    response = preview(
        instructor_client, exercise, content_of(get_exercise("sgd"))["reference_source"], drain
    )
    assert response.context["verdict"]["status"] == "passed"
    assert not Submission.objects.exists()


# ---------------------------------------------------------------- zips


def test_export_then_import_gives_the_same_exercise(instructor_client, exercise):
    response = instructor_client.get(page("author_exercise_export", exercise.slug))
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(names) == sorted(f"my-sgd/{name}" for name in REQUIRED_FILES)
    upload = io.BytesIO(response.content)
    upload.name = "my-sgd.zip"
    response = instructor_client.post(page("author_exercise_import"), {"file": upload, "slug": "my-sgd-copy"})
    assert response.status_code == 302
    copy = AuthoredExercise.objects.get(slug="my-sgd-copy")
    fields = ["title", "order", "topics", "statement_md", "starter_source", "reference_source",
              "reference_optimizer", "hyperparameters", "suite", "hints"]  # fmt: skip
    assert {f: getattr(copy, f) for f in fields} == {f: getattr(exercise, f) for f in fields}


def built_in_zip(slug: str) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((EXERCISES_DIR / slug).iterdir()):
            archive.write(path, f"{slug}/{path.name}")
    buffer.seek(0)
    buffer.name = f"{slug}.zip"
    return buffer


def test_a_built_in_exercise_folder_zipped_imports(instructor_client):
    response = instructor_client.post(
        page("author_exercise_import"), {"file": built_in_zip("adam"), "slug": ""}
    )
    assert response.status_code == 400
    assert "built-in" in " ".join(response.context["form"].errors["slug"])
    response = instructor_client.post(
        page("author_exercise_import"), {"file": built_in_zip("adam"), "slug": "my-adam"}
    )
    assert response.status_code == 302
    row = AuthoredExercise.objects.get(slug="my-adam")
    adam = get_exercise("adam")
    assert (row.title, row.reference_source, row.reference_optimizer) == (
        "Adam",
        adam.reference_source,
        "adam",
    )


def test_a_hostile_zip_gets_a_clear_error_on_the_page(instructor_client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("../../etc/info.yaml", "title: x")
    buffer.seek(0)
    buffer.name = "evil.zip"
    response = instructor_client.post(page("author_exercise_import"), {"file": buffer})
    assert response.status_code == 400
    assert "unsafe path" in " ".join(response.context["form"].errors["file"])
    assert not AuthoredExercise.objects.exists()


# ---------------------------------------------------------------- students


@pytest.fixture
def published(instructor_client, exercise, drain):
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    drain()
    instructor_client.post(page("author_exercise_publish", exercise.slug))
    exercise.refresh_from_db()
    assert exercise.is_published
    instructor_client.logout()
    return exercise


def test_students_reach_a_published_exercise_through_a_course_and_the_worker_grades_it(
    client, instructor, student, second_student, published, worker_sandbox
):
    course = course_create(owner=instructor, name="Optimizers")
    now = timezone.now()
    assignment_create(
        course=course,
        kind=AssignmentKind.EXERCISE,
        exercise_slug=published.slug,
        opens_at=now - timedelta(days=1),
        due_at=now + timedelta(days=7),
    )
    enrollment_join(student=student, code=course.code)

    client.force_login(second_student)  # in no course
    assert "My SGD" not in client.get(reverse("grading:exercises")).content.decode()
    assert client.get(reverse("grading:exercise", args=[published.slug])).status_code == 404

    client.force_login(student)
    assert "My SGD" in client.get(reverse("grading:exercises")).content.decode()
    assert client.get(reverse("grading:exercise", args=[published.slug])).status_code == 200
    response = client.post(reverse("grading:exercise", args=[published.slug]), {"source": SGD_WITHOUT_LR})
    assert response.status_code == 302
    submission = Submission.objects.get(student=student)
    assert submission.exercise_slug == "my-sgd"
    assert tasks.grade_submission(submission.pk) == "graded"
    submission.refresh_from_db()
    assert submission.status == "graded" and not submission.passed
    assert submission.verdict["diagnosis"][0]["name"] == "lr-not-used"
    assert client.get(reverse("grading:submission", args=[submission.pk])).status_code == 200


def test_an_unpublished_exercise_cannot_be_opened_or_submitted_to(student_client, exercise):
    assert student_client.get(reverse("grading:exercise", args=[exercise.slug])).status_code == 404
    assert (
        student_client.post(reverse("grading:exercise", args=[exercise.slug]), {"source": "x"}).status_code
        == 404
    )


def test_a_course_offers_the_published_exercises_its_instructor_may_view_and_no_others(
    client, instructor, second_instructor, published
):
    from courses.forms import AssignmentForm

    offered = str(AssignmentForm(user=instructor)["target"])
    assert "exercise:my-sgd" in offered and "exercise:adam" in offered
    assert "exercise:my-sgd" not in str(AssignmentForm(user=second_instructor)["target"])
    course = course_create(owner=second_instructor, name="Elsewhere")
    client.force_login(second_instructor)
    now = timezone.now()
    response = client.post(
        reverse("courses:assignment_new", args=[course.pk]),
        {
            "target": "exercise:my-sgd",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "due_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400
    assert not course.assignments.exists()


def test_no_caller_can_submit_to_an_exercise_the_student_was_not_given(second_student, published):
    from grading.services import SubmissionRejected, submission_create

    with pytest.raises(SubmissionRejected, match="no exercise called"):
        submission_create(student=second_student, exercise=published.slug, source=SGD_WITHOUT_LR)
    assert not Submission.objects.exists()


def test_an_authors_reference_runs_only_in_the_sandbox(instructor_client, exercise, drain, tmp_path):
    """Validation probes the mistake families on the trusted side; the author's own code never runs there."""
    marker = tmp_path / "ran-outside-the-sandbox"
    reference = f"import pathlib\ntry:\n    pathlib.Path({str(marker)!r}).write_text('x')\nexcept OSError:\n    pass\n"
    reference += content_of(get_exercise("sgd"))["reference_source"]
    instructor_client.post(page("author_exercise_edit", exercise.slug), form_data(reference_source=reference))
    instructor_client.post(page("author_exercise_validate", exercise.slug))
    drain()
    instructor_client.post(page("author_exercise_preview", exercise.slug), {"source": reference})
    drain()
    exercise.refresh_from_db()
    assert exercise.validation["reference"]["score"] == 1.0  # it did run, in the sandbox
    assert {f["name"]: f["status"] for f in exercise.validation["families"]}["sign-flipped"] == "named"
    assert not marker.exists()


def test_a_submission_to_an_exercise_unpublished_meanwhile_gets_a_clear_reason(student, published):
    from grading.services.authoring import authored_unpublish

    submission = Submission.objects.create(
        student=student, exercise_slug=published.slug, source=SGD_WITHOUT_LR
    )
    authored_unpublish(exercise=published)
    assert tasks.grade_submission(submission.pk) == "grader-error"
    submission.refresh_from_db()
    assert submission.status == "error" and "no longer published" in submission.grading_error
