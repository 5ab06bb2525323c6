"""`manage.py create_api_token EMAIL [--name N]`."""

from io import StringIO

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from accounts.models import ApiToken
from accounts.tokens import MAX_ACTIVE_TOKENS_PER_USER, api_token_create, user_for_token
from tests.factories import UserFactory


@pytest.fixture
def user(db, frozen_clock):
    return UserFactory(email="dana@contoso.example")


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_prints_only_a_working_token_on_stdout(user):
    out, err = run("dana@contoso.example", "--name", "Nightly export")
    plain = out.removesuffix("\n")
    assert "\n" not in plain
    found = user_for_token(plain)
    assert found is not None
    assert found[0] == user
    assert found[1].name == "Nightly export"
    assert plain not in err


def test_the_email_is_matched_without_regard_to_case_and_the_name_has_a_default(user):
    out, _ = run("Dana@Contoso.Example")
    token = ApiToken.objects.get(user=user)
    assert token.name == "Command line"
    assert out.startswith(f"hd_{token.prefix}_")


def test_an_unknown_email_is_a_command_error(user):
    with pytest.raises(CommandError, match=r"No user with the email address nobody@example\.com"):
        run("nobody@example.com")
    assert not ApiToken.objects.exists()


def test_an_inactive_user_gets_no_token(user):
    user.is_active = False
    user.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="inactive"):
        run("dana@contoso.example")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("name", ["", "x" * 101])
def test_a_bad_name_is_a_command_error(user, name):
    with pytest.raises(CommandError):
        run("dana@contoso.example", "--name", name)
    assert not ApiToken.objects.exists()


def test_the_token_limit_applies(user):
    for n in range(MAX_ACTIVE_TOKENS_PER_USER):
        api_token_create(actor=user, name=f"token {n}")
    with pytest.raises(CommandError, match="20 active tokens"):
        run("dana@contoso.example")


def test_from_the_command_line_an_unknown_email_exits_non_zero_with_one_line(user, capsys):
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "create_api_token", "nobody@example.com"]).execute()
    assert exited.value.code != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().count("\n") == 0
    assert "No user with the email address nobody@example.com" in captured.err
