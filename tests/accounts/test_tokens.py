"""Personal API tokens: created once, stored hashed, revoked for good, use recorded sparingly."""

import hashlib
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from accounts.models import ApiToken
from accounts.tokens import (
    MAX_ACTIVE_TOKENS_PER_USER,
    api_token_create,
    api_token_revoke,
    tokens_for,
    user_for_token,
)
from helpdesk.errors import Conflict, InvalidInput, NotFound
from tests.factories import SupportProfileFactory, TenantFactory, UserFactory


@pytest.fixture
def user(db, frozen_clock):
    return UserFactory(email="dana@contoso.example")


@pytest.fixture
def other_user(db):
    return UserFactory(email="admin@fabrikam.example")


def test_a_new_token_authenticates_its_owner(user):
    token, plain = api_token_create(actor=user, name="Ticket sync")
    assert user_for_token(plain) == (user, token)
    assert token.name == "Ticket sync"
    assert token.is_active


def test_the_token_reads_hd_prefix_secret(user):
    token, plain = api_token_create(actor=user, name="Ticket sync")
    scheme, prefix, secret = plain.split("_", 2)
    assert scheme == "hd"
    assert prefix == token.prefix
    assert len(prefix) == 16
    assert len(secret) == 43


def test_only_the_hash_of_the_token_is_stored(user):
    token, plain = api_token_create(actor=user, name="Ticket sync")
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    secret = plain.split("_", 2)[2]
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(secret in str(value) for value in stored.values())


def test_each_token_is_different(user):
    plains = {api_token_create(actor=user, name=f"token {n}")[1] for n in range(5)}
    assert len(plains) == 5


def test_the_name_is_trimmed(user):
    token, _ = api_token_create(actor=user, name="  Ticket sync  ")
    assert token.name == "Ticket sync"


@pytest.mark.parametrize(
    ("name", "code"),
    [("", "name_required"), ("   ", "name_required"), ("x" * 101, "name_too_long")],
)
def test_a_token_needs_a_name_of_at_most_100_characters(user, name, code):
    with pytest.raises(InvalidInput) as raised:
        api_token_create(actor=user, name=name)
    assert raised.value.code == code
    assert "name" in raised.value.fields
    assert not ApiToken.objects.exists()


def test_a_name_of_exactly_100_characters_is_fine(user):
    token, _ = api_token_create(actor=user, name="x" * 100)
    assert len(token.name) == 100


def test_a_user_may_hold_at_most_20_active_tokens(user, other_user):
    for n in range(MAX_ACTIVE_TOKENS_PER_USER):
        api_token_create(actor=user, name=f"token {n}")
    with pytest.raises(InvalidInput) as raised:
        api_token_create(actor=user, name="one too many")
    assert raised.value.code == "too_many_tokens"
    assert ApiToken.objects.filter(user=user).count() == MAX_ACTIVE_TOKENS_PER_USER
    # The limit is per user.
    api_token_create(actor=other_user, name="mine")


def test_revoking_a_token_frees_a_place_under_the_limit(user):
    first = None
    for n in range(MAX_ACTIVE_TOKENS_PER_USER):
        token, _ = api_token_create(actor=user, name=f"token {n}")
        first = first or token
    api_token_revoke(actor=user, token_id=first.pk)
    api_token_create(actor=user, name="replacement")
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == 20


def test_a_revoked_token_no_longer_authenticates(user, now):
    token, plain = api_token_create(actor=user, name="Ticket sync")
    revoked = api_token_revoke(actor=user, token_id=token.pk)
    assert revoked.revoked_at == now
    token.refresh_from_db()
    assert token.revoked_at == now
    assert user_for_token(plain) is None


def test_revoking_twice_is_a_conflict(user):
    token, _ = api_token_create(actor=user, name="Ticket sync")
    api_token_revoke(actor=user, token_id=token.pk)
    with pytest.raises(Conflict) as raised:
        api_token_revoke(actor=user, token_id=token.pk)
    assert raised.value.code == "already_revoked"


