"""The profile page: identity, and creating, listing and revoking personal API tokens."""

import pytest
from django.urls import reverse

from accounts.models import ApiToken, TenantRole
from accounts.tokens import MAX_ACTIVE_TOKENS_PER_USER, api_token_create, user_for_token
from tests.personas import ALL_PERSONAS

PROFILE = reverse("profile")


def revoke_url(token):
    return reverse("profile_token_revoke", args=[token.pk])


@pytest.fixture
def admin(world):
    return world[TenantRole.GLOBAL_ADMIN]


@pytest.fixture
def signed_in(client, admin):
    client.force_login(admin)
    return client


@pytest.mark.parametrize("persona", [p for p in ALL_PERSONAS if p != "anonymous"])
def test_every_signed_in_user_sees_their_own_profile(client, world, persona):
    user = world[persona]
    client.force_login(user)
    response = client.get(PROFILE)
    assert response.status_code == 200
    body = response.content.decode()
    assert user.display_name in body
    assert user.email in body
    assert user.time_zone in body
    assert "You have no API tokens." in body


def test_the_profile_shows_language_and_time_zone(client, world, admin):
    admin.preferred_language = "ko"
    admin.time_zone = "Asia/Seoul"
    admin.save(update_fields=["preferred_language", "time_zone"])
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    body = client.get(PROFILE).content.decode()
    assert "Korean" in body
    assert "Asia/Seoul" in body


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_top_bar_links_to_the_profile(signed_in):
    body = signed_in.get(reverse("home")).content.decode()
    assert f'href="{PROFILE}"' in body


def test_creating_a_token_shows_it_once(signed_in, admin):
    response = signed_in.post(PROFILE, {"name": "Ticket sync"})
    assert response.status_code == 200
    plain = response.context["new_token"]
    assert plain.startswith("hd_")
    assert plain in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=admin)
    assert token.name == "Ticket sync"
    assert user_for_token(plain) == (admin, token)
    # Not kept anywhere the next page could read it.
    assert plain not in str(dict(signed_in.session))
    again = signed_in.get(PROFILE)
    assert plain not in again.content.decode()
    assert "Ticket sync" in again.content.decode()
    assert f"hd_{token.prefix}_" in again.content.decode()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("x" * 101, "Ensure this value has at most 100 characters"),
        ("   ", "This field is required."),
    ],
)
def test_a_bad_name_shows_the_form_error_and_creates_nothing(signed_in, name, message):
    response = signed_in.post(PROFILE, {"name": name})
    assert response.status_code == 200
    assert response.context["new_token"] is None
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_twenty_first_token_is_refused_on_the_form(signed_in, admin):
    for n in range(MAX_ACTIVE_TOKENS_PER_USER):
        api_token_create(actor=admin, name=f"token {n}")
    response = signed_in.post(PROFILE, {"name": "one too many"})
    assert response.status_code == 200
    assert response.context["new_token"] is None
    assert "You already have 20 active tokens" in response.content.decode()
    assert ApiToken.objects.filter(user=admin).count() == MAX_ACTIVE_TOKENS_PER_USER


def test_the_page_lists_only_the_users_own_tokens(signed_in, world, admin):
    api_token_create(actor=admin, name="Mine")
    api_token_create(actor=world["outsider"], name="Someone else's")
    body = signed_in.get(PROFILE).content.decode()
    assert "Mine" in body
    assert "Someone else" not in body


def test_revoking_a_token_stops_it_and_returns_to_the_profile(signed_in, admin, now):
    token, plain = api_token_create(actor=admin, name="Ticket sync")
    response = signed_in.post(revoke_url(token))
    assert response.status_code == 302
    assert response.url == PROFILE
    token.refresh_from_db()
    assert token.revoked_at == now
    assert user_for_token(plain) is None
    body = signed_in.get(PROFILE).content.decode()
    assert "Revoked" in body
    assert revoke_url(token) not in body


def test_revoking_twice_shows_a_message(signed_in, admin):
    token, _ = api_token_create(actor=admin, name="Ticket sync")
    signed_in.post(revoke_url(token))
    response = signed_in.post(revoke_url(token), follow=True)
    assert response.status_code == 200
    assert "That token was already revoked." in response.content.decode()


def test_revoking_is_post_only(signed_in, admin):
    token, plain = api_token_create(actor=admin, name="Ticket sync")
    assert signed_in.get(revoke_url(token)).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None
    assert user_for_token(plain) is not None


def test_nobody_can_revoke_someone_elses_token(client, world, admin):
    token, plain = api_token_create(actor=admin, name="Ticket sync")
    client.force_login(world["outsider"])
    assert client.post(revoke_url(token)).status_code == 404
    assert client.post(reverse("profile_token_revoke", args=[999_999])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert user_for_token(plain) is not None


def test_anonymous_visitors_cannot_revoke(client, world, admin):
    token, _ = api_token_create(actor=admin, name="Ticket sync")
    response = client.post(revoke_url(token))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("count", [1, 15])
def test_the_page_runs_a_fixed_number_of_queries(
    signed_in, admin, count, django_assert_max_num_queries
):
    for n in range(count):
        api_token_create(actor=admin, name=f"token {n}")
    # Session, user and the layout's workspace take nine; the authenticator one; the tokens one,
    # however many.
    with django_assert_max_num_queries(11):
        assert signed_in.get(PROFILE).status_code == 200
