"""Passwords are hashed with Argon2id at OWASP's parameters; older hashes upgrade at log-in."""

import os
import signal
import threading

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, identify_hasher, make_password
from django.urls import reverse

import config.settings as project_settings
from accounts.hashers import HASHING_NICENESS
from accounts.services import user_create

OWASP_ARGON2ID = "argon2$argon2id$v=19$m=7168,t=5,p=1$"
# What earlier releases stored: OWASP's 19 MiB x 2, an equally strong pair that costs more CPU.
EARLIER_ARGON2ID = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


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


def test_a_hash_made_with_the_earlier_parameters_is_remade_at_the_next_log_in(client, db, settings):
    user = user_create(username="old-timer", password="x")
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS

    class EarlierArgon2PasswordHasher(Argon2PasswordHasher):
        time_cost, memory_cost, parallelism = 2, 19 * 1024, 1

    user.password = EarlierArgon2PasswordHasher().encode(
        "a-pass-phrase", EarlierArgon2PasswordHasher().salt()
    )
    user.save(update_fields=["password"])
    assert user.password.startswith(EARLIER_ARGON2ID)

    response = client.post(reverse("login"), {"username": "old-timer", "password": "a-pass-phrase"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith(OWASP_ARGON2ID)
    assert user.check_password("a-pass-phrase")


def test_a_wrong_password_leaves_the_old_hash_alone(client, db, settings):
    user = user_create(username="old-timer", password="x")
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user.password = make_password("an-old-pass-phrase", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = client.post(reverse("login"), {"username": "old-timer", "password": "a-wrong-guess"})

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")


def _thread_and_niceness() -> tuple[str, int]:
    return threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_passwords_are_hashed_in_a_thread_of_lower_priority_than_the_requests(settings, monkeypatch):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    seen = []
    real_encode, real_verify = Argon2PasswordHasher.encode, Argon2PasswordHasher.verify
    monkeypatch.setattr(
        Argon2PasswordHasher, "encode", lambda *a: seen.append(_thread_and_niceness()) or real_encode(*a)
    )
    monkeypatch.setattr(
        Argon2PasswordHasher, "verify", lambda *a: seen.append(_thread_and_niceness()) or real_verify(*a)
    )

    encoded = make_password("a-long-pass-phrase")
    assert check_password("a-long-pass-phrase", encoded) and not check_password("a-wrong-one", encoded)

    _, request_niceness = _thread_and_niceness()
    assert len(seen) == 3
    for thread_name, niceness in seen:
        assert thread_name.startswith("password-hashing")
        assert niceness == min(request_niceness + HASHING_NICENESS, 19)


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_process_forked_after_hashing_can_still_hash(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    encoded = make_password("a-long-pass-phrase")  # the parent's hashing thread now exists
    pid = os.fork()
    if pid == 0:  # the child: its copy of the executor must not wait for the parent's thread
        signal.alarm(20)
        ok = check_password("a-long-pass-phrase", encoded) and make_password("another").startswith("argon2$")
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
