"""Phone intake: a one-time code to the admin's email, read back by the caller, then a request
filed on the admin's behalf with the intake steps in its history."""

import re
import smtplib
from datetime import timedelta

import pytest
from django.core import mail

from accounts.models import TenantRole
from cases.models import CaseEvent, IntakeVerification, Notification
from cases.services import intake
from cases.services.lifecycle import Impact
from helpdesk.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tests.factories import SupportProfileFactory

Status = IntakeVerification.Status


@pytest.fixture
def admin(world):
    return world[TenantRole.GLOBAL_ADMIN]


@pytest.fixture
def engineer(world):
    return world["engineer"]


@pytest.fixture
def started(world, engineer, admin):
    """Start an intake for Contoso's global admin; returns (verification, code from the email)."""

    def _start(actor=None, who=None):
        verification = intake.intake_start(
            actor=actor or engineer, tenant=world.contoso, admin=who or admin
        )
        return verification, code_in(mail.outbox[-1])

    return _start


def code_in(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


@pytest.fixture
def file_for(world, engineer, categories, problem_type, contact):
    def _file(verification, actor=None, **overrides):
        arguments = {
            "actor": actor or engineer,
            "verification": verification,
            "category": categories["technical"],
            "problem_type": problem_type,
            "title": "Mail is not arriving",
            "description": "The admin called: no external mail since this morning.",
            "contact": contact,
            "impact": Impact(service="impaired", users="several", workaround=False),
        }
        arguments.update(overrides)
        return intake.intake_file(**arguments)

    return _file


def test_the_code_is_emailed_to_the_admins_registered_address(started, admin, world):
    verification, code = started()
    assert verification.status == Status.PENDING
    assert verification.sent_to == admin.email
    assert verification.expires_at == world.now + timedelta(minutes=10)
    message = mail.outbox[-1]
    assert message.to == [admin.email]
    assert code in message.body
    assert world.contoso.name in message.body
    assert code not in message.subject


def test_the_code_is_never_stored_in_plain_text(started):
    verification, code = started()
    row = IntakeVerification.objects.values().get(pk=verification.pk)
    assert all(code not in str(value) for value in row.values())
    assert not Notification.objects.filter(context__icontains=code).exists()


def test_the_code_is_six_random_digits(started):
    codes = {started()[1] for _ in range(3)}
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)


def test_the_right_code_files_a_case_on_the_admins_behalf_with_the_steps_in_history(
    started, file_for, engineer, admin, world
):
    verification, code = started()
    with pytest.raises(InvalidInput):
        intake.intake_verify(actor=engineer, verification=verification, code=wrong(code))
    intake.intake_verify(actor=engineer, verification=verification, code=code)
    assert verification.status == Status.VERIFIED

    case = file_for(verification)

    assert case.opened_by == admin
    assert case.tenant == world.contoso
    assert case.acting_partner is None
    verification.refresh_from_db()
    assert verification.status == Status.USED
    assert verification.used_by_case == case
    events = {event.kind: event for event in case.events.all()}
    assert events[CaseEvent.Kind.OPENED].actor == engineer
    sent, call = events[CaseEvent.Kind.NOTE], events[CaseEvent.Kind.CALL]
    assert not sent.is_public and not call.is_public
    assert sent.actor == engineer and call.actor == engineer
    assert f"code sent to {admin.email} at 2026-06-15 14:30 UTC" in sent.body
    assert "verified" in call.body and "after 2 tries" in call.body
    assert code not in sent.body + call.body


def test_a_wrong_code_counts_down_and_the_fifth_locks_the_check(started, engineer):
    verification, code = started()
    for left in (4, 3, 2, 1):
        with pytest.raises(intake.WrongCode) as caught:
            intake.intake_verify(actor=engineer, verification=verification, code=wrong(code))
        assert caught.value.code == "wrong_code"
        assert caught.value.attempts_left == left
        assert str(left) in caught.value.message
    with pytest.raises(Conflict) as caught:
        intake.intake_verify(actor=engineer, verification=verification, code=wrong(code))
    assert caught.value.code == "too_many_attempts"
    verification.refresh_from_db()
    assert (verification.status, verification.attempts) == (Status.LOCKED, 5)
    # Locked means locked: the right code no longer helps.
    with pytest.raises(Conflict) as caught:
        intake.intake_verify(actor=engineer, verification=verification, code=code)
    assert caught.value.code == "too_many_attempts"
    verification.refresh_from_db()
    assert verification.attempts == 5


