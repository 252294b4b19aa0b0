"""Who may GET and who may POST every URL of the site, in one table.

Each row names a URL pattern (its "namespace:name", or its route when it has no name), the
keyword arguments to reverse it with, and the expected outcome for each actor, GET and POST:

    anon     anonymous visitor
    student  a student of the owner's course, who made the attempt and the submission below
    other    another student (in no course)
    owner    the instructor who owns the bank, the quiz and the course
    coauth   an instructor the owner shared the bank and the course with as co-author
    viewer   an instructor the owner shared the bank and the course with as viewer
    outsider another instructor, nothing shared
    staff    a superuser

Outcomes: a status code, "login" (302 to the site's log-in page), "admin" (302 to the admin's
log-in page). POSTs send an empty form: the point is the permission gate, and every request runs
in a savepoint that is rolled back, so one actor's POST never changes what the next one sees.

Every URL pattern of the project must have a row (`test_every_url_pattern_has_a_row`). To add a
URL: add a `Row(...)` below with its outcomes; `outcomes("... 8 tokens ...")` reads them in the
actor order above. The admin's per-model pages are generated from the admin's registry with one
rule (only staff get in), so a newly registered model is covered without a new row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.services import user_create
from api.services.tokens import token_create
from courses.models import AssignmentKind, CourseShare
from courses.services.challenge import challenge_set_enabled
from courses.services.courses import assignment_create, course_create, enrollment_join
from grading.authoring.content import content_of
from grading.exercises import get_exercise
from grading.models import AuthoredExercise, AuthoredExerciseShare, Submission
from grading.services.authoring import authored_create
from quizzes.models import Bank, BankMedia, BankShare, Item, Quiz, QuizRule, ShareRole
from quizzes.services.attempts import attempt_answer, attempt_finish, attempt_start
from quizzes.services.versions import item_version_current

ACTORS = ("anon", "student", "other", "owner", "coauth", "viewer", "outsider", "staff")
EXERCISE = "sgd"


def outcomes(text: str) -> dict[str, str]:
    tokens = text.split()
    assert len(tokens) == len(ACTORS), f"{text!r}: one outcome per actor ({', '.join(ACTORS)})"
    return dict(zip(ACTORS, tokens, strict=True))


# Shorthands for the common shapes.         anon   student other  owner coauth viewer outsider staff
EVERYONE = outcomes("                        200    200     200    200   200    200    200      200")
LOGGED_IN = outcomes("                       login  200     200    200   200    200    200      200")
INSTRUCTORS = outcomes("                     login  403     403    200   200    200    200      200")
INSTRUCTORS_405 = outcomes("                 login  403     403    405   405    405    405      405")
INSTRUCTORS_400 = outcomes("                 login  403     403    400   400    400    400      400")
BANK_VIEW = outcomes("                       login  403     403    200   200    200    404      200")
BANK_EDIT = outcomes("                       login  403     403    200   200    404    404      200")
BANK_OWN = outcomes("                        login  403     403    200   404    404    404      200")
QUIZ_OWN = outcomes("                        login  403     403    200   404    404    404      200")
COURSE_VIEW = outcomes("                     login  403     403    200   200    200    404      200")
COURSE_EDIT_POST = outcomes("                login  403     403    302   302    404    404      302")
COURSE_OWN = outcomes("                      login  403     403    200   404    404    404      200")
ATTEMPT_GET = outcomes("                     login  200     404    404   404    404    404      404")
SUBMISSION = outcomes("                      login  200     404    200   200    200    404      200")
ADMIN_ONLY = outcomes("                      admin  admin   admin  admin admin  admin  admin    200")
ADMIN_ONLY_302 = outcomes("                  admin  admin   admin  admin admin  admin  admin    302")
ADMIN_ONLY_405 = outcomes("                  admin  admin   admin  admin admin  admin  admin    405")
ADMIN_ONLY_403 = outcomes("                  admin  admin   admin  admin admin  admin  admin    403")
ADMIN_ONLY_404 = outcomes("                  admin  admin   admin  admin admin  admin  admin    404")
LOGIN_405 = outcomes("                       login  405     405    405   405    405    405      405")
# The JSON API answers 401 (not a redirect) to callers who are neither logged in nor send a token.
ALL_405 = outcomes("                         405    405     405    405   405    405    405      405")
API_LOGGED_IN = outcomes("                   401    200     200    200   200    200    200      200")
API_INSTRUCTORS = outcomes("                 401    403     403    200   200    200    200      200")
API_BANK_VIEW = outcomes("                   401    403     403    200   200    200    404      200")
API_QUIZ_OWN = outcomes("                    401    403     403    200   404    404    404      200")
API_COURSE_VIEW = outcomes("                 401    403     403    200   200    200    404      200")
API_SUBMISSION = outcomes("                  401    200     404    200   200    200    404      200")
# An empty form is not the JSON body these expect: refused (400) before anything is looked up.
API_BAD_BODY = outcomes("                    401    400     400    400   400    400    400      400")


@dataclass
class Row:
    name: str  # "namespace:name", or the full route of an unnamed pattern (or a callable giving it)
    get: dict[str, str]
    post: dict[str, str]
    kwargs: dict = field(default_factory=dict)  # values, or callables of the world (see `World`)
    path: str | None = None  # for unnamed patterns: the address to request


def bank(world):
    return world.bank.slug


def item_kwargs(world):
    return {"slug": world.bank.slug, "key": world.item.key}


def quiz(world):
    return world.quiz.slug


def media_kwargs(world):
    return {"digest": world.media.digest, "name": world.media.name}


def attempt(world):
    return world.attempt.pk


def course(world):
    return world.course.pk


def submission(world):
    return world.submission.pk


def authored(world):
    return world.authored.slug


ROWS = [
    # Site and accounts
    Row("home", get=EVERYONE, post=EVERYONE),
    Row(
        "signup",
        get=outcomes("200 302 302 302 302 302 302 302"),
        post=outcomes("200 302 302 302 302 302 302 302"),
    ),
    Row("login", get=EVERYONE, post=EVERYONE),
    Row(
        "logout",
        get=outcomes("405 405 405 405 405 405 405 405"),
        post=outcomes("302 302 302 302 302 302 302 302"),
    ),
    Row("password_change", get=LOGGED_IN, post=LOGGED_IN),
    Row("password_change_done", get=LOGGED_IN, post=LOGIN_405),
    # Quizzes, for students
    Row("quizzes:list", get=EVERYONE, post=EVERYONE),
    Row("quizzes:detail", kwargs={"slug": quiz}, get=EVERYONE, post=EVERYONE),
    Row(
        "quizzes:start",
        kwargs={"slug": quiz},
        get=outcomes("login 405 405 405 405 405 405 405"),
        post=outcomes("login 302 302 302 302 302 302 302"),
    ),
    Row("quizzes:attempt", kwargs={"attempt_id": attempt}, get=ATTEMPT_GET, post=ATTEMPT_GET),
    Row(
        "quizzes:answer",
        kwargs={"attempt_id": attempt, "position": 1},
        get=outcomes("login 405 405 405 405 405 405 405"),
        post=outcomes("login 302 404 404 404 404 404 404"),
    ),
    Row(
        "quizzes:preview_expression",
        kwargs={"attempt_id": attempt, "position": 1},
        get=outcomes("login 400 404 404 404 404 404 404"),
        post=LOGIN_405,
    ),
    Row(
        "quizzes:draft",
        kwargs={"attempt_id": attempt, "position": 1},
        get=outcomes("login 405 405 405 405 405 405 405"),
        post=outcomes("login 400 404 404 404 404 404 404"),  # item 1 is answered: its draft is refused
    ),
    Row(
        "quizzes:finish",
        kwargs={"attempt_id": attempt},
        get=outcomes("login 200 404 404 404 404 404 404"),
        post=outcomes("login 302 404 404 404 404 404 404"),
    ),
    Row(
        "quizzes:review",
        kwargs={"attempt_id": attempt},
        get=outcomes("login 302 404 404 404 404 404 404"),
        post=outcomes("login 302 404 404 404 404 404 404"),
    ),
    # Quizzes, authoring: banks and items
    # An image the table item shows: its bank's readers, and the student whose attempt drew the item.
    Row(
        "quizzes:media",
        kwargs=media_kwargs,
        get=outcomes("login 200 404 200 200 200 404 200"),
        post=LOGIN_405,
    ),
    Row("quizzes:author_banks", get=INSTRUCTORS, post=INSTRUCTORS),
    Row("quizzes:author_bank_create", get=INSTRUCTORS, post=INSTRUCTORS),
    Row("quizzes:author_import", get=INSTRUCTORS, post=INSTRUCTORS),
    # A large import's job page is its instructor's alone: a job unknown to the user (here, all) is 404.
    Row(
        "quizzes:author_import_job",
        kwargs={"job_id": "j" * 32},
        get=outcomes("login 403 403 404 404 404 404 404"),
        post=INSTRUCTORS_405,
    ),
    Row("quizzes:author_bank", kwargs={"slug": bank}, get=BANK_VIEW, post=BANK_VIEW),
    Row("quizzes:author_bank_edit", kwargs={"slug": bank}, get=BANK_EDIT, post=BANK_EDIT),
    Row(
        "quizzes:author_bank_delete",
        kwargs={"slug": bank},
        get=BANK_OWN,
        # The bank has answered items, so the delete is refused with a redirect back.
        post=outcomes("login 403 403 302 404 404 404 302"),
    ),
    Row(
        "quizzes:author_bank_sharing",
        kwargs={"slug": bank},
        get=BANK_OWN,
        post=outcomes("login 403 403 400 404 404 404 400"),
    ),
    Row("quizzes:author_bank_validate", kwargs={"slug": bank}, get=BANK_VIEW, post=BANK_VIEW),
    Row("quizzes:author_bank_export", kwargs={"slug": bank}, get=BANK_VIEW, post=BANK_VIEW),
    Row(
        "quizzes:author_item_create",
        kwargs={"slug": bank},
        get=BANK_EDIT,
        post=outcomes("login 403 403 400 400 404 404 400"),
    ),
    Row(
        "quizzes:author_item_preview",
        kwargs=item_kwargs,
        get=BANK_VIEW,
        post=BANK_VIEW,  # the try-it form: viewers may try an item
    ),
    Row(
        "quizzes:author_item_edit",
        kwargs=item_kwargs,
        get=BANK_EDIT,
        post=outcomes("login 403 403 400 400 404 404 400"),
    ),
    Row(
        "quizzes:author_item_delete",
        kwargs=item_kwargs,
        get=BANK_EDIT,
        # The item has an answered attempt, so the delete is refused with a redirect back.
        post=outcomes("login 403 403 302 302 404 404 302"),
    ),
    Row(
        "quizzes:author_item_versions",
        kwargs=item_kwargs,
        get=BANK_VIEW,
        post=outcomes("login 403 403 405 405 405 405 405"),
    ),
    Row(
        "quizzes:author_item_regrade",
        kwargs=lambda world: {**item_kwargs(world), "number": 1},
        get=BANK_EDIT,
        post=outcomes("login 403 403 302 302 404 404 302"),
    ),
    # Quizzes, authoring: quizzes (a quiz has its owner only)
    Row("quizzes:author_quizzes", get=INSTRUCTORS, post=INSTRUCTORS),
    Row("quizzes:author_quiz_create", get=INSTRUCTORS, post=INSTRUCTORS),
    Row("quizzes:author_quiz", kwargs={"slug": quiz}, get=QUIZ_OWN, post=QUIZ_OWN),
    Row("quizzes:author_quiz_edit", kwargs={"slug": quiz}, get=QUIZ_OWN, post=QUIZ_OWN),
    Row(
        "quizzes:author_quiz_delete",
        kwargs={"slug": quiz},
        get=QUIZ_OWN,
        # The quiz has attempts, so the delete is refused with a redirect back.
        post=outcomes("login 403 403 302 404 404 404 302"),
    ),
    # The quiz owner's "needs grading" queue (essays of finished attempts) and one answer's grade.
    Row("quizzes:author_quiz_grading", kwargs={"slug": quiz}, get=QUIZ_OWN, post=INSTRUCTORS_405),
    Row(
        "quizzes:author_quiz_grade",
        kwargs=lambda world: {"slug": world.essay_quiz.slug, "attempt_item_id": world.essay_answer.pk},
        get=INSTRUCTORS_405,
        # An empty form is not saved: back to the queue with the reason.
        post=outcomes("login 403 403 302 404 404 404 302"),
    ),
    # Playground
    Row("optimlab:playground", get=EVERYONE, post=EVERYONE),
    # Grading
    Row("grading:exercises", get=EVERYONE, post=EVERYONE),
    Row(
        "grading:exercise",
        kwargs={"slug": EXERCISE},
        get=LOGGED_IN,
        post=outcomes("login 400 400 400 400 400 400 400"),
    ),
    Row("grading:exercise_starter", kwargs={"slug": EXERCISE}, get=LOGGED_IN, post=LOGIN_405),
    Row("grading:submission", kwargs={"submission_id": submission}, get=SUBMISSION, post=LOGIN_405),
    Row("grading:submission_status", kwargs={"submission_id": submission}, get=SUBMISSION, post=LOGIN_405),
    Row("grading:submission_result", kwargs={"submission_id": submission}, get=SUBMISSION, post=LOGIN_405),
    Row("grading:instructor_submissions", get=INSTRUCTORS, post=INSTRUCTORS_405),
    Row("grading:instructor_diagnoses", get=INSTRUCTORS, post=INSTRUCTORS_405),
    # The optimizer challenge: open to everyone logged in (an empty post is a 400: no code)
    Row("grading:challenge", get=LOGGED_IN, post=outcomes("login 400 400 400 400 400 400 400")),
    Row("grading:challenge_starter", get=LOGGED_IN, post=LOGIN_405),
    # Grading, authoring: an exercise is shared as banks are (coauth edits, viewer views)
    Row("grading:author_exercises", get=INSTRUCTORS, post=INSTRUCTORS_405),
    Row("grading:author_exercise_create", get=INSTRUCTORS, post=INSTRUCTORS_400),
    Row("grading:author_exercise_import", get=INSTRUCTORS, post=INSTRUCTORS_400),
    Row("grading:author_exercise", kwargs={"slug": authored}, get=BANK_VIEW, post=INSTRUCTORS_405),
    Row(
        "grading:author_exercise_edit",
        kwargs={"slug": authored},
        get=BANK_EDIT,
        post=outcomes("login 403 403 400 400 404 404 400"),
    ),
    Row(
        "grading:author_exercise_validate",
        kwargs={"slug": authored},
        get=INSTRUCTORS_405,
        post=outcomes("login 403 403 302 302 404 404 302"),
    ),
    Row(
        "grading:author_exercise_publish",
        kwargs={"slug": authored},
        get=INSTRUCTORS_405,
        post=outcomes("login 403 403 302 302 404 404 302"),
    ),
    Row(
        "grading:author_exercise_preview",
        kwargs={"slug": authored},
        get=BANK_VIEW,
        post=outcomes("login 403 403 400 400 400 404 400"),
    ),
    Row("grading:author_exercise_export", kwargs={"slug": authored}, get=BANK_VIEW, post=INSTRUCTORS_405),
    Row(
        "grading:author_exercise_delete",
        kwargs={"slug": authored},
        get=BANK_OWN,
        # The owner (and staff) may delete it: nothing uses it, so the delete goes through (rolled back).
        post=outcomes("login 403 403 302 404 404 404 302"),
    ),
    Row(
        "grading:author_exercise_sharing",
        kwargs={"slug": authored},
        get=BANK_OWN,
        post=outcomes("login 403 403 400 404 404 404 400"),
    ),
    # Progress
    Row("progress:dashboard", get=LOGGED_IN, post=LOGIN_405),
    Row("progress:profile", get=LOGGED_IN, post=LOGIN_405),
    Row(
        "progress:leaderboard_setting",
        get=LOGIN_405,
        post=outcomes("login 302 302 302 302 302 302 302"),
    ),
    # Courses
    Row("courses:list", get=LOGGED_IN, post=LOGIN_405),
    Row("courses:new", get=INSTRUCTORS_405, post=outcomes("login 403 403 302 302 302 302 302")),
    Row("courses:join", get=LOGGED_IN, post=LOGGED_IN),
    Row(
        "courses:detail",
        kwargs={"course_id": course},
        get=outcomes("login 200 404 200 200 200 404 200"),
        post=LOGIN_405,
    ),
    Row("courses:regenerate_code", kwargs={"course_id": course}, get=INSTRUCTORS_405, post=COURSE_EDIT_POST),
    # The course's challenge leaderboard (the table's course has the challenge on): its members only
    Row(
        "courses:challenge",
        kwargs={"course_id": course},
        get=outcomes("login 200 404 200 200 200 404 200"),
        post=LOGIN_405,
    ),
    Row("courses:challenge_enable", kwargs={"course_id": course}, get=INSTRUCTORS_405, post=COURSE_EDIT_POST),
    Row(
        "courses:remove_student",
        kwargs=lambda world: {"course_id": world.course.pk, "student_id": world.users["student"].pk},
        get=INSTRUCTORS_405,
        post=COURSE_EDIT_POST,
    ),
    Row(
        "courses:assignment_new",
        kwargs={"course_id": course},
        get=INSTRUCTORS_405,
        post=outcomes("login 403 403 400 400 404 404 400"),
    ),
    Row(
        "courses:assignment_edit",
        kwargs=lambda world: {"course_id": world.course.pk, "assignment_id": world.quiz_assignment.pk},
        get=outcomes("login 403 403 200 200 404 404 200"),
        post=outcomes("login 403 403 200 200 404 404 200"),
    ),
    Row(
        "courses:assignment_delete",
        kwargs=lambda world: {"course_id": world.course.pk, "assignment_id": world.quiz_assignment.pk},
        get=INSTRUCTORS_405,
        post=COURSE_EDIT_POST,
    ),
    Row(
        "courses:assignment_statistics",
        kwargs=lambda world: {"course_id": world.course.pk, "assignment_id": world.quiz_assignment.pk},
        get=COURSE_VIEW,
        post=outcomes("login 403 403 405 405 405 405 405"),
    ),
    Row(
        "courses:sharing",
        kwargs={"course_id": course},
        get=COURSE_OWN,
        post=outcomes("login 403 403 400 404 404 404 400"),
    ),
    Row("courses:gradebook", kwargs={"course_id": course}, get=COURSE_VIEW, post=INSTRUCTORS_405),
    Row("courses:gradebook_csv", kwargs={"course_id": course}, get=COURSE_VIEW, post=INSTRUCTORS_405),
    # A course's "needs grading" queue: its viewers see it, those who may edit the course grade.
    Row("courses:grading", kwargs={"course_id": course}, get=COURSE_VIEW, post=INSTRUCTORS_405),
    Row(
        "courses:grade",
        kwargs=lambda world: {"course_id": world.course.pk, "attempt_item_id": world.essay_answer.pk},
        get=INSTRUCTORS_405,
        post=COURSE_EDIT_POST,
    ),
    Row("courses:grade_changes", kwargs={"course_id": course}, get=COURSE_VIEW, post=INSTRUCTORS_405),
    Row(
        "courses:grade_cell",
        kwargs=lambda world: {
            "course_id": world.course.pk,
            "student_id": world.users["student"].pk,
            "assignment_id": world.quiz_assignment.pk,
        },
        get=COURSE_VIEW,
        # An empty form names no change: refused (400) once the course is known to be editable.
        post=outcomes("login 403 403 400 400 404 404 400"),
    ),
    Row(
        "courses:student_attempt",
        kwargs=lambda world: {"course_id": world.course.pk, "attempt_id": world.course_attempt.pk},
        get=COURSE_VIEW,
        post=INSTRUCTORS_405,
    ),
    # A student's own grades: only in a course they joined (teachers have the gradebook).
    Row(
        "courses:my_grades",
        kwargs={"course_id": course},
        get=outcomes("login 200 404 404 404 404 404 404"),
        post=LOGIN_405,
    ),
    # Health checks for load balancers and operators: no log-in, GET only
    Row("healthz", get=EVERYONE, post=outcomes("405 405 405 405 405 405 405 405")),
    Row("readyz", get=EVERYONE, post=outcomes("405 405 405 405 405 405 405 405")),
    # LTI: the LMS's endpoints (plain HTTP is refused outside development), the tool's key set,
    # deep linking (only within the instructor's own launch session), a course's LMS page, registrations
    Row(
        "lti:login",
        get=outcomes("400 400 400 400 400 400 400 400"),
        post=outcomes("400 400 400 400 400 400 400 400"),
    ),
    Row(
        "lti:launch",
        get=outcomes("405 405 405 405 405 405 405 405"),
        post=outcomes("400 400 400 400 400 400 400 400"),
    ),
    Row("lti:jwks", get=EVERYONE, post=outcomes("405 405 405 405 405 405 405 405")),
    Row(
        "lti:deep_link",
        kwargs={"launch_id": "not-this-session"},
        get=outcomes("login 403 403 404 404 404 404 404"),
        post=outcomes("login 403 403 404 404 404 404 404"),
    ),
    # The course has no LMS connection: those who may reach it learn only that (404), like everyone else.
    Row(
        "lti:course",
        kwargs={"course_id": course},
        get=outcomes("login 403 403 404 404 404 404 404"),
        post=outcomes("login 403 403 404 404 404 404 404"),
    ),
    Row("lti:registrations", get=ADMIN_ONLY, post=outcomes("admin admin admin admin admin admin admin 400")),
    Row("lti:registration_edit", kwargs={"tool_id": 987654}, get=ADMIN_ONLY_404, post=ADMIN_ONLY_404),
    # LMS service tokens for the API: issued and revoked by staff only
    Row("lti:service_tokens", get=ADMIN_ONLY, post=outcomes("admin admin admin admin admin admin admin 400")),
    Row("lti:service_token_revoke", kwargs={"token_id": 987654}, get=ADMIN_ONLY_405, post=ADMIN_ONLY_404),
    # The JSON API (api/): its schema and docs are public; every endpoint is scoped like the pages
    # ninja names its mount point; nothing is served there
    Row(
        "api_v1:api-root",
        get=outcomes("404 404 404 404 404 404 404 404"),
        post=outcomes("404 404 404 404 404 404 404 404"),
    ),
    Row("api_v1:openapi-json", get=EVERYONE, post=ALL_405),
    Row("api_v1:openapi-view", get=EVERYONE, post=ALL_405),
    Row("api_v1:list_banks", get=API_INSTRUCTORS, post=ALL_405),
    Row("api_v1:list_bank_items", kwargs={"slug": bank}, get=API_BANK_VIEW, post=ALL_405),
    Row("api_v1:export_bank", kwargs={"slug": bank}, get=API_BANK_VIEW, post=ALL_405),
    Row("api_v1:import_into_bank", kwargs={"slug": bank}, get=ALL_405, post=API_BAD_BODY),
    Row("api_v1:import_file_into_bank", kwargs={"slug": bank}, get=ALL_405, post=API_BAD_BODY),
    Row("api_v1:list_quizzes", get=API_INSTRUCTORS, post=ALL_405),
    Row("api_v1:quiz_attempts", kwargs={"slug": quiz}, get=API_QUIZ_OWN, post=ALL_405),
    Row("api_v1:my_attempts", get=API_LOGGED_IN, post=ALL_405),
    Row("api_v1:create_submission", get=ALL_405, post=API_BAD_BODY),
    Row("api_v1:submission_status", kwargs={"submission_id": submission}, get=API_SUBMISSION, post=ALL_405),
    Row("api_v1:submission_verdict", kwargs={"submission_id": submission}, get=API_SUBMISSION, post=ALL_405),
    Row("api_v1:create_challenge_entry", get=ALL_405, post=API_BAD_BODY),
    # The table's course has the challenge on: its members, as on the page
    Row(
        "api_v1:course_challenge_leaderboard",
        kwargs={"course_id": course},
        get=outcomes("401 200 404 200 200 200 404 200"),
        post=ALL_405,
    ),
    Row("api_v1:course_gradebook_json", kwargs={"course_id": course}, get=API_COURSE_VIEW, post=ALL_405),
    Row("api_v1:course_gradebook_csv", kwargs={"course_id": course}, get=API_COURSE_VIEW, post=ALL_405),
    # API tokens: each user's own page; a token is revoked only by its owner
    Row("api:tokens", get=LOGGED_IN, post=outcomes("login 400 400 400 400 400 400 400")),
    Row(
        "api:token_revoke",
        kwargs=lambda world: {"token_id": world.token.pk},
        get=LOGIN_405,
        post=outcomes("login 404 404 302 404 404 404 404"),
    ),
    # The admin's own pages (its per-model pages are generated below)
    Row("admin:index", get=ADMIN_ONLY, post=ADMIN_ONLY),
    Row("admin:login", get=outcomes("200 200 200 200 200 200 200 302"), post=EVERYONE),
    # Non-staff are sent to the admin's index (and from there to its log-in); staff must POST.
    Row(
        "admin:logout",
        get=outcomes("302 302 302 302 302 302 302 405"),
        post=outcomes("302 302 302 302 302 302 302 302"),
    ),
    Row("admin:password_change", get=ADMIN_ONLY, post=ADMIN_ONLY),
    Row("admin:password_change_done", get=ADMIN_ONLY, post=ADMIN_ONLY_405),
    Row("admin:autocomplete", get=ADMIN_ONLY_403, post=ADMIN_ONLY_405),
    Row("admin:jsi18n", get=ADMIN_ONLY, post=ADMIN_ONLY_405),
    Row(
        "admin:view_on_site",
        kwargs=lambda world: {"content_type_id": world.bank_content_type, "object_id": world.bank.pk},
        get=ADMIN_ONLY_404,
        post=ADMIN_ONLY_404,
    ),
    Row("admin:app_list", kwargs={"app_label": "quizzes"}, get=ADMIN_ONLY, post=ADMIN_ONLY),
    Row(
        lambda: admin_route() + "(?P<url>.*)$",
        path=lambda: reverse("admin:index") + "no-such-page/",
        get=ADMIN_ONLY_404,
        post=ADMIN_ONLY_404,
    ),
]


def admin_route() -> str:
    """The admin's mount point as a route ("admin/" unless the settings move it)."""
    return reverse("admin:index").lstrip("/")


