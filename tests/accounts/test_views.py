"""Sign-in, sign-out and the home page per actor."""

from base64 import b32decode

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp

from accounts.management.commands.seed_demo import DEMO_TOTP_SECRET
from accounts.models import User

DEMO_PASSWORD = "demo-password"


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def sign_in(client, email, password=DEMO_PASSWORD):
    """Sign in through the form; staff and partner accounts then enter the demo app's code."""
    response = client.post(reverse("login"), {"username": email, "password": password}, follow=True)
    if response.redirect_chain and response.redirect_chain[-1][0].startswith(reverse("mfa_verify")):
        code = f"{totp(b32decode(DEMO_TOTP_SECRET)):06d}"
        response = client.post(response.redirect_chain[-1][0], {"code": code}, follow=True)
    return response


def test_sign_in_page_is_served(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_home_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("email", "place"),
    [
        ("admin@contoso.example", "Organisation Contoso"),
        ("support@contoso.example", "Organisation Contoso"),
        ("reader@contoso.example", "Organisation Contoso"),
        ("admin@fabrikam.example", "Fabrikam"),
        ("admin@northwind.example", "Organisation Northwind Traders"),
        ("agent@adatum.example", "Partner Adatum"),
        ("engineer@support.example", "Support organisation"),
        ("manager@support.example", "Support organisation"),
    ],
)
def test_every_demo_account_signs_in_and_sees_who_and_where_it_is(client, demo, email, place):
    response = sign_in(client, email)
    assert response.status_code == 200
    assert response.wsgi_request.user.email == email
    body = response.content.decode()
    assert email in body
    assert place in body


def test_tenant_home_shows_the_support_tier(client, demo):
    body = sign_in(client, "admin@northwind.example").content.decode()
    assert "Support tier: Elevated" in body


def test_partner_home_lists_the_customers_it_may_act_for(client, demo):
    body = sign_in(client, "agent@adatum.example").content.decode()
    assert "contoso.example" in body
    assert "fabrikam.example" not in body


def test_a_wrong_password_gets_one_generic_message(client, demo):
    wrong_password = sign_in(client, "admin@contoso.example", "nope").content.decode()
    unknown_user = sign_in(client, "nobody@contoso.example", "nope").content.decode()
    message = "That email and password do not match an active account."
    assert message in wrong_password
    assert message in unknown_user


def test_an_inactive_account_cannot_sign_in(client, demo):
    User.objects.filter(email="admin@contoso.example").update(is_active=False)
    response = sign_in(client, "admin@contoso.example")
    assert not response.wsgi_request.user.is_authenticated


def test_signing_in_rotates_the_session_key(client, demo):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    sign_in(client, "admin@contoso.example")
    assert client.session.session_key != before


def test_sign_out_is_a_post_and_ends_the_session(client, demo):
    sign_in(client, "admin@contoso.example")
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_the_interface_switches_to_korean(client, demo):
    sign_in(client, "admin@contoso.example")
    client.post(reverse("set_language"), {"language": "ko", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert 'lang="ko"' in body


def test_times_are_shown_in_the_users_zone(client, demo):
    response = sign_in(client, "admin@fabrikam.example")
    assert "Asia/Seoul" in response.content.decode()
