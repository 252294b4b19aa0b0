"""Passwords are hashed with Argon2id at OWASP's parameters; older hashes upgrade at log-in."""

from django.contrib.auth.hashers import identify_hasher, make_password
from django.urls import reverse

import config.settings as project_settings
from accounts.services import user_create

OWASP_ARGON2ID = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


def test_the_configured_first_hasher_is_argon2id_at_owasp_parameters(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # undo the fast test hasher
    assert make_password("a-long-pass-phrase").startswith(OWASP_ARGON2ID)


def test_a_pbkdf2_user_logging_in_gets_an_argon2id_hash(client, db, settings):
    user = user_create(username="old-timer", password="x")
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user.password = make_password("an-old-pass-phrase", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = client.post(reverse("login"), {"username": "old-timer", "password": "an-old-pass-phrase"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith(OWASP_ARGON2ID)
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("an-old-pass-phrase")


def test_a_wrong_password_leaves_the_old_hash_alone(client, db, settings):
    user = user_create(username="old-timer", password="x")
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user.password = make_password("an-old-pass-phrase", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = client.post(reverse("login"), {"username": "old-timer", "password": "a-wrong-guess"})

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")
