"""Sign-in protection: lockout after repeated failures (django-axes), one generic message, a new
session key on sign-in, and the client address behind our proxy."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.signin import attempted_email, client_address
from tests.factories import UserFactory

SIGN_IN = reverse("login")
PASSWORD = "correct horse battery"
GENERIC = "That email and password do not match an active account."
LOCKED = "Too many sign-in attempts"


@pytest.fixture
def user(db, frozen_clock):
    user = UserFactory(email="dana@contoso.example")
    user.set_password(PASSWORD)
    user.save()
    return user


def attempt(client, email, password, address="203.0.113.5"):
    return client.post(SIGN_IN, {"username": email, "password": password}, REMOTE_ADDR=address)


def fail(client, email, times, address="203.0.113.5"):
    return [attempt(client, email, "wrong", address) for _ in range(times)]


def test_four_failures_still_let_the_right_password_in(client, user):
    responses = fail(client, user.email, 4)
    assert all(r.status_code == 200 and GENERIC in r.content.decode() for r in responses)
    response = attempt(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_the_fifth_failure_locks_the_email_out_with_a_page_not_an_error(client, user):
    *_, fifth = fail(client, user.email, 5)
    assert fifth.status_code == 429
    body = fifth.content.decode()
    assert LOCKED in body
    assert "Wait 15 minutes, then try again." in body
    assert 'class="topbar"' in body, "the page is in the site's layout"


def test_a_locked_out_email_is_refused_even_with_the_right_password(client, user):
    fail(client, user.email, 5)
    response = attempt(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert not client.session.get("_auth_user_id")
    assert client.get(reverse("home"))["Location"].startswith(SIGN_IN)


def test_the_lockout_ends_after_fifteen_minutes(client, user, frozen_clock):
    fail(client, user.email, 5)
    frozen_clock.shift(timedelta(minutes=14))
    assert attempt(client, user.email, PASSWORD).status_code == 429
    frozen_clock.shift(timedelta(minutes=16))
    assert attempt(client, user.email, PASSWORD).status_code == 302


def test_the_lockout_is_per_email_and_address(client, user):
    other = UserFactory(email="sam@contoso.example")
    other.set_password(PASSWORD)
    other.save()
    fail(client, user.email, 5)
    assert attempt(Client(), other.email, PASSWORD).status_code == 302
    assert attempt(Client(), user.email, PASSWORD, address="198.51.100.7").status_code == 302


def test_changing_the_letter_case_of_the_email_does_not_buy_more_tries(client, user):
    for email in ["dana@contoso.example", "DANA@contoso.example", " Dana@Contoso.Example"] + [
        "dana@CONTOSO.example"
    ] * 2:
        last = attempt(client, email, "wrong")
    assert last.status_code == 429
    assert attempt(client, user.email, PASSWORD).status_code == 429


def test_an_unknown_email_gets_the_same_message_and_the_same_lockout(client, user):
    wrong_password = attempt(client, user.email, "wrong").content.decode()
    unknown = attempt(client, "nobody@contoso.example", "wrong").content.decode()
    assert GENERIC in wrong_password
    assert GENERIC in unknown
    *_, fifth = fail(client, "nobody@contoso.example", 4)
    assert fifth.status_code == 429


def test_a_successful_sign_in_clears_the_count(client, user):
    fail(client, user.email, 4)
    attempt(client, user.email, PASSWORD)
    client.post(reverse("logout"))
    responses = fail(client, user.email, 4)
    assert all(r.status_code == 200 for r in responses)


def test_signing_in_gives_the_session_a_new_key(client, user):
    client.get(SIGN_IN)
    client.session.save()
    before = client.session.session_key
    attempt(client, user.email, PASSWORD)
    assert client.session.get("_auth_user_id") == str(user.pk)
    assert client.session.session_key != before


def test_limit_and_wait_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.test",
        "AXES_FAILURE_LIMIT": "3",
        "AXES_COOLOFF_MINUTES": "30",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3", "1800"]


def test_the_defaults_are_five_failures_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


# --- Who is counted. ---


def test_the_attempted_email_is_folded_like_sign_in_folds_it():
    request = RequestFactory().post(SIGN_IN, {"username": "  Dana@Contoso.Example "})
    assert attempted_email(request, None) == "dana@contoso.example"
    assert attempted_email(request, {"username": "SAM@x.example"}) == "sam@x.example"
    assert attempted_email(RequestFactory().post(SIGN_IN, {}), None) == ""


def test_the_client_address_is_the_peer_unless_behind_our_proxy(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
    )
    settings.BEHIND_TLS_PROXY = False
    assert client_address(request) == "10.0.0.2"
    settings.BEHIND_TLS_PROXY = True
    # Only the entry our proxy added counts; the ones before it are the client's to forge.
    assert client_address(request) == "203.0.113.9"
    assert client_address(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
