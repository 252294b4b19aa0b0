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


def test_a_quiz_cell_with_an_essay_awaiting_grading_says_how_many(api_as, course, people):
    from django.utils import timezone

    from courses.models import AssignmentKind
    from courses.services.courses import assignment_create
    from quizzes.models import Bank, Item, Quiz, QuizRule
    from quizzes.services.attempts import attempt_answer, attempt_finish, attempt_start
    from quizzes.services.manual_grading import grade_answer

    bank = Bank.objects.create(slug="essays", name="Essays", owner=people["owner"])
    Item.objects.create(bank=bank, key="why", kind="essay", stem="Why momentum?", spec={})
    quiz = Quiz.objects.create(slug="essay-quiz", title="Essay quiz", owner=people["owner"], published=True)
    QuizRule.objects.create(quiz=quiz, bank=bank, count=1)
    now = timezone.now()
    assignment_create(
        course=course,
        kind=AssignmentKind.QUIZ,
        quiz=quiz,
        opens_at=now,
        due_at=now + timezone.timedelta(days=1),
    )
    attempt = attempt_start(quiz=quiz, student=people["student"])
    essay = attempt.attempt_items.get()
    attempt_answer(attempt_item=essay, student=people["student"], response="It averages gradients.")
    attempt_finish(attempt=attempt)

    def quiz_cell():
        body = api_as("viewer").get(f"/courses/{course.pk}/gradebook").json()
        quiz_id = next(a["id"] for a in body["assignments"] if a["kind"] == "quiz")
        return next(cell for cell in body["rows"][0]["cells"] if cell["assignment_id"] == quiz_id)

    assert (quiz_cell()["final"], quiz_cell()["awaiting_grading"]) == (0.0, 1)
    grade_answer(attempt_item=essay, score=1.0, comment="", by=people["owner"])
    assert (quiz_cell()["final"], quiz_cell()["awaiting_grading"]) == (1.0, 0)