def test_the_code_expires_after_ten_minutes_even_when_right(started, engineer, frozen_clock):
    verification, code = started()
    frozen_clock.shift(timedelta(minutes=10))
    with pytest.raises(Conflict) as caught:
        intake.intake_verify(actor=engineer, verification=verification, code=code)
    assert caught.value.code == "code_expired"
    verification.refresh_from_db()
    assert verification.status == Status.EXPIRED
    assert verification.verified_at is None


def test_a_code_nine_minutes_old_still_works(started, engineer, frozen_clock):
    verification, code = started()
    frozen_clock.shift(timedelta(minutes=9))
    intake.intake_verify(actor=engineer, verification=verification, code=code)
    assert verification.status == Status.VERIFIED


def test_starting_again_ends_the_earlier_check_for_the_same_admin(started, engineer):
    first, first_code = started()
    second, second_code = started()
    with pytest.raises(Conflict) as caught:
        intake.intake_verify(actor=engineer, verification=first, code=first_code)
    assert caught.value.code == "code_expired"
    intake.intake_verify(actor=engineer, verification=second, code=second_code)
    assert second.status == Status.VERIFIED


@pytest.mark.parametrize("other", ["manager", "second_engineer"])
def test_only_the_engineer_who_started_may_verify(started, world, other):
    verification, code = started()
    actor = world[other] if other in world.users else SupportProfileFactory().user
    with pytest.raises(NotFound):
        intake.intake_verify(actor=actor, verification=verification, code=code)
    verification.refresh_from_db()
    assert (verification.status, verification.attempts) == (Status.PENDING, 0)


@pytest.mark.parametrize(
    "persona", [TenantRole.GLOBAL_ADMIN, "partner_active", "plain_user", "outsider"]
)
def test_nobody_but_support_staff_may_verify(started, world, persona):
    verification, code = started()
    with pytest.raises(NotAllowed):
        intake.intake_verify(actor=world[persona], verification=verification, code=code)


@pytest.mark.parametrize(
    "persona",
    [
        "plain_user",
        TenantRole.GLOBAL_READER,
        "partner_active",  # acts through delegation, not a Contoso admin of its own
        "outsider",  # Fabrikam's global admin
        "engineer",
        "manager",
    ],
)
def test_someone_without_a_request_role_on_the_tenant_cannot_be_the_admin(world, engineer, persona):
    with pytest.raises(InvalidInput) as caught:
        intake.intake_start(actor=engineer, tenant=world.contoso, admin=world[persona])
    assert caught.value.code == "not_tenant_admin"
    assert not IntakeVerification.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("role", [TenantRole.HELPDESK_ADMIN, TenantRole.BILLING_ADMIN])
def test_any_request_role_admin_may_be_verified(world, engineer, role):
    verification = intake.intake_start(actor=engineer, tenant=world.contoso, admin=world[role])
    assert mail.outbox[-1].to == [world[role].email]
    assert verification.admin == world[role]


@pytest.mark.parametrize(
    "persona", [TenantRole.GLOBAL_ADMIN, "partner_active", "plain_user", "outsider"]
)
def test_a_tenant_admin_or_anyone_else_outside_support_cannot_start_an_intake(
    world, admin, persona
):
    with pytest.raises(NotAllowed) as caught:
        intake.intake_start(actor=world[persona], tenant=world.contoso, admin=admin)
    assert caught.value.code == "not_support_staff"
    assert mail.outbox == []


def test_a_manager_may_take_phone_intake(world, admin):
    verification = intake.intake_start(actor=world["manager"], tenant=world.contoso, admin=admin)
    assert verification.engineer == world["manager"]


