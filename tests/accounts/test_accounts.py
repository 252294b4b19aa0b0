from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.roles import is_instructor


def test_sign_up_creates_a_logged_in_student(client, db):
    response = client.post(
        reverse("signup"),
        {
            "username": "newbie",
            "email": "",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newbie")
    assert user.groups.filter(name="students").exists()
    assert not is_instructor(user)
    assert client.get(reverse("home")).context["user"] == user


def test_log_in_and_log_out(client, student):
    response = client.post(reverse("login"), {"username": "sam", "password": "student-pass-123"})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"].is_authenticated
    client.post(reverse("logout"))
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_password_change(student_client, student):
    response = student_client.post(
        reverse("password_change"),
        {
            "old_password": "student-pass-123",
            "new_password1": "another-long-pass",
            "new_password2": "another-long-pass",
        },
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.check_password("another-long-pass")


def test_student_cannot_open_authoring_pages(student_client):
    assert student_client.get(reverse("quizzes:author_banks")).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in_for_authoring(client, db):
    response = client.get(reverse("quizzes:author_banks"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_instructor_opens_authoring_pages(instructor_client):
    assert instructor_client.get(reverse("quizzes:author_banks")).status_code == 200


def test_an_account_created_without_a_password_cannot_log_in_with_one(db):
    from accounts.services import user_create

    user = user_create(username="from-the-lms", password=None)
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["students"]


def test_a_student_role_never_takes_an_instructors_away(db):
    from accounts.roles import is_instructor
    from accounts.services import user_add_role, user_create

    user = user_create(username="teaches-and-learns", password=None, instructor=True)
    user_add_role(user, instructor=False)
    assert list(user.groups.values_list("name", flat=True)) == ["instructors"]
    learner = user_create(username="learner-first", password=None)
    user_add_role(learner, instructor=True)
    assert is_instructor(learner)
