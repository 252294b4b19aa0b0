"""Gradebook: best and latest scores, attempt counts, late flags, and the CSV export."""

import csv
import io
from datetime import timedelta

import pytest

from courses.models import AssignmentKind
from courses.services.courses import assignment_create
from courses.services.gradebook import course_gradebook
from courses.services.gradebook_csv import gradebook_csv, safe_text
from quizzes.models import Attempt, AttemptStatus
from tests.courses.conftest import DUE, OPENS, finished_attempt, graded_submission


@pytest.fixture
def exercise_assignment(course):
    return assignment_create(
        course=course, kind=AssignmentKind.EXERCISE, exercise_slug="momentum", opens_at=OPENS, due_at=DUE
    )


@pytest.fixture
def book_data(course, quiz, items, quiz_assignment, exercise_assignment, student, second_student, enrol):
    """sam: two quiz attempts on time (0.5 then 1/3, penalised) and passes momentum after the due date;
    sue: one quiz attempt after the due date, one failing momentum submission."""
    enrol(student)
    enrol(second_student)
    finished_attempt(quiz, student, 1, [(items[0], 1), (items[1], 0)], finished_at=DUE - timedelta(days=2))
    finished_attempt(
        quiz,
        student,
        2,
        [(items[0], 1), (items[1], 0), (items[2], 0)],
        finished_at=DUE - timedelta(days=1),
        penalty=0.1,
    )
    in_progress = finished_attempt(quiz, student, 3, [(items[0], 1)], finished_at=DUE - timedelta(hours=1))
    Attempt.objects.filter(pk=in_progress.pk).update(status=AttemptStatus.IN_PROGRESS, score=None)
    finished_attempt(quiz, second_student, 1, [(items[0], 1)], finished_at=DUE + timedelta(minutes=5))
    graded_submission(student, "momentum", passed=False, score=0.4, at=DUE - timedelta(days=1))
    graded_submission(student, "momentum", passed=True, score=1.0, at=DUE + timedelta(hours=3))
    graded_submission(student, "momentum", passed=False, score=0.3, at=DUE + timedelta(hours=4))
    graded_submission(student, "sgd", passed=True, score=1.0, at=DUE)  # not assigned: ignored
    graded_submission(second_student, "momentum", passed=False, score=0.2, at=DUE - timedelta(days=3))
    return course


def _cells(book):
    return {row.username: row.cells for row in book.rows}


def test_quiz_cells_have_best_latest_attempts_and_late(book_data):
    book = course_gradebook(course=book_data)
    assert [a.kind for a in book.assignments] == ["quiz", "exercise"]  # same due date: created first
    sam, sue = _cells(book)["sam"][0], _cells(book)["sue"][0]
    assert sam.best == pytest.approx(0.5)  # attempt 1: (1 + 0) / 2
    assert sam.latest == pytest.approx(1 / 3 * 0.9)  # attempt 2: 1/3 after a 10% penalty
    assert sam.attempts == 2  # the attempt still in progress has no score and does not count
    assert sam.completed_at == DUE - timedelta(days=2) and not sam.late
    assert sue.best == sue.latest == pytest.approx(1.0)
    assert sue.attempts == 1 and sue.late  # first finished five minutes after the due date


def test_exercise_cells_are_late_when_the_first_pass_came_after_the_due_date(book_data):
    cells = _cells(course_gradebook(course=book_data))
    sam, sue = cells["sam"][1], cells["sue"][1]
    assert (sam.best, sam.latest, sam.attempts) == (pytest.approx(1.0), pytest.approx(0.3), 3)
    assert sam.completed_at == DUE + timedelta(hours=3) and sam.late
    # Never passed: nothing completed, so not late, but the attempt and score are there.
    assert (sue.best, sue.attempts, sue.completed_at, sue.late) == (pytest.approx(0.2), 1, None, False)


def test_students_without_work_have_empty_cells(course, quiz_assignment, make_user, enrol):
    enrol(make_user("idle"))
    (cell,) = course_gradebook(course=course).rows[0].cells
    assert (cell.best, cell.latest, cell.attempts, cell.late) == (None, None, 0, False)


def _parse(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheets use to detect UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_csv_has_one_header_row_and_one_row_per_student(book_data):
    rows = _parse(gradebook_csv(course_gradebook(course=book_data)))
    header, sam, sue = rows
    label = "Momentum check (due 2026-03-01)"
    assert header[:9] == [
        "student",
        "joined (UTC)",
        f"{label}: raw %",
        f"{label}: final %",
        f"{label}: adjusted",
        f"{label}: attempts",
        f"{label}: completed (UTC)",
        f"{label}: late",
        f"{label}: due (UTC)",
    ]
    assert len(header) == 2 + 2 * 7 + 1 and header[-1] == "weighted total %"
    assert sam[0] == "sam" and sue[0] == "sue"
    # Numbers are bare numbers (percent, one decimal); dates are ISO 8601 in UTC.
    due = "2026-03-01 12:00:00"
    assert sam[2:9] == ["50.0", "50.0", "", "2", "2026-02-27 12:00:00", "no", due]
    assert sam[9:16] == ["100.0", "100.0", "", "3", "2026-03-01 15:00:00", "yes", due]
    assert sue[2:9] == ["100.0", "100.0", "", "1", "2026-03-01 12:05:00", "yes", due]
    assert sue[9:16] == ["20.0", "20.0", "", "1", "", "", due]
    assert (sam[16], sue[16]) == ("75.0", "60.0")  # equal weights: the mean of the final scores
    assert float(sam[2]) == 50.0
    assert len(sam[1]) == 10 and sam[1][4] == "-"


def test_csv_quotes_awkward_names_and_defuses_formulas(course, quiz_assignment, make_user, enrol):
    enrol(make_user("=cmd"))
    enrol(make_user("@sum"))
    enrol(make_user("-minus"))
    enrol(make_user("+plus"))
    body = gradebook_csv(course_gradebook(course=course))
    names = [row[0] for row in _parse(body)[1:]]
    assert sorted(names) == sorted(["'=cmd", "'@sum", "'-minus", "'+plus"])


def test_csv_round_trips_commas_quotes_and_accents(course, quiz, make_user, enrol, instructor):
    quiz.title = 'Adam, "bias" & momentum — café'
    quiz.save()
    assignment_create(course=course, kind=AssignmentKind.QUIZ, quiz=quiz, opens_at=OPENS, due_at=DUE)
    enrol(make_user("zoë"))
    body = gradebook_csv(course_gradebook(course=course))
    assert b"\r\n" in body
    header, row = _parse(body)
    assert header[2] == 'Adam, "bias" & momentum — café (due 2026-03-01): raw %'
    assert row[0] == "zoë" and row[2:9] == ["", "", "", "0", "", "", "2026-03-01 12:00:00"]
    assert row[9] == "0.0"  # no work counts 0 in the total


def test_safe_text_only_touches_formula_starts():
    assert safe_text("=1+1") == "'=1+1" and safe_text("\tx") == "'\tx"
    assert safe_text("sam") == "sam" and safe_text("a=b") == "a=b"


def test_csv_download_is_an_attachment(instructor_client, book_data):
    response = instructor_client.get(f"/courses/{book_data.pk}/gradebook.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="gradebook-course-')
    assert [row[0] for row in _parse(response.content)] == ["student", "sam", "sue"]


def test_gradebook_page_shows_scores_and_late_badges(instructor_client, book_data):
    page = instructor_client.get(f"/courses/{book_data.pk}/gradebook/").content.decode()
    assert "sam" in page and "sue" in page
    assert "50%" in page and page.count('class="late-badge" title=') == 2