def test_no_more_than_five_codes_an_hour_go_to_one_admin(started, world, engineer, frozen_clock):
    for _ in range(5):
        started()
    with pytest.raises(Conflict) as caught:
        started(actor=world["manager"])
    assert caught.value.code == "too_many_codes"
    assert len(mail.outbox) == 5
    frozen_clock.shift(timedelta(hours=1))
    started()
    assert len(mail.outbox) == 6


def test_a_code_that_cannot_be_mailed_leaves_nothing_behind(world, engineer, admin, monkeypatch):
    def broken(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(intake, "send_mail", broken)
    with pytest.raises(Conflict) as caught:
        intake.intake_start(actor=engineer, tenant=world.contoso, admin=admin)
    assert caught.value.code == "code_not_sent"
    assert not IntakeVerification.objects.exists()


def test_the_code_email_is_in_the_admins_language(world, engineer, admin):
    admin.preferred_language = "ko"
    admin.save(update_fields=["preferred_language"])
    intake.intake_start(actor=engineer, tenant=world.contoso, admin=admin)
    assert re.search(r"\b\d{6}\b", mail.outbox[-1].body)


def test_a_used_verification_cannot_file_twice(started, file_for, engineer):
    verification, code = started()
    intake.intake_verify(actor=engineer, verification=verification, code=code)
    first = file_for(verification)
    with pytest.raises(Conflict) as caught:
        file_for(verification, title="Another one")
    assert caught.value.code == "already_used"
    assert first.tenant.cases.count() == 1


def test_an_unverified_check_cannot_file(started, file_for):
    verification, _code = started()
    with pytest.raises(Conflict) as caught:
        file_for(verification)
    assert caught.value.code == "not_verified"


def test_another_engineer_cannot_file_with_my_verification(started, file_for, engineer, world):
    verification, code = started()
    intake.intake_verify(actor=engineer, verification=verification, code=code)
    with pytest.raises(NotFound):
        file_for(verification, actor=world["manager"])


def test_the_verification_must_be_used_within_thirty_minutes(
    started, file_for, engineer, frozen_clock
):
    verification, code = started()
    intake.intake_verify(actor=engineer, verification=verification, code=code)
    frozen_clock.shift(timedelta(minutes=30, seconds=1))
    with pytest.raises(Conflict) as caught:
        file_for(verification)
    assert caught.value.code == "verification_expired"


def test_a_field_error_while_filing_leaves_the_verification_usable(started, file_for, engineer):
    verification, code = started()
    intake.intake_verify(actor=engineer, verification=verification, code=code)
    with pytest.raises(InvalidInput) as caught:
        file_for(verification, title="   ")
    assert caught.value.code == "invalid_title"
    verification.refresh_from_db()
    assert verification.status == Status.VERIFIED
    case = file_for(verification)
    assert case.pk


def test_the_intake_history_is_hidden_from_the_admin(started, file_for, engineer, admin):
    from cases import selectors

    verification, code = started()
    intake.intake_verify(actor=engineer, verification=verification, code=code)
    case = file_for(verification)
    kinds = set(selectors.case_history_for(admin, case).values_list("kind", flat=True))
    assert kinds == {CaseEvent.Kind.OPENED}


@pytest.mark.postgres
def test_parallel_wrong_guesses_never_exceed_five_tries(world, engineer, admin):
    import threading

    from django.db import connection

    verification = intake.intake_start(actor=engineer, tenant=world.contoso, admin=admin)
    code = code_in(mail.outbox[-1])
    barrier = threading.Barrier(8)
    outcomes = []

    def guess():
        try:
            barrier.wait()
            intake.intake_verify(actor=engineer, verification=verification, code=wrong(code))
        except (InvalidInput, Conflict) as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    verification.refresh_from_db()
    assert (verification.status, verification.attempts) == (Status.LOCKED, 5)
    assert outcomes.count("wrong_code") == 4
    assert outcomes.count("too_many_attempts") == 4
