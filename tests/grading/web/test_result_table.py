"""The per-problem table of a graded submission: yours and the reference side by side in one cell."""

import re

from django.urls import reverse
from django.utils import timezone

from grading.models import Submission

PROBLEM = {
    "id": "not-a-case",  # no plots: this test is about the table
    "title": "A coordinate whose gradient is always zero",
    "fidelity": 0.0,
    "convergence": 1.0,
    "first_divergent_step": 3,
    "first_divergent_param": "0[1]",
    "first_divergent_label": "θ[1]",
    "student_value": None,
    "reference_value": 1.95,
    "final_loss": 0.0003951,
    "reference_final_loss": None,
    "steps_to_tol": None,
    "reference_steps_to_tol": 45,
    "diverged_at": None,
    "error": None,
}


def graded(student, problems):
    verdict = {
        "status": "failed",
        "score": 0.5,
        "fidelity": 0.0,
        "convergence": 1.0,
        "step_calls": 10,
        "message": "Not yet.",
        "problems": problems,
    }
    return Submission.objects.create(
        student=student,
        exercise_slug="adam",
        source="pass",
        status=Submission.Status.GRADED,
        verdict=verdict,
        graded_at=timezone.now(),
    )


def result_fragment(client, submission) -> str:
    return client.get(reverse("grading:submission_result", args=[submission.pk])).content.decode()


def test_each_row_pairs_yours_with_the_reference_in_six_labelled_columns(student_client, student):
    fragment = result_fragment(student_client, graded(student, [PROBLEM]))
    table = fragment[fragment.index('<table class="problem-table">') : fragment.index("</table>")]
    assert len(re.findall(r'<th scope="col">', table)) == 6
    # Every value cell names its column, which the narrow-screen layout shows as the label.
    labels = re.findall(r'<td data-label="([^"]+)">', table)
    assert labels == ["Fidelity", "Convergence", "First departure", "Final loss", "Steps to tolerance"]
    assert table.count('<dl class="pair">') == 3
    assert '<th scope="row" class="problem-name">A coordinate whose gradient is always zero' in table


def test_missing_values_read_as_not_finite_or_never(student_client, student):
    table = result_fragment(student_client, graded(student, [PROBLEM]))
    pairs = re.findall(r"<dt>(yours|reference)</dt><dd class=\"num\">([^<]*)</dd>", table)
    assert pairs == [
        ("yours", "not finite"),
        ("reference", "1.95"),
        ("yours", "0.0003951"),
        ("reference", "not finite"),
        ("yours", "never"),
        ("reference", "45"),
    ]
    assert "step 3, <code>θ[1]</code>" in table