# Admin pages whose staff outcome differs from the generated rule (read-only model admins).
ADMIN_STAFF_OUTCOMES = {
    # Grading workers write their own rows.
    "admin:grading_gradingworker_add": "403",
    # Log-in lockout records are written by django-axes, never added by hand.
    "admin:axes_accessattempt_add": "403",
    "admin:axes_accesslog_add": "403",
    "admin:axes_accessfailurelog_add": "403",
}
MISSING_OBJECT = "999999999"


def admin_model_rows() -> list[Row]:
    """Rows for every registered model's admin pages: only staff get in, everyone else logs in first.

    Object pages are requested for an id that does not exist: staff pass the gate and are sent back
    to the list with "does not exist" (302); nobody else gets past the admin's log-in.
    """
    rows = []
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        route = f"{admin_route()}{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/"
        missing = {"object_id": MISSING_OBJECT}
        rows += [
            Row(f"{prefix}_changelist", get=ADMIN_ONLY, post=ADMIN_ONLY),
            Row(f"{prefix}_add", get=ADMIN_ONLY, post=ADMIN_ONLY),
            Row(f"{prefix}_history", kwargs=missing, get=ADMIN_ONLY_302, post=ADMIN_ONLY_302),
            Row(f"{prefix}_delete", kwargs=missing, get=ADMIN_ONLY_302, post=ADMIN_ONLY_302),
            Row(f"{prefix}_change", kwargs=missing, get=ADMIN_ONLY_302, post=ADMIN_ONLY_302),
            # The old-style address of a change page redirects to it.
            Row(route, kwargs=missing, get=ADMIN_ONLY_302, post=ADMIN_ONLY_302),
        ]
    if get_user_model() in admin.site._registry:
        rows.append(
            Row(
                "admin:auth_user_password_change",
                kwargs={"id": lambda world: str(world.users["student"].pk)},
                get=ADMIN_ONLY,
                post=ADMIN_ONLY,
            )
        )
    for row in rows:
        if row.name in ADMIN_STAFF_OUTCOMES:
            row.get = row.post = {**row.get, "staff": ADMIN_STAFF_OUTCOMES[row.name]}
    return rows


