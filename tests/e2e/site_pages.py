"""Every page of the site, as each role sees it: the addresses the page audits load in a browser.

The list is derived from the permission table (`tests/test_permission_table.py`): every URL pattern
has a row there saying who may GET it, so a new page is audited as soon as its row exists. A row
is loaded for a role when that role's GET outcome is 200 (pages that send the role elsewhere are
audited where they land: the log-in page, the attempt page). Extra addresses cover what the bare
patterns do not show: an attempt holding every item kind, a review, graded and ungradable
submissions, the playground with results, a quiz's "needs grading" queue holding an essay, a
gradebook cell of a student without work (the world's quiz assignment carries a late penalty, an
extension and an override, so the gradebook pages show their badges and audit log), the new-item
form of every kind and its YAML tab.

Skipped, with the reason:
- the Django admin (`admin:*`): Django's own pages, only for staff, who are not one of the roles;
- `healthz`, `readyz`, and the JSON API (`api_v1:*`): JSON for machines, not pages; the API's docs
  page (`api_v1:openapi-view`) is the Swagger UI library's own markup, not ours;
- `lti:jwks`: JSON, not a page; `lti:login`, `lti:launch`: reached only from an LMS (400 otherwise);
- `grading:submission_status`, `grading:submission_result`: a JSON poll and an HTML fragment that
  the submission page fetches and shows (audited there);
- `grading:exercise_starter`, `grading:challenge_starter`, `quizzes:author_bank_export`,
  `courses:gradebook_csv`, `grading:author_exercise_export`: plain-text, YAML, CSV and zip downloads;
- `quizzes:media`: an image or file of a bank, shown inside the item's page (audited there);
- POST-only endpoints (405 on GET): `logout`, `quizzes:start`, `quizzes:answer`, `quizzes:finish`,
  `progress:leaderboard_setting`, `courses:new`, `courses:regenerate_code`, `courses:remove_student`,
  `courses:assignment_new`, `courses:assignment_delete`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.urls import reverse
from django.utils import timezone

ROLES = ("anonymous", "student", "instructor")
# The permission table's actor for each role.
ACTOR = {"anonymous": "anon", "student": "student", "instructor": "owner"}
PASSWORD = "pass-word-123"  # the permission table's users' password

NOT_PAGES = {
    "healthz",
    "readyz",
    "lti:jwks",
    "lti:login",
    "lti:launch",
    "grading:submission_status",
    "grading:submission_result",
    "grading:exercise_starter",
    "grading:challenge_starter",
    "quizzes:media",
    "quizzes:author_bank_export",
    "courses:gradebook_csv",
    "grading:author_exercise_export",
}

AXE = Path(__file__).parent / "vendor" / "axe.min.js"

KINDS_BANKS = ("calculations-momentum.yaml", "concepts-momentum.yaml")  # every kind, 4-column tables
KINDS = (
    "single", "multiple", "truefalse", "ordering", "numeric", "calculation", "symbolic", "table", "cloze", "essay",
)  # fmt: skip
ALL_KINDS = (*KINDS, "shortanswer", "matching", "description")  # the item form of each is audited


@dataclass(frozen=True)
class SitePage:
    name: str  # the URL pattern's name, or a short description for the extra addresses
    path: str


def build_world():
    """The permission table's world plus the objects that give the pages something to show."""
    from django.conf import settings

    from grading.models import Submission
    from grading.verdict import SandboxOutcome, Verdict, VerdictStatus
    from quizzes.models import Quiz, QuizRule
    from quizzes.services.attempts import attempt_finish, attempt_start
    from quizzes.services.banks import bank_import
    from tests.test_permission_table import World

    world = World()
    owner, student = world.users["owner"], world.users["student"]
    for name in KINDS_BANKS:
        text = (Path(settings.BASE_DIR) / "content" / "banks" / name).read_text(encoding="utf-8")
        report = bank_import(text=text, fmt="yaml", filename=name, owner=owner)
        assert report.ok, report.problems
    kinds_quiz = Quiz.objects.create(slug="every-kind", title="Every kind", owner=owner)
    for position, kind in enumerate(KINDS):
        QuizRule.objects.create(quiz=kinds_quiz, kinds=[kind], count=1, position=position)
    world.kinds_attempt = attempt_start(quiz=kinds_quiz, student=student)
    drawn = set(world.kinds_attempt.attempt_items.values_list("item__kind", flat=True))
    assert drawn == set(KINDS), f"the every-kind attempt drew {sorted(drawn)}"
    finished = Quiz.objects.create(slug="finished-quiz", title="A finished quiz", owner=owner)
    for position, kind in enumerate(KINDS):
        QuizRule.objects.create(quiz=finished, kinds=[kind], count=1, position=position)
    world.finished_attempt = attempt_finish(attempt=attempt_start(quiz=finished, student=student))
    _grade_changes(world, owner, student)

    now = timezone.now()
    failed = Verdict(
        status=VerdictStatus.FAILED,
        score=0.4,
        fidelity=0.3,
        convergence=0.5,
        message="On “A bowl” your trajectory leaves the reference at step 1.",
        sandbox_outcome=SandboxOutcome.COMPLETED,
        step_calls=120,
        diagnosis=[{"name": "sign", "title": "Wrong sign", "explanation": "You climb the gradient."}],
        output="hello from step\n",
        problems=[
            {
                "id": "bowl",
                "title": "A bowl",
                "fidelity": 0.3,
                "convergence": 0.5,
                "first_divergent_step": 1,
                "first_divergent_label": "x[0]",
                "first_divergent_param": "x",
                "student_value": 1.5,
                "reference_value": 0.5,
                "final_loss": 3.25,
                "reference_final_loss": 0.001,
                "steps_to_tol": None,
                "reference_steps_to_tol": 12,
                "error": None,
                "diverged_at": None,
            }
        ],
    )
    world.failed_submission = _graded(student, failed, now)
    crashed = Verdict.error(
        SandboxOutcome.LOAD_ERROR,
        "Your file could not be loaded: SyntaxError: invalid syntax (line 2: `def step(`).",
    )
    world.error_submission = _graded(student, crashed, now)
    world.submission_model = Submission

    # The instructor-written exercise: assigned in the course (so the student reaches it), with
    # a validation report that has something to show on its page, and a preview with a verdict.
    from courses.models import AssignmentKind
    from courses.services.courses import assignment_create
    from grading.authoring.validation import FamilyCheck, RunCheck, ValidationReport
    from grading.models import AuthoredExercise

    assignment_create(
        course=world.course,
        kind=AssignmentKind.EXERCISE,
        exercise_slug=world.authored.slug,
        opens_at=now - timedelta(days=1),
        due_at=now + timedelta(days=7),
    )
    report = ValidationReport(
        ok=False,
        problems=[
            "The suite cannot tell “The learning rate is not applied” (lr-not-used) from the correct rule."
        ],
        reference=RunCheck("passed", 1.0, "All problems match."),
        starter=RunCheck("failed", 0.2, "Not yet right."),
        families=[
            FamilyCheck("sign-flipped", "Your update moves uphill", "named"),
            FamilyCheck(
                "lr-not-used", "The learning rate is not applied", "NOT TOLD APART", ["lr-applied-twice"]
            ),
        ],
    )
    AuthoredExercise.objects.filter(pk=world.authored.pk).update(validation=report.to_dict())
    return world


