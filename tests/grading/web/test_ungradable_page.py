"""The result of a submission that could not be graded, and the code listing its line links point to."""

from django.urls import reverse

from grading.models import Submission
from grading.verdict import SandboxOutcome, Verdict

SOURCE = "\nimport numpy as np\ndef init_state(params)\n    return {}\n"


def ungradable(student) -> Submission:
    verdict = Verdict.error(
        SandboxOutcome.LOAD_ERROR,
        "Your file could not be loaded: SyntaxError: expected ':' (line 3: `def init_state(params)`).",
    )
    return Submission.objects.create(
        student=student,
        exercise_slug="sgd",
        source=SOURCE,
        status=Submission.Status.GRADED,
        verdict=verdict.to_dict(),
        score=0.0,
    )


def test_an_ungradable_submission_shows_advice_for_its_error_and_no_score(student_client, student):
    submission = ungradable(student)
    page = student_client.get(reverse("grading:submission", args=[submission.pk])).content.decode()
    assert "Could not be graded: Python could not read your code" in page
    assert "missing colon" in page
    assert "score 0%" not in page and "0%" not in page
    assert "not gradable" in page  # the history badge, without a score


def test_line_references_link_to_the_numbered_line_of_the_submitted_code(student_client, student):
    submission = ungradable(student)
    page = student_client.get(reverse("grading:submission", args=[submission.pk])).content.decode()
    assert '<a class="line-ref" href="#L3" data-line="3">line 3</a>' in page
    # The listing keeps the leading empty line, so line 3 is the `def` the grader quotes.
    assert (
        '<span class="code-line" id="L1"><span class="line-no" aria-hidden="true">1</span>\n</span>' in page
    )
    assert 'id="L3"><span class="line-no" aria-hidden="true">3</span>def init_state(params)' in page


def test_the_editor_keeps_a_leading_empty_line_of_the_last_submission(student_client, student):
    ungradable(student)
    page = student_client.get(reverse("grading:exercise", args=["sgd"])).content.decode()
    # HTML drops one line break right after <textarea>: the template writes one, so the code's own stays.
    assert 'data-editor="python" aria-describedby="editor-help">\n\nimport numpy as np' in page
