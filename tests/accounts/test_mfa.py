"""Two-step sign-in: who must use it, how the site holds an unverified session, the set-up,
verification and recovery-code pages, and that an API token cannot side-step it."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mfa, policies
from accounts.models import ApiToken, TenantRole
from accounts.tokens import api_token_create
from accounts.views.mfa import SETUP_SECRET_SESSION_KEY
from tests.personas import ALL_PERSONAS

HOME = reverse("home")
VERIFY = reverse("mfa_verify")
ENROL = reverse("mfa_enrol")
PROFILE = reverse("profile")
QUEUE = reverse("console_queue")

MUST_USE_SECOND_FACTOR = {
    "engineer",
    "manager",
    "partner_active",
    "partner_pending",
    "partner_ended_unswept",
    "partner_expired",
    "partner_terminated",
    "partner_other_tenant",
    "partner_without_support_role",
}


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the device's app shows now (the test clock), or `steps_ahead` steps later."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, steps_ahead):06d}"


def code_for_secret(secret_hex: str) -> str:
    return f"{TOTP(bytes.fromhex(secret_hex)).token():06d}"


@pytest.fixture
def engineer(world):
    return world["engineer"]


@pytest.fixture
def partner(world):
    return world["partner_active"]


@pytest.fixture
def admin(world):
    return world[TenantRole.GLOBAL_ADMIN]


@pytest.fixture
def authenticator():
    """Give a user a confirmed authenticator app."""

    def _give(user):
        return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)

    return _give


def password_only(client, user):
    """A session that passed the password step only (as right after the sign-in form)."""
    client.force_login(user)
    return client


# --- Who must use a second factor. ---


@pytest.mark.parametrize("persona", [p for p in ALL_PERSONAS if p != "anonymous"])
def test_staff_and_partner_users_must_use_a_second_factor_and_tenant_users_need_not(world, persona):
    expected = persona in MUST_USE_SECOND_FACTOR
    assert policies.requires_second_factor(world[persona]) is expected


def test_nobody_signed_out_owes_a_second_step():
    assert policies.requires_second_factor(None) is False
    assert policies.second_factor_step(None) is None


def test_a_tenant_user_who_chose_an_authenticator_must_verify_with_it(world, admin, authenticator):
    assert policies.second_factor_step(admin) is None
    authenticator(admin)
    assert policies.second_factor_step(admin) == policies.SECOND_FACTOR_VERIFY


def test_the_step_is_enrol_without_an_authenticator_and_verify_with_one(engineer, authenticator):
    assert policies.second_factor_step(engineer) == policies.SECOND_FACTOR_ENROL
    authenticator(engineer)
    assert policies.second_factor_step(engineer) == policies.SECOND_FACTOR_VERIFY


# --- An unverified session is held at the step (pages) or refused (API). ---


@pytest.mark.parametrize("persona", ["engineer", "manager", "partner_active"])
def test_an_unverified_staff_or_partner_user_without_an_app_is_sent_to_set_one_up(
    unverified_client, world, persona
):
    password_only(unverified_client, world[persona])
    response = unverified_client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2Fprofile%2F"


@pytest.mark.parametrize("persona", ["engineer", "partner_active"])
def test_an_unverified_user_with_an_app_is_sent_to_verify_and_back(
    unverified_client, world, persona, authenticator
):
    authenticator(world[persona])
    password_only(unverified_client, world[persona])
    response = unverified_client.get(f"{HOME}?tab=1")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2F%3Ftab%3D1"


def test_an_unverified_engineer_cannot_open_the_queue(unverified_client, engineer):
    password_only(unverified_client, engineer)
    response = unverified_client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)


def test_an_unverified_partner_cannot_act_for_a_customer(
    unverified_client, world, partner, open_case, authenticator
):
    case = open_case()
    authenticator(partner)
    password_only(unverified_client, partner)
    listing = unverified_client.get(reverse("request_list", args=["contoso.example"]))
    assert listing.status_code == 302
    assert listing["Location"].startswith(VERIFY)
    reply = unverified_client.post(
        reverse("request_reply", args=[case.number]), {"body": "Acting for Contoso"}
    )
    # A POST is not replayed after the step: no `next`, and nothing was written.
    assert reply.status_code == 302
    assert reply["Location"] == VERIFY
    assert case.events.count() == 1


def test_the_same_partner_acts_once_verified(client, partner, open_case):
    case = open_case()
    client.force_login(partner)
    response = client.post(
        reverse("request_reply", args=[case.number]), {"body": "Acting for Contoso"}
    )
    assert response.status_code == 302
    assert case.events.count() == 2


@pytest.mark.parametrize("persona", ["engineer", "partner_active"])
def test_an_unverified_session_gets_a_json_403_from_the_api(unverified_client, world, persona):
    password_only(unverified_client, world[persona])
    response = unverified_client.get(reverse("api_cases"))
    assert response.status_code == 403
    assert response.json() == {
        "code": "second_factor_required",
        "message": "Complete two-step sign-in in the browser first.",
        "fields": {},
    }


def test_a_verified_session_uses_the_api(client, engineer):
    client.force_login(engineer)
    assert client.get(reverse("api_cases")).status_code == 200


def test_a_personal_token_of_a_staff_user_works_without_a_session(unverified_client, engineer):
    _token, plain = api_token_create(actor=engineer, name="sync")
    response = unverified_client.get(reverse("api_cases"), HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 200


def test_a_tenant_admin_without_an_app_is_not_held(unverified_client, admin):
    password_only(unverified_client, admin)
    assert unverified_client.get(HOME).status_code == 200
    assert unverified_client.get(reverse("api_cases")).status_code == 200


def test_the_step_pages_answer_an_unverified_session(unverified_client, engineer, authenticator):
    password_only(unverified_client, engineer)
    assert unverified_client.get(ENROL).status_code == 200
    authenticator(engineer)
    assert unverified_client.get(VERIFY).status_code == 200


def test_the_language_switch_stays_open(unverified_client, engineer):
    password_only(unverified_client, engineer)
    response = unverified_client.post(reverse("set_language"), {"language": "ko", "next": "/"})
    assert response["Location"] == "/"
    assert unverified_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ko"


def test_an_unverified_session_opening_sign_in_is_sent_on_to_the_step(unverified_client, engineer):
    password_only(unverified_client, engineer)
    assert unverified_client.get(reverse("login"))["Location"] == f"{ENROL}?next=%2F"


def test_signing_out_stays_open(unverified_client, engineer):
    password_only(unverified_client, engineer)
    unverified_client.post(reverse("logout"))
    assert unverified_client.get(HOME)["Location"].startswith(reverse("login"))


# --- Sign-in: password, then the code. ---


def test_the_password_leads_a_user_with_an_app_to_the_code_and_then_to_the_page(
    unverified_client, engineer, authenticator
):
    device = authenticator(engineer)
    engineer.set_password("correct horse")
    engineer.save()
    response = unverified_client.post(
        f"{reverse('login')}?next={QUEUE}",
        {"username": engineer.email, "password": "correct horse", "next": QUEUE},
    )
    assert response["Location"] == f"{VERIFY}?next=%2Fconsole%2F"
    response = unverified_client.post(response["Location"], {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    assert unverified_client.get(QUEUE).status_code == 200


def test_the_password_leads_a_partner_without_an_app_to_set_one_up(unverified_client, partner):
    partner.set_password("correct horse")
    partner.save()
    response = unverified_client.post(
        reverse("login"), {"username": partner.email, "password": "correct horse"}
    )
    assert response["Location"] == f"{ENROL}?next=%2F"


def test_verifying_gives_the_session_a_new_key(unverified_client, engineer, authenticator):
    device = authenticator(engineer)
    password_only(unverified_client, engineer)
    before = unverified_client.session.session_key
    unverified_client.post(VERIFY, {"code": code_for(device)})
    assert unverified_client.session.session_key != before
    assert unverified_client.get(QUEUE).status_code == 200


def test_a_wrong_code_gets_one_generic_message_and_does_not_verify(
    unverified_client, engineer, authenticator
):
    device = authenticator(engineer)
    password_only(unverified_client, engineer)
    response = unverified_client.post(VERIFY, {"code": "000000"})
    assert response.status_code == 200
    assert "That code is not valid. Check it and try again." in response.content.decode()
    assert unverified_client.get(QUEUE)["Location"].startswith(VERIFY)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_a_wrong_recovery_code_gets_the_same_message(unverified_client, engineer, authenticator):
    authenticator(engineer)
    password_only(unverified_client, engineer)
    response = unverified_client.post(VERIFY, {"code": "not-a-code"})
    assert "That code is not valid. Check it and try again." in response.content.decode()


def test_an_empty_code_is_a_form_error(unverified_client, engineer, authenticator):
    authenticator(engineer)
    password_only(unverified_client, engineer)
    response = unverified_client.post(VERIFY, {"code": ""})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()


def test_wrong_codes_make_the_next_try_wait(
    unverified_client, engineer, authenticator, frozen_clock
):
    device = authenticator(engineer)
    password_only(unverified_client, engineer)
    unverified_client.post(VERIFY, {"code": "000000"})
    unverified_client.post(VERIFY, {"code": "111111"})
    # Two failures: the next try is not even checked for two seconds, the right code included.
    refused = unverified_client.post(VERIFY, {"code": code_for(device)})
    assert "Too many wrong codes." in refused.content.decode()
    assert unverified_client.get(QUEUE)["Location"].startswith(VERIFY)
    frozen_clock.shift(timedelta(seconds=2))
    accepted = unverified_client.post(VERIFY, {"code": code_for(device)})
    assert accepted.status_code == 302
    assert unverified_client.get(QUEUE).status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_throttling_is_on_for_authenticators_and_recovery_codes():
    assert settings.OTP_TOTP_THROTTLE_FACTOR > 0
    assert settings.OTP_STATIC_THROTTLE_FACTOR > 0


def test_a_code_is_accepted_once(unverified_client, engineer, authenticator):
    from django.test import Client

    device = authenticator(engineer)
    password_only(unverified_client, engineer)
    code = code_for(device)
    assert unverified_client.post(VERIFY, {"code": code}).status_code == 302
    other = Client()
    other.force_login(engineer)
    response = other.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert "That code is not valid." in response.content.decode()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_the_step_never_sends_anyone_to_another_site(
    unverified_client, engineer, authenticator, next_url
):
    device = authenticator(engineer)
    password_only(unverified_client, engineer)
    response = unverified_client.post(VERIFY, {"code": code_for(device), "next": next_url})
    assert response["Location"] == HOME


def test_a_verified_session_visiting_the_step_goes_on(client, engineer):
    client.force_login(engineer)
    response = client.get(f"{VERIFY}?next={QUEUE}")
    assert response["Location"] == QUEUE


# --- Setting up the authenticator app. ---


def test_the_set_up_page_shows_the_key_and_a_qr_code_drawn_on_the_server(
    unverified_client, partner
):
    password_only(unverified_client, partner)
    response = unverified_client.get(ENROL)
    body = response.content.decode()
    assert response.status_code == 200
    secret_hex = unverified_client.session[SETUP_SECRET_SESSION_KEY]
    assert mfa.secret_base32(secret_hex) in body
    assert "<svg" in body
    assert "<img" not in body
    assert not re.search(r"<script(?![^>]*\bsrc=)", body), "no inline script"
    assert 'style="' not in body


def test_the_key_stays_the_same_until_it_is_confirmed(unverified_client, partner):
    password_only(unverified_client, partner)
    unverified_client.get(ENROL)
    first = unverified_client.session[SETUP_SECRET_SESSION_KEY]
    unverified_client.get(ENROL)
    assert unverified_client.session[SETUP_SECRET_SESSION_KEY] == first


def test_confirming_with_a_code_turns_it_on_and_shows_ten_recovery_codes_once(
    unverified_client, partner
):
    password_only(unverified_client, partner)
    unverified_client.get(f"{ENROL}?next=/partner/")
    secret_hex = unverified_client.session[SETUP_SECRET_SESSION_KEY]
    response = unverified_client.post(
        ENROL, {"code": code_for_secret(secret_hex), "next": "/partner/"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    device = TOTPDevice.objects.get(user=partner)
    assert device.confirmed
    assert device.key == secret_hex
    codes = list(StaticToken.objects.filter(device__user=partner).values_list("token", flat=True))
    assert len(codes) == 10
    body = response.content.decode()
    for code in codes:
        assert f"{code[:4]} {code[4:]}" in body
    assert 'href="/partner/"' in body
    # The session is verified: the partner may act now.
    assert unverified_client.get(reverse("partner_centre")).status_code == 200
    assert SETUP_SECRET_SESSION_KEY not in unverified_client.session


def test_a_wrong_code_at_set_up_turns_nothing_on(unverified_client, partner):
    password_only(unverified_client, partner)
    unverified_client.get(ENROL)
    response = unverified_client.post(ENROL, {"code": "123456"})
    assert response.status_code == 200
    assert "That code is not valid. Check it and try again." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=partner).exists()
    assert not StaticDevice.objects.filter(user=partner).exists()


def test_a_password_alone_cannot_set_up_a_second_app(unverified_client, partner, authenticator):
    authenticator(partner)
    password_only(unverified_client, partner)
    response = unverified_client.get(ENROL)
    assert response["Location"].startswith(VERIFY)
    response = unverified_client.post(ENROL, {"code": "123456"})
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=partner).count() == 1


def test_a_verified_user_moves_to_a_new_app(client, partner):
    client.force_login(partner)
    old = TOTPDevice.objects.get(user=partner)
    client.get(ENROL)
    secret_hex = client.session[SETUP_SECRET_SESSION_KEY]
    client.post(ENROL, {"code": code_for_secret(secret_hex)})
    assert list(TOTPDevice.objects.filter(user=partner).values_list("key", flat=True)) == [
        secret_hex
    ]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_a_tenant_admin_may_turn_it_on_and_then_must_verify(unverified_client, admin):
    password_only(unverified_client, admin)
    unverified_client.get(ENROL)
    secret_hex = unverified_client.session[SETUP_SECRET_SESSION_KEY]
    unverified_client.post(ENROL, {"code": code_for_secret(secret_hex)})
    unverified_client.post(reverse("logout"))
    password_only(unverified_client, admin)
    assert unverified_client.get(HOME)["Location"].startswith(VERIFY)


# --- Recovery codes. ---


def test_a_recovery_code_signs_in_once(unverified_client, engineer, authenticator):
    from django.test import Client

    authenticator(engineer)
    code = mfa.recovery_codes_regenerate(actor=engineer)[0]
    password_only(unverified_client, engineer)
    response = unverified_client.post(VERIFY, {"code": f"{code[:4]} {code[4:].upper()}"})
    assert response.status_code == 302
    assert unverified_client.get(QUEUE).status_code == 200
    assert mfa.recovery_codes_left(engineer) == 9
    again = Client()
    again.force_login(engineer)
    response = again.post(VERIFY, {"code": code})
    assert "That code is not valid." in response.content.decode()
    assert again.get(QUEUE)["Location"].startswith(VERIFY)


def test_using_a_recovery_code_says_how_many_are_left(unverified_client, engineer, authenticator):
    authenticator(engineer)
    code = mfa.recovery_codes_regenerate(actor=engineer)[0]
    password_only(unverified_client, engineer)
    response = unverified_client.post(VERIFY, {"code": code}, follow=True)
    assert "You used a recovery code; 9 left." in response.content.decode()


def test_new_recovery_codes_from_the_profile_replace_the_old(client, engineer):
    client.force_login(engineer)
    old = mfa.recovery_codes_regenerate(actor=engineer)
    response = client.post(reverse("mfa_recovery_codes"))
    assert response.status_code == 200
    new = set(StaticToken.objects.filter(device__user=engineer).values_list("token", flat=True))
    assert len(new) == 10
    assert not new & set(old)
    body = response.content.decode()
    assert all(f"{code[:4]} {code[4:]}" in body for code in new)


def test_new_recovery_codes_are_post_only(client, engineer):
    client.force_login(engineer)
    assert client.get(reverse("mfa_recovery_codes")).status_code == 405


def test_without_an_app_there_are_no_recovery_codes_to_renew(client, admin):
    client.force_login(admin)
    response = client.post(reverse("mfa_recovery_codes"))
    assert response.status_code == 403
    assert not StaticDevice.objects.filter(user=admin).exists()


def test_the_profile_shows_the_two_step_state(client, engineer, admin):
    client.force_login(admin)
    assert "Set up two-step sign-in" in client.get(PROFILE).content.decode()
    client.force_login(engineer)
    mfa.recovery_codes_regenerate(actor=engineer)
    body = client.get(PROFILE).content.decode()
    assert "You have 10 unused recovery codes." in body
    assert "Make new recovery codes" in body
    assert "Turn off two-step sign-in" not in body


# --- Turning it off. ---


def test_a_tenant_admin_may_turn_it_off(client, admin, authenticator):
    authenticator(admin)
    client.force_login(admin)
    response = client.post(reverse("mfa_turn_off"))
    assert response["Location"] == PROFILE
    assert not TOTPDevice.objects.filter(user=admin).exists()


def test_staff_may_not_turn_it_off(client, engineer):
    client.force_login(engineer)
    response = client.post(reverse("mfa_turn_off"))
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=engineer).exists()


# --- API tokens cannot side-step the second factor. ---


def test_an_unverified_staff_user_cannot_create_a_token(unverified_client, engineer):
    password_only(unverified_client, engineer)
    response = unverified_client.post(PROFILE, {"name": "sync"})
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=engineer).exists()


def test_the_profile_refuses_a_token_to_an_unverified_session_even_without_the_middleware(
    unverified_client, engineer, authenticator, settings
):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "accounts.middleware.SecondFactorMiddleware"
    ]
    authenticator(engineer)
    password_only(unverified_client, engineer)
    response = unverified_client.post(PROFILE, {"name": "sync"})
    assert response.status_code == 403
    assert "Complete two-step sign-in before creating a token." in response.content.decode()
    assert not ApiToken.objects.filter(user=engineer).exists()


def test_a_verified_staff_user_creates_a_token(client, engineer):
    client.force_login(engineer)
    response = client.post(PROFILE, {"name": "sync"})
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=engineer, name="sync").exists()
