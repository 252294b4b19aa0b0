"""Code analytics: pass rate, submissions until the first pass, common diagnoses with examples."""

from datetime import timedelta

import pytest

from courses.models import AssignmentKind
from courses.services.code_analytics import exercise_analytics
from courses.services.courses import assignment_create
from tests.courses.conftest import DUE, OPENS, graded_submission

NO_BIAS = {"name": "missing-bias-correction", "title": "No bias correction"}
SIGN = {"name": "wrong-sign", "title": "Gradient sign flipped"}


@pytest.fixture
def adam_work(course, make_user, enrol):
    """ann passes on her 3rd try, bob on his 1st, cat never; dan (not enrolled) must not count."""
    assignment = assignment_create(
        course=course, kind=AssignmentKind.EXERCISE, exercise_slug="adam", opens_at=OPENS, due_at=DUE
    )
    ann, bob, cat, dan = (make_user(name) for name in ("ann", "bob", "cat", "dan"))
    for student in (ann, bob, cat):
        # Joined before the work below: an instructor sees only what was submitted after joining.
        enrollment = enrol(student)
        type(enrollment).objects.filter(pk=enrollment.pk).update(joined_at=OPENS)
    t = OPENS + timedelta(days=1)
    graded_submission(ann, "adam", passed=False, score=0.3, at=t, diagnosis=[NO_BIAS])
    graded_submission(
        ann, "adam", passed=False, score=0.4, at=t + timedelta(hours=1), diagnosis=[NO_BIAS, SIGN]
    )
    graded_submission(ann, "adam", passed=True, score=1.0, at=t + timedelta(hours=2))
    graded_submission(
        ann, "adam", passed=False, score=0.5, at=t + timedelta(hours=3), diagnosis=[SIGN]
    )  # after pass
    graded_submission(bob, "adam", passed=True, score=1.0, at=t)
    graded_submission(cat, "adam", passed=False, score=0.1, at=t, diagnosis=[NO_BIAS])
    graded_submission(dan, "adam", passed=False, score=0.1, at=t, diagnosis=[NO_BIAS])
    graded_submission(cat, "sgd", passed=False, score=0.1, at=t, diagnosis=[SIGN])  # another exercise
    return assignment


def test_pass_rates_and_attempts_until_first_pass(course, adam_work):
    analytics = exercise_analytics(course=course, exercise_slug="adam")
    assert (analytics.enrolled, analytics.students_submitted, analytics.students_passed) == (3, 3, 2)
    assert analytics.student_pass_rate == pytest.approx(2 / 3)
    assert (analytics.graded_submissions, analytics.passed_submissions) == (6, 2)
    # ann needed 3 submissions, bob 1: median (1 + 3) / 2 = 2, mean 2
    assert analytics.attempts_until_pass_median == 2
    assert analytics.attempts_until_pass_mean == pytest.approx(2.0)


def test_common_diagnoses_are_counted_with_recent_examples(course, adam_work):
    diagnoses = exercise_analytics(course=course, exercise_slug="adam").diagnoses
    assert [(d.name, d.submissions, d.students) for d in diagnoses] == [
        ("missing-bias-correction", 3, 2),  # ann twice, cat once (dan is not in the course)
        ("wrong-sign", 2, 1),
    ]
    assert diagnoses[0].title == "No bias correction"
    assert len(diagnoses[0].example_ids) == 3


def test_analytics_page_links_to_example_submissions(instructor_client, course, adam_work):
    page = instructor_client.get(
        f"/courses/{course.pk}/assignments/{adam_work.pk}/statistics/"
    ).content.decode()
    assert "No bias correction" in page
    example = exercise_analytics(course=course, exercise_slug="adam").diagnoses[0].example_ids[0]
    assert f'href="/grading/submissions/{example}/"' in page


def test_no_submissions_means_no_rates(course):
    analytics = exercise_analytics(course=course, exercise_slug="sgd")
    assert analytics.student_pass_rate is None and analytics.attempts_until_pass_median is None
    assert analytics.diagnoses == []