def test_another_users_token_is_not_found_and_stays_active(user, other_user):
    token, plain = api_token_create(actor=user, name="Ticket sync")
    with pytest.raises(NotFound):
        api_token_revoke(actor=other_user, token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert user_for_token(plain) == (user, token)


def test_a_token_that_does_not_exist_is_not_found(user):
    with pytest.raises(NotFound):
        api_token_revoke(actor=user, token_id=999_999)


def test_tokens_for_lists_the_users_own_tokens_active_and_revoked_newest_first(
    user, other_user, frozen_clock
):
    old, _ = api_token_create(actor=user, name="old")
    frozen_clock.shift(timedelta(hours=1))
    new, _ = api_token_create(actor=user, name="new")
    api_token_create(actor=other_user, name="not mine")
    api_token_revoke(actor=user, token_id=old.pk)
    assert list(tokens_for(user)) == [new, old]


@pytest.mark.parametrize(
    "plain",
    [
        "",
        "hd_",
        "Bearer",
        "not-a-token",
        "hd_0123456789abcdef_",
        "hd_0123456789abcdef_" + "a" * 42,
        "hd_0123456789abcdef_" + "a" * 44,
        "hd_0123456789ABCDEF_" + "a" * 43,
        "xx_0123456789abcdef_" + "a" * 43,
        "hd_0123456789abcdef_" + "a" * 42 + "!",
        "hd_0123456789abcdef_" + "é" * 43,
        "hd_0123456789abcdef_" + "a" * 43 + "\n",
        None,
    ],
)
def test_malformed_tokens_find_nobody(user, plain):
    api_token_create(actor=user, name="Ticket sync")
    assert user_for_token(plain) is None


def test_a_token_with_a_known_prefix_and_a_wrong_secret_finds_nobody(user):
    _, plain = api_token_create(actor=user, name="Ticket sync")
    secret = plain.split("_", 2)[2]
    forged = plain[: -len(secret)] + ("A" if secret[0] != "A" else "B") + secret[1:]
    assert user_for_token(forged) is None


def test_an_unknown_token_finds_nobody(user):
    _, plain = api_token_create(actor=user, name="Ticket sync")
    assert user_for_token("hd_" + "0" * 16 + plain[-44:]) is None


def test_the_token_of_an_inactive_user_finds_nobody(user):
    _, plain = api_token_create(actor=user, name="Ticket sync")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert user_for_token(plain) is None


def test_use_is_recorded_at_most_once_a_minute(user, now, frozen_clock, django_assert_num_queries):
    token, plain = api_token_create(actor=user, name="Ticket sync")
    assert token.last_used_at is None

    with django_assert_num_queries(2):  # look up, record
        user_for_token(plain)
    token.refresh_from_db()
    assert token.last_used_at == now

    frozen_clock.shift(timedelta(seconds=59))
    with django_assert_num_queries(1):  # look up only
        _, seen = user_for_token(plain)
    assert seen.last_used_at == now
    token.refresh_from_db()
    assert token.last_used_at == now

    frozen_clock.shift(timedelta(seconds=1))
    user_for_token(plain)
    token.refresh_from_db()
    assert token.last_used_at == now + timedelta(minutes=1)


def test_the_lookup_brings_the_owners_tenant_and_staff_profile(db, django_assert_num_queries):
    admin = UserFactory(tenant=TenantFactory(primary_domain="contoso.example"))
    engineer = SupportProfileFactory().user
    for owner in (admin, engineer):
        _token, plain = api_token_create(actor=owner, name="Ticket sync")
        user_for_token(plain)  # records the first use

        # Every API call asks who the caller is and where they belong: no query of its own.
        with django_assert_num_queries(1):
            found, _ = user_for_token(plain)
            assert (found.tenant.primary_domain if found.tenant_id else None) == (
                "contoso.example" if owner == admin else None
            )
            assert hasattr(found, "support_profile") == (owner == engineer)


def test_the_database_refuses_a_duplicate_prefix_or_a_blank_name(user):
    token, _ = api_token_create(actor=user, name="Ticket sync")
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.create(user=user, name="copy", prefix=token.prefix, key_hash="0" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.create(user=user, name="", prefix="f" * 16, key_hash="0" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.create(user=user, name="short", prefix="e" * 16, key_hash="0" * 10)