def _resolved(rows: list[Row]) -> list[Row]:
    # Names and addresses that depend on the URL configuration are given as callables.
    for row in rows:
        row.name = row.name() if callable(row.name) else row.name
        row.path = row.path() if callable(row.path) else row.path
    return rows


ALL_ROWS = _resolved(ROWS + admin_model_rows())


def url_patterns(resolver=None, prefix: str = "", namespace: str | None = None):
    """(key, route) of every URL pattern, walking includes; the key is "namespace:name" or the route."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route
            else:
                yield route, route


def test_every_url_pattern_has_a_row():
    keys = {key for key, _ in url_patterns()}
    rows = [row.name for row in ALL_ROWS]
    missing = sorted(keys - set(rows))
    assert not missing, (
        "URL patterns without a row in tests/test_permission_table.py (say who may GET and POST them): "
        + ", ".join(missing)
    )
    stale = sorted(set(rows) - keys)
    assert not stale, f"rows for URL patterns that no longer exist: {', '.join(stale)}"
    duplicated = sorted({name for name in rows if rows.count(name) > 1})
    assert not duplicated, f"more than one row for: {', '.join(duplicated)}"


# --- The world every row is requested in, built once per module --------------------------------


class World:
    def __init__(self):
        self.users = {
            "student": user_create(username="table-student", password="pass-word-123"),
            "other": user_create(username="table-other", password="pass-word-123"),
            "owner": user_create(username="table-owner", password="pass-word-123", instructor=True),
            "coauth": user_create(username="table-coauth", password="pass-word-123", instructor=True),
            "viewer": user_create(username="table-viewer", password="pass-word-123", instructor=True),
            "outsider": user_create(username="table-outsider", password="pass-word-123", instructor=True),
            "staff": get_user_model().objects.create_superuser("table-staff", password="pass-word-123"),
        }
        owner = self.users["owner"]
        self.bank = Bank.objects.create(slug="table-bank", name="Table bank", owner=owner)
        picture = b"GIF89a" + bytes(range(32))
        self.media = BankMedia.objects.create(
            bank=self.bank,
            digest=hashlib.sha256(picture).hexdigest(),
            name="four.gif",
            content_type="image/gif",
            size=len(picture),
            data=picture,
        )
        self.item = Item.objects.create(
            bank=self.bank,
            key="table-item",
            kind="numeric",
            stem=f"What is 2 + 2? ![four](media:{self.media.digest}/four.gif)",
            explanation="Four.",
            spec={"answer": 4, "tolerance": {"mode": "absolute", "value": 0.01}},
        )
        item_version_current(item=self.item, author=owner)
        self.quiz = Quiz.objects.create(slug="table-quiz", title="Table quiz", owner=owner)
        QuizRule.objects.create(quiz=self.quiz, bank=self.bank, count=1)
        self.course = course_create(owner=owner, name="Table course")
        challenge_set_enabled(course=self.course, enabled=True)
        for user, role in (
            (self.users["coauth"], ShareRole.EDITOR),
            (self.users["viewer"], ShareRole.VIEWER),
        ):
            BankShare.objects.create(bank=self.bank, user=user, role=role)
            CourseShare.objects.create(course=self.course, user=user, role=role)
        now = timezone.now()
        self.quiz_assignment = assignment_create(
            course=self.course,
            kind=AssignmentKind.QUIZ,
            quiz=self.quiz,
            opens_at=now - timedelta(days=1),
            due_at=now + timedelta(days=7),
        )
        assignment_create(
            course=self.course,
            kind=AssignmentKind.EXERCISE,
            exercise_slug=EXERCISE,
            opens_at=now - timedelta(days=1),
            due_at=now + timedelta(days=7),
        )
        student = self.users["student"]
        enrollment, _ = enrollment_join(student=student, code=self.course.code)
        # A finished attempt at a second assigned quiz, for the pages that show finished work.
        finished_quiz = Quiz.objects.create(
            slug="table-finished-quiz", title="Table finished quiz", owner=owner
        )
        QuizRule.objects.create(quiz=finished_quiz, bank=self.bank, count=1)
        self.finished_quiz_assignment = assignment_create(
            course=self.course,
            kind=AssignmentKind.QUIZ,
            quiz=finished_quiz,
            opens_at=now - timedelta(days=1),
            due_at=now + timedelta(days=7),
        )
        self.course_attempt = attempt_finish(attempt=attempt_start(quiz=finished_quiz, student=student))
        self.attempt = attempt_start(quiz=self.quiz, student=student)
        # An answered item, so that deleting the bank, the item or the quiz is refused.
        item = self.attempt.attempt_items.get()
        item.response, item.score, item.answered_at = 4, 1.0, now
        item.save()
        # A finished attempt at a second assigned quiz with an essay waiting for its grade.
        essay = Item.objects.create(
            bank=self.bank,
            key="table-essay",
            kind="essay",
            stem="Why momentum?",
            explanation="",
        )
        item_version_current(item=essay, author=owner)
        self.essay_quiz = Quiz.objects.create(slug="table-essays", title="Table essays", owner=owner)
        QuizRule.objects.create(quiz=self.essay_quiz, bank=self.bank, kinds=["essay"], count=1)
        assignment_create(
            course=self.course,
            kind=AssignmentKind.QUIZ,
            quiz=self.essay_quiz,
            opens_at=now - timedelta(days=1),
            due_at=now + timedelta(days=7),
        )
        essay_attempt = attempt_start(quiz=self.essay_quiz, student=student)
        self.essay_answer = essay_attempt.attempt_items.get()
        attempt_answer(attempt_item=self.essay_answer, student=student, response="It damps zig-zags.")
        attempt_finish(attempt=essay_attempt)
        self.submission = Submission.objects.create(
            student=student, exercise_slug=EXERCISE, source="def step(): pass\n"
        )
        Submission.objects.filter(pk=self.submission.pk).update(
            created_at=enrollment.joined_at + timedelta(seconds=1)
        )
        # An instructor-written exercise (SGD's content), published, shared like the bank.
        content = content_of(get_exercise(EXERCISE))
        self.authored = authored_create(owner=owner, slug="table-exercise", content=content)
        AuthoredExercise.objects.filter(pk=self.authored.pk).update(published=content)
        for user, role in (
            (self.users["coauth"], ShareRole.EDITOR),
            (self.users["viewer"], ShareRole.VIEWER),
        ):
            AuthoredExerciseShare.objects.create(exercise=self.authored, user=user, role=role)
        self.token = token_create(user=owner, name="table token").token
        from django.contrib.contenttypes.models import ContentType

        self.bank_content_type = ContentType.objects.get_for_model(Bank).pk


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield World()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _address(row: Row, world: World) -> str:
    if row.path:
        return row.path
    kwargs = row.kwargs(world) if callable(row.kwargs) else dict(row.kwargs)
    kwargs = {name: value(world) if callable(value) else value for name, value in kwargs.items()}
    if "/" not in row.name:  # a name; unnamed patterns are keyed by their route
        return reverse(row.name, kwargs=kwargs)
    # An unnamed pattern: fill its route's converters by hand.
    address = "/" + row.name
    for name, value in kwargs.items():
        address = address.replace(f"<path:{name}>", str(value)).replace(f"<{name}>", str(value))
    return address


def _outcome(response) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return "admin"
        if location.startswith(reverse("login")):
            return "login"
    return str(response.status_code)


@pytest.mark.parametrize("row", ALL_ROWS, ids=[row.name for row in ALL_ROWS])
def test_who_may_get_and_post(world, db, row):
    address = _address(row, world)
    wrong = []
    for actor in ACTORS:
        client = Client()
        if actor != "anon":
            client.force_login(world.users[actor])
        for method, expected in (("GET", row.get[actor]), ("POST", row.post[actor])):
            with transaction.atomic():
                response = client.get(address) if method == "GET" else client.post(address, {})
                transaction.set_rollback(True)
            got = _outcome(response)
            if got != expected:
                wrong.append(f"{method} as {actor}: expected {expected}, got {got}")
    assert not wrong, f"{row.name} ({address}):\n  " + "\n  ".join(wrong)
