"""What the progress pages show, gathered in a few small queries (views stay thin).

All functions take the student explicitly and read only that student's rows, except the
leaderboard, which lists only students who opted in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from django.db import transaction
from django.urls import reverse

from courses.models import Course
from grading import api as grading_api
from progress.achievements import ACHIEVEMENTS, ACHIEVEMENTS_BY_SLUG, Achievement
from progress.chart import mastery_chart_svg
from progress.concepts import CONCEPT_ORDER, CONCEPTS, Concept, concepts_for_topics, topics_for_concept
from progress.mastery import Level, recent_score, window_from_json
from progress.models import Activity, ActivityKind, Award, ConceptMastery, Solved, SolvedKind, StudentProgress
from progress.streaks import StreakState, current_streak, streak_at_risk
from progress.xp import XpLevel, xp_level
from quizzes.models import Quiz

CHART_EVENTS = 300
RECENT_ACTIVITY = 10
LEADERBOARD_SIZE = 20


@dataclass(frozen=True)
class ConceptRow:
    concept: Concept
    level: Level
    recent_score: float | None
    evidence_count: int


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    kind: str  # "quiz" or "exercise"


@dataclass(frozen=True)
class NextUp:
    concept: Concept
    level: Level
    links: list[Link]


@dataclass(frozen=True)
class EarnedAchievement:
    achievement: Achievement
    earned_at: datetime | None  # None while not earned


def progress_for(student) -> StudentProgress:
    return StudentProgress.objects.get_or_create(student=student)[0]


def concept_rows(student) -> list[ConceptRow]:
    stored = {row.concept: row for row in ConceptMastery.objects.filter(student=student)}
    rows = []
    for concept in CONCEPTS:
        row = stored.get(concept.slug)
        if row is None:
            rows.append(ConceptRow(concept, Level.NOT_STARTED, None, 0))
        else:
            score = recent_score(window_from_json(row.window))
            rows.append(ConceptRow(concept, Level(row.level), score, row.evidence_count))
    return rows


def recent_activity(student) -> list[dict]:
    rows = []
    for activity in Activity.objects.filter(student=student)[:RECENT_ACTIVITY]:
        if activity.kind == ActivityKind.QUIZ:
            url = reverse("quizzes:review", args=[activity.source_id])
        else:
            url = reverse("grading:submission", args=[activity.source_id])
        rows.append({"activity": activity, "url": url})
    return rows


def mastery_chart(student) -> str:
    recent = Activity.objects.filter(student=student).values_list("at", "mastery_points")[:CHART_EVENTS]
    points = list(reversed(recent))  # the query gives newest first
    return mastery_chart_svg(
        points,
        y_max=len(CONCEPTS) * int(Level.MASTERED),
        title="Mastery points over time (sum of concept levels)",
    )


def next_up(student, rows: list[ConceptRow]) -> NextUp | None:
    """The weakest concept that is not mastered yet and has a quiz or an unpassed exercise for it."""
    passed = set(
        Solved.objects.filter(student=student, kind=SolvedKind.EXERCISE).values_list("key", flat=True)
    )
    quizzes = list(Quiz.objects.filter(published=True).prefetch_related("rules"))
    candidates = sorted(
        (row for row in rows if row.level < Level.MASTERED),
        key=lambda row: (row.level, CONCEPT_ORDER[row.concept.slug]),
    )
    for row in candidates:
        topics = topics_for_concept(row.concept.slug)
        links = [
            Link(quiz.title, reverse("quizzes:detail", args=[quiz.slug]), "quiz")
            for quiz in quizzes
            if any(topics & set(rule.topics or ()) for rule in quiz.rules.all())
        ][:2]
        links += [
            Link(exercise.title, reverse("grading:exercise", args=[exercise.slug]), "exercise")
            for exercise in grading_api.exercises()
            if exercise.slug not in passed and row.concept.slug in concepts_for_topics(exercise.topics)
        ][:2]
        if links:
            return NextUp(row.concept, row.level, links)
    return None


def achievements_for(student) -> list[EarnedAchievement]:
    """Every achievement, earned ones first (newest first) with their dates."""
    earned = {award.slug: award.earned_at for award in Award.objects.filter(student=student)}
    got = sorted(
        (EarnedAchievement(a, earned[a.slug]) for a in ACHIEVEMENTS if a.slug in earned),
        key=lambda e: cast(datetime, e.earned_at),  # all of these are earned
        reverse=True,
    )
    return got + [EarnedAchievement(a, None) for a in ACHIEVEMENTS if a.slug not in earned]


def pop_new_achievements(student) -> list[Achievement]:
    """The achievements the student has not been told about yet; marks them as told."""
    with transaction.atomic():
        fresh = list(Award.objects.select_for_update().filter(student=student, notified=False))
        Award.objects.filter(pk__in=[award.pk for award in fresh]).update(notified=True)
    return [ACHIEVEMENTS_BY_SLUG[a.slug] for a in fresh if a.slug in ACHIEVEMENTS_BY_SLUG]


@dataclass(frozen=True)
class StreakView:
    weeks: int
    longest: int
    at_risk: bool


def streak_view(progress: StudentProgress, today: date) -> StreakView:
    state = StreakState(progress.streak_weeks, progress.longest_streak, progress.last_practice_week)
    return StreakView(current_streak(state, today), progress.longest_streak, streak_at_risk(state, today))


def level_of(progress: StudentProgress) -> XpLevel:
    return xp_level(progress.xp)


@dataclass(frozen=True)
class Leaderboard:
    title: str
    entries: list[dict]


def leaderboard(*, course=None) -> list[dict]:
    """Opted-in students by XP: everyone, or the students enrolled in `course`."""
    opted_in = StudentProgress.objects.filter(leaderboard_opt_in=True, xp__gt=0)
    if course is not None:
        opted_in = opted_in.filter(student__courses_joined=course)
    top = opted_in.select_related("student").order_by("-xp", "student__username")[:LEADERBOARD_SIZE]
    return [
        {"rank": rank, "username": entry.student.username, "xp": entry.xp, "level": xp_level(entry.xp).level}
        for rank, entry in enumerate(top, start=1)
    ]


def leaderboards_for(student) -> list[Leaderboard]:
    """One board per course the student is enrolled in, then the board of everyone who opted in."""
    boards = [
        Leaderboard(course.name, leaderboard(course=course))
        for course in Course.objects.filter(enrollments__student=student).order_by("name", "pk")
    ]
    return [*boards, Leaderboard("All students", leaderboard())]


def set_leaderboard_opt_in(*, student, opt_in: bool) -> StudentProgress:
    progress = progress_for(student)
    StudentProgress.objects.filter(pk=progress.pk).update(leaderboard_opt_in=opt_in)
    progress.leaderboard_opt_in = opt_in
    return progress