def _grade_changes(world, owner, student) -> None:
    """A late penalty, an extension and an override, so the gradebook pages show their badges and log."""
    from courses.services.courses import assignment_update
    from courses.services.grade_changes import extension_set, override_set

    assignment = world.quiz_assignment
    assignment_update(
        assignment=assignment,
        opens_at=assignment.opens_at,
        due_at=assignment.due_at,
        weight=2,
        late_penalty_per_day=10,
        late_penalty_cap=30,
    )
    common = {"assignment": assignment, "student_id": student.pk, "actor": owner}
    extension_set(
        due_at=assignment.due_at + timedelta(days=2), reason="A week of illness, with a note.", **common
    )
    override_set(score=0.85, reason="Question 1 was ambiguous; marked by hand.", **common)


def _graded(student, verdict, now):
    from grading.models import Submission

    return Submission.objects.create(
        student=student,
        exercise_slug="sgd",
        source="import numpy as np\ndef step(\n",
        status=Submission.Status.GRADED,
        verdict=verdict.to_dict(),
        score=verdict.score,
        passed=False,
        graded_at=now,
    )


def pages_for(role: str, world) -> list[SitePage]:
    """The addresses to audit as `role`, each once."""
    from tests.test_permission_table import ALL_ROWS, _address

    actor = ACTOR[role]
    pages = []
    for row in ALL_ROWS:
        if row.name.startswith(("admin", "api_v1:")) or row.name in NOT_PAGES or "/" in row.name:
            continue
        if row.get[actor] != "200":
            continue
        pages.append(SitePage(row.name, _address(row, world)))
    if role == "student":
        pages += [
            SitePage(
                "attempt with every item kind", reverse("quizzes:attempt", args=[world.kinds_attempt.pk])
            ),
            SitePage(
                "review of a finished attempt", reverse("quizzes:review", args=[world.finished_attempt.pk])
            ),
        ]
    if role == "instructor":
        # The item form shows each kind's own fields; the YAML tab is the advanced view.
        create = reverse("quizzes:author_item_create", kwargs={"slug": world.bank.slug})
        pages += [SitePage(f"new {kind} item, form", f"{create}?kind={kind}") for kind in ALL_KINDS]
        pages.append(SitePage("new item, YAML tab", f"{create}?kind=calculation&mode=yaml"))
        pages.append(
            SitePage(
                "needs grading queue with an essay",
                reverse("quizzes:author_quiz_grading", args=[world.essay_quiz.slug]),
            )
        )
    if role == "instructor":
        pages.append(
            SitePage(
                "gradebook cell of a student without work",
                reverse(
                    "courses:grade_cell",
                    args=[world.course.pk, world.users["student"].pk, world.finished_quiz_assignment.pk],
                ),
            )
        )
    if role == "student":
        pages.append(
            SitePage("instructor-written exercise", reverse("grading:exercise", args=[world.authored.slug]))
        )
    if role in ("student", "instructor"):
        pages += [
            SitePage("failed submission", reverse("grading:submission", args=[world.failed_submission.pk])),
            SitePage(
                "ungradable submission", reverse("grading:submission", args=[world.error_submission.pk])
            ),
        ]
    seen, unique = set(), []
    for page in pages:
        if page.path not in seen:
            seen.add(page.path)
            unique.append(page)
    return unique


def log_in_as(page, role: str, world) -> None:
    from tests.e2e.conftest import log_in

    if role != "anonymous":
        log_in(page, world.users[ACTOR[role]].username, PASSWORD)


def horizontal_overflow(page) -> int | None:
    """How many pixels the page is wider than the viewport, or None when it fits."""
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    return width - inner if width > inner else None


def axe_violations(page) -> list[dict]:
    """Run axe-core on the loaded page: every violation (any impact) with its nodes' selectors."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')),
            }));
        }"""
    )


def describe(violations: list[dict]) -> str:
    return "; ".join(
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}×: {', '.join(v['nodes'][:3])})" for v in violations
    )
