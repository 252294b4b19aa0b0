from datetime import timedelta

from django.urls import reverse

from progress.achievements import ACHIEVEMENTS
from progress.events import quiz_finished, submission_graded
from progress.models import Award, StudentProgress
from quizzes.models import Quiz, QuizRule
from tests.progress.conftest import MONDAY

HTML = {"HTTP_ACCEPT": "text/html"}


def test_pages_need_a_login(client):
    for name in ("progress:dashboard", "progress:profile"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response.url


def test_dashboard_shows_levels_chart_activity_and_the_rule(
    student, student_client, make_item, finished_attempt
):
    quiz_finished(finished_attempt(student, [(make_item("m1", topics=["momentum"]), 1.0)]))
    page = student_client.get(reverse("progress:dashboard")).content.decode()
    assert "Momentum" in page and "familiar" in page
    assert "<svg" in page and 'class="dot"' in page
    assert "Momentum check" in page  # the quiz title, in recent activity
    assert "newer ones weighing more" in page


def test_dashboard_shows_only_the_students_own_data(
    student, second_student, student_client, make_item, finished_attempt, graded_submission
):
    quiz_finished(finished_attempt(second_student, [(make_item("m1"), 1.0)]))
    submission_graded(graded_submission(second_student, "adam", passed=True))
    page = student_client.get(reverse("progress:dashboard")).content.decode()
    assert "Momentum check" not in page and "Adam" not in page.split("Recent activity")[1]
    assert 'class="dot"' not in page  # an empty chart
    profile = student_client.get(reverse("progress:profile")).content.decode()
    assert "Earned" not in profile


def test_next_up_links_practice_for_the_weakest_concept(student, student_client, make_item, finished_attempt):
    quiz = Quiz.objects.create(slug="grad-quiz", title="Gradients first")
    QuizRule.objects.create(quiz=quiz, topics=["sgd"], count=3)
    page = student_client.get(reverse("progress:dashboard")).content.decode()
    assert "Next up: Gradient descent and SGD" in page
    assert reverse("quizzes:detail", args=["grad-quiz"]) in page
    assert reverse("grading:exercise", args=["sgd"]) in page


def test_new_achievements_are_announced_once(student, student_client, make_item, finished_attempt):
    quiz_finished(finished_attempt(student, [(make_item("m1"), 1.0)]))
    first = student_client.get(reverse("progress:dashboard")).content.decode()
    assert "Achievement earned: First steps" in first
    second = student_client.get(reverse("progress:dashboard")).content.decode()
    assert "Achievement earned" not in second
    assert Award.objects.get(student=student, slug="first-quiz").notified


def test_profile_lists_achievements_with_dates_and_xp(student, student_client, make_item, finished_attempt):
    quiz_finished(finished_attempt(student, [(make_item("m1"), 1.0)], at=MONDAY + timedelta(days=1)))
    page = student_client.get(reverse("progress:profile")).content.decode()
    assert "Earned <time" in page and "4 Mar 2025" in page
    assert "10 XP" in page and "Level 1" in page


def test_profile_draws_achievement_icons_as_svg_with_a_text_alternative(student, student_client):
    page = student_client.get(reverse("progress:profile")).content.decode()
    assert page.count('<svg class="icon"') == len(ACHIEVEMENTS)
    assert 'role="img" aria-label="footprints"' in page
    assert "👣" not in page


def test_leaderboard_is_opt_in(student, second_student, student_client, graded_submission):
    submission_graded(graded_submission(second_student, "sgd", passed=True))
    submission_graded(graded_submission(student, "sgd", passed=True))
    StudentProgress.objects.filter(student=second_student).update(leaderboard_opt_in=True)
    before = student_client.get(reverse("progress:profile")).content.decode()
    assert "sue" not in before  # not visible until the student takes part
    student_client.post(reverse("progress:leaderboard_setting"), {"leaderboard_opt_in": "on"})
    after = student_client.get(reverse("progress:profile")).content.decode()
    assert "sue" in after and 'class="me"' in after
    student_client.post(reverse("progress:leaderboard_setting"), {})
    assert not StudentProgress.objects.get(student=student).leaderboard_opt_in


def test_the_leaderboard_setting_only_accepts_posts(student_client):
    assert student_client.get(reverse("progress:leaderboard_setting")).status_code == 405


def test_notice_middleware_announces_awards_on_the_next_page(
    settings, student, student_client, make_item, finished_attempt
):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "progress.middleware.AchievementNoticeMiddleware"]
    quiz_finished(finished_attempt(student, [(make_item("m1"), 1.0)]))
    page = student_client.get(reverse("quizzes:list"), **HTML).content.decode()
    assert "Achievement earned: First steps" in page
    again = student_client.get(reverse("quizzes:list"), **HTML).content.decode()
    assert "Achievement earned" not in again


def test_course_leaderboards_show_only_classmates(
    student, second_student, instructor, student_client, graded_submission
):
    from courses.models import Course, Enrollment
    from progress.pages import leaderboard

    course = Course.objects.create(name="Optimizers 101", owner=instructor, code="ABCDEFGH")
    Enrollment.objects.create(course=course, student=student)
    for user in (student, second_student):
        submission_graded(graded_submission(user, "sgd", passed=True))
    StudentProgress.objects.update(leaderboard_opt_in=True)
    assert [e["username"] for e in leaderboard(course=course)] == ["sam"]
    assert {e["username"] for e in leaderboard()} == {"sam", "sue"}
    page = student_client.get(reverse("progress:profile")).content.decode()
    assert "Optimizers 101" in page and "All students" in page
