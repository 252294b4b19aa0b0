from django.test import Client

from courses.services.gradebook import course_gradebook
from courses.services.gradebook_csv import gradebook_csv
from tests.api.test_submissions import _graded


def test_course_gradebook_json_gives_each_students_cells(api_as, course, people):
    _graded(people["student"])
    body = api_as("viewer").get(f"/courses/{course.pk}/gradebook").json()
    assert body["course"] == "API course"
    [assignment] = body["assignments"]
    assert (assignment["kind"], assignment["target"]) == ("exercise", "sgd")
    [row] = body["rows"]
    assert row["student"] == "stan"
    [cell] = row["cells"]
    assert cell["assignment_id"] == assignment["id"]
    assert (cell["best"], cell["latest"], cell["attempts"]) == (0.5, 0.5, 1)
    assert (cell["raw"], cell["final"], cell["adjusted"]) == (0.5, 0.5, "")
    assert row["total"] == 0.5 and assignment["weight"] == 1.0


def test_course_gradebook_csv_is_the_pages_file(api_as, course, people):
    _graded(people["student"])
    response = api_as("owner").get(f"/courses/{course.pk}/gradebook.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content == gradebook_csv(course_gradebook(course=course))
    page = Client()
    page.force_login(people["owner"])
    assert page.get(f"/courses/{course.pk}/gradebook.csv").content == response.content


def test_course_gradebook_of_a_course_the_caller_does_not_teach_is_404(api_as, course):
    for name in ("outsider",):
        assert api_as(name).get(f"/courses/{course.pk}/gradebook").status_code == 404
        assert api_as(name).get(f"/courses/{course.pk}/gradebook.csv").status_code == 404
    assert api_as("student").get(f"/courses/{course.pk}/gradebook").status_code == 403
