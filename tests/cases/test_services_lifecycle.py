"""The service request lifecycle (spec sections 4 to 6)."""

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ElevatedSupportContract, TenantRole
from cases import selectors
from cases.models import CaseEvent, CaseStatus, Notification, ProblemType, ResponseTargetCell
from cases.services import lifecycle
from cases.services.lifecycle import Impact
from helpdesk.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tests.factories import TenantFactory

CRITICAL = Impact(service="unusable", users="organisation", workaround=False)


def test_an_admin_files_a_technical_request_with_a_committed_target(world, open_case):
    case = open_case()
    assert re.fullmatch(r"SR260615-[0-9A-HJKMNP-TV-Z]{6}", case.number)
    assert case.status == CaseStatus.NEW
    assert case.severity == "B"
    assert case.support_tier == "enterprise"
    assert (case.response_availability, case.response_label) == ("24x7", "Next day")
    assert case.initial_response_due_at == world.now + timedelta(days=1)
    assert case.breach_warn_at == world.now + timedelta(hours=18)
    assert case.opened_by == world[TenantRole.GLOBAL_ADMIN]
    assert case.acting_partner is None
    assert list(case.events.values_list("kind", flat=True)) == ["opened"]


def test_filing_queues_the_created_notification_for_after_commit(
    open_case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        case = open_case()
    notice = Notification.objects.get(case=case)
    assert notice.kind == "case_created"
    assert notice.to == ["dana@contoso.example"]
    assert notice.cc == ["it@contoso.example"]
    assert len(callbacks) == 1


def test_filing_reads_the_response_targets_once(open_case):
    open_case()  # warm the role and reference lookups that any filing makes
    matrix = ResponseTargetCell._meta.db_table
    with CaptureQueriesContext(connection) as captured:
        case = open_case(title="Second request")
    reads = [q["sql"] for q in captured.captured_queries if f'FROM "{matrix}"' in q["sql"]]
    assert len(reads) == 1
    assert case.response_label == "Next day"


def test_numbers_carry_the_date_and_a_random_part_not_a_sequence(open_case, monkeypatch):
    from cases import numbers

    numbers_seen = [open_case().number for _ in range(5)]
    assert len(set(numbers_seen)) == 5
    assert all(n.startswith("SR260615-") for n in numbers_seen)
    # The random part comes from the secrets module, not from a counter of cases.
    monkeypatch.setattr(numbers.secrets, "choice", lambda alphabet: "Z")
    assert open_case().number == "SR260615-ZZZZZZ"


def test_severity_a_with_phone_and_24x7_gets_the_one_hour_target(world, open_case, contact):
    case = open_case(impact=CRITICAL, contact=replace(contact, available_24x7=True))
    assert case.severity == "A"
    assert case.response_label == "1 hour"
    assert case.initial_response_due_at == world.now + timedelta(hours=1)


@pytest.mark.parametrize(
    ("phone", "available"), [("", True), ("+1 212 555 0100", False), ("", False)]
)
def test_severity_a_without_phone_and_24x7_opens_as_b(open_case, contact, phone, available):
    case = open_case(
        impact=CRITICAL, contact=replace(contact, phone=phone, available_24x7=available)
    )
    assert case.severity == "B"
    assert "needs_phone_and_24x7" in case.events.get().body


def test_billing_requests_are_at_most_b_and_have_no_commitment(open_case, categories, contact):
    case = open_case(
        category=categories["billing"],
        problem_type=None,
        impact=CRITICAL,
        contact=replace(contact, available_24x7=True),
    )
    assert case.severity == "B"
    assert case.response_availability == "business_hours"
    assert case.initial_response_due_at is None


def test_without_answers_the_problem_type_default_applies(open_case, problem_type):
    ProblemType.objects.filter(pk=problem_type.pk).update(default_severity="C")
    problem_type.refresh_from_db()
    case = open_case(impact=Impact(), problem_type=problem_type)
    assert case.severity == "C"
    assert case.initial_response_due_at is None  # enterprise C: no commitment


def test_only_elevated_tenants_choose_their_severity(world, open_case):
    assert open_case(chosen_severity="C").severity == "B"
    ElevatedSupportContract.objects.create(
        tenant=world.contoso,
        starts_at=world.now - timedelta(days=1),
        ends_at=world.now + timedelta(days=1),
    )
    case = open_case(chosen_severity="C")
    assert case.severity == "C"
    assert case.response_label == "4 hours"
    assert case.initial_response_due_at == world.now + timedelta(hours=4)


@pytest.mark.parametrize(
    "persona", [TenantRole.GLOBAL_READER, "plain_user", "outsider", "partner_expired", "engineer"]
)
def test_personas_without_a_request_role_cannot_file(world, open_case, persona):
    with pytest.raises(NotAllowed):
        open_case(actor=world[persona])


def test_a_partner_files_for_its_customer_and_the_history_says_so(world, open_case):
    case = open_case(actor=world["partner_active"])
    assert case.acting_partner == world.partner
    assert case.events.get().acting_partner == world.partner


def test_an_out_of_scope_problem_is_refused_with_its_advice(open_case, categories):
    scripts = ProblemType.objects.create(
        category=categories["technical"],
        code="test-scripts",
        name="Scripts",
        is_out_of_scope=True,
        out_of_scope_advice="Ask in the developer community forums.",
    )
    with pytest.raises(InvalidInput) as error:
        open_case(problem_type=scripts)
    assert error.value.code == "out_of_scope"
    assert "community forums" in error.value.message


def test_without_a_subscription_only_pre_sales_requests_can_be_filed(world, open_case, categories):
    bare = TenantFactory()
    from tests.factories import RoleAssignmentFactory

    admin = RoleAssignmentFactory(tenant=bare).user
    with pytest.raises(InvalidInput) as error:
        open_case(actor=admin, tenant=bare)
    assert error.value.code == "no_active_subscription"
    case = open_case(actor=admin, tenant=bare, category=categories["pre_sales"], problem_type=None)
    assert case.initial_response_due_at is None


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"method": "phone", "phone": ""}, "phone_required"),
        ({"email": "not-an-address"}, "invalid_contact"),
        ({"alternate_email": "nope"}, "invalid_contact"),
        ({"time_zone": "Mars/Base"}, "invalid_contact"),
        ({"language": "xx"}, "invalid_contact"),
        ({"name": " "}, "invalid_contact"),
    ],
)
def test_bad_contact_details_are_refused(open_case, contact, change, code):
    with pytest.raises(InvalidInput) as error:
        open_case(contact=replace(contact, **change))
    assert error.value.code == code


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"title": ""}, "invalid_title"),
        ({"title": "x" * 201}, "invalid_title"),
        ({"description": "  "}, "invalid_description"),
        ({"impact": Impact(service="exploded")}, "invalid_impact"),
    ],
)
def test_bad_request_fields_are_refused_and_nothing_is_saved(open_case, fields, code):
    from cases.models import Case

    with pytest.raises(InvalidInput) as error:
        open_case(**fields)
    assert error.value.code == code
    assert not Case.objects.exists()


def test_the_first_public_engineer_reply_is_the_initial_response(world, open_case, later):
    case = open_case()
    engineer = world["engineer"]
    lifecycle.case_reply(
        actor=engineer, case=case, body="Looking.", internal=True, at=later(minutes=5)
    )
    case.refresh_from_db()
    assert case.first_responded_at is None
    assert case.status == CaseStatus.NEW
    lifecycle.case_reply(actor=engineer, case=case, body="We are on it.", at=later(minutes=10))
    lifecycle.case_reply(actor=engineer, case=case, body="Update.", at=later(minutes=20))
    case.refresh_from_db()
    assert case.first_responded_at == later(minutes=10)
    assert case.status == CaseStatus.IN_PROGRESS
    assert Notification.objects.filter(case=case, kind="engineer_replied").count() == 2


def test_a_logged_call_is_a_response_too(world, open_case, later):
    case = open_case()
    lifecycle.case_log_call(
        actor=world["engineer"], case=case, summary="Called Dana.", at=later(minutes=3)
    )
    case.refresh_from_db()
    assert case.first_responded_at == later(minutes=3)


def test_customers_cannot_write_internal_notes_or_log_calls(world, open_case):
    case = open_case()
    with pytest.raises(NotAllowed):
        lifecycle.case_reply(
            actor=world[TenantRole.GLOBAL_ADMIN], case=case, body="x", internal=True
        )
    with pytest.raises(NotAllowed):
        lifecycle.case_log_call(actor=world[TenantRole.GLOBAL_ADMIN], case=case, summary="x")


def test_a_customer_reply_hands_a_waiting_case_back(world, open_case, later):
    case = open_case()
    lifecycle.case_set_waiting(actor=world["engineer"], case=case, at=later(minutes=1))
    assert case.status == CaseStatus.WAITING_ON_CUSTOMER
    assert Notification.objects.filter(case=case, kind="waiting_on_you").exists()
    lifecycle.case_reply(
        actor=world[TenantRole.HELPDESK_ADMIN], case=case, body="Here.", at=later(minutes=2)
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.first_responded_at is None  # a customer reply is not a response


def test_internal_notes_never_reach_the_customers_history(world, open_case):
    case = open_case()
    lifecycle.case_reply(actor=world["engineer"], case=case, body="secret note", internal=True)
    lifecycle.case_reply(actor=world["engineer"], case=case, body="public answer")
    customer_view = [e.body for e in selectors.case_history_for(world["partner_active"], case)]
    staff_view = [e.body for e in selectors.case_history_for(world["manager"], case)]
    assert "secret note" not in customer_view
    assert "public answer" in customer_view
    assert "secret note" in staff_view


def test_another_tenants_case_is_not_found(world, open_case):
    case = open_case()
    for persona in ["outsider", "partner_other_tenant", "partner_terminated", "anonymous"]:
        with pytest.raises(NotFound):
            selectors.case_get_for(world[persona], case.number)
    assert selectors.case_get_for(world["partner_active"], case.number) == case
    with pytest.raises(NotFound):
        lifecycle.case_reply(actor=world["outsider"], case=case, body="hello")


def test_two_claims_one_wins_and_the_other_learns_who(world, open_case):
    case = open_case()
    lifecycle.case_claim(actor=world["engineer"], case=case)
    with pytest.raises(Conflict) as error:
        lifecycle.case_claim(actor=world["manager"], case=case)
    assert error.value.code == "already_claimed"
    assert world["engineer"].display_name in error.value.message


def test_only_support_staff_can_be_assigned(world, open_case):
    case = open_case()
    with pytest.raises(InvalidInput):
        lifecycle.case_assign(
            actor=world["manager"], case=case, assignee=world[TenantRole.GLOBAL_ADMIN]
        )
    with pytest.raises(NotAllowed):
        lifecycle.case_claim(actor=world[TenantRole.GLOBAL_ADMIN], case=case)
    lifecycle.case_assign(actor=world["manager"], case=case, assignee=world["engineer"])
    assert case.assigned_to == world["engineer"]
    assert case.events.filter(kind="assigned", is_public=False).exists()


def test_severity_change_needs_a_reason_and_recomputes_from_submission(
    world, open_case, later, contact
):
    case = open_case(contact=replace(contact, available_24x7=True))
    with pytest.raises(InvalidInput):
        lifecycle.case_change_severity(actor=world["engineer"], case=case, severity="A", reason=" ")
    lifecycle.case_change_severity(
        actor=world["engineer"],
        case=case,
        severity="A",
        reason="Whole org down",
        at=later(minutes=30),
    )
    assert case.initial_response_due_at == world.now + timedelta(hours=1)
    assert case.breached_at is None
    event = case.events.get(kind="severity")
    assert (event.old_value, event.new_value, event.body) == ("B", "A", "Whole org down")


def test_a_new_target_already_past_is_breached_at_once(world, open_case, later, contact):
    case = open_case(contact=replace(contact, available_24x7=True))
    lifecycle.case_change_severity(
        actor=world["engineer"], case=case, severity="A", reason="Escalated", at=later(hours=3)
    )
    assert case.breached_at == world.now + timedelta(hours=1)
    assert Notification.objects.filter(case=case, kind="breached", audience="managers").exists()


def test_severity_a_is_refused_for_billing_and_without_24x7(world, open_case, categories):
    case = open_case()
    with pytest.raises(InvalidInput) as error:
        lifecycle.case_change_severity(actor=world["engineer"], case=case, severity="A", reason="r")
    assert error.value.code == "needs_phone_and_24x7"
    billing = open_case(category=categories["billing"], problem_type=None)
    with pytest.raises(InvalidInput) as error:
        lifecycle.case_change_severity(
            actor=world["engineer"], case=billing, severity="A", reason="r"
        )
    assert error.value.code == "severity_not_allowed"


def test_customers_cannot_change_severity(world, open_case):
    with pytest.raises(NotAllowed):
        lifecycle.case_change_severity(
            actor=world[TenantRole.GLOBAL_ADMIN], case=open_case(), severity="C", reason="r"
        )


def test_engineers_close_with_a_summary_and_customers_may_close_without(world, open_case):
    case = open_case()
    with pytest.raises(InvalidInput):
        lifecycle.case_close(actor=world["engineer"], case=case)
    lifecycle.case_close(actor=world[TenantRole.GLOBAL_ADMIN], case=case, at=world.now)
    assert case.status == CaseStatus.CLOSED
    assert case.reopen_until == world.now + timedelta(days=14)
    assert Notification.objects.filter(case=case, kind="case_closed").exists()
    with pytest.raises(Conflict):
        lifecycle.case_close(actor=world[TenantRole.GLOBAL_ADMIN], case=case)


def test_reopen_works_until_the_last_second_of_the_14_days(world, open_case, later):
    case = open_case()
    lifecycle.case_close(actor=world["engineer"], case=case, summary="Fixed", at=world.now)
    lifecycle.case_reopen(actor=world["partner_active"], case=case, at=later(days=14, seconds=-1))
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.reopen_count == 1
    assert case.closed_at is None
    lifecycle.case_close(
        actor=world["engineer"], case=case, summary="Fixed again", at=later(days=15)
    )
    with pytest.raises(Conflict) as error:
        lifecycle.case_reopen(actor=world[TenantRole.GLOBAL_ADMIN], case=case, at=later(days=29))
    assert error.value.code == "reopen_window_closed"


def test_an_open_case_cannot_be_reopened(world, open_case):
    with pytest.raises(Conflict):
        lifecycle.case_reopen(actor=world[TenantRole.GLOBAL_ADMIN], case=open_case())


def test_the_filer_rates_each_closure_once(world, open_case, later):
    case = open_case()
    admin = world[TenantRole.GLOBAL_ADMIN]
    with pytest.raises(Conflict):
        lifecycle.survey_submit(actor=admin, case=case, rating=5)
    lifecycle.case_close(actor=admin, case=case, at=later(hours=1))
    with pytest.raises(NotAllowed):
        lifecycle.survey_submit(actor=world[TenantRole.HELPDESK_ADMIN], case=case, rating=5)
    for bad in [0, 6, "5", True]:
        with pytest.raises(InvalidInput):
            lifecycle.survey_submit(actor=admin, case=case, rating=bad)
    lifecycle.survey_submit(actor=admin, case=case, rating=4, comment="Quick")
    with pytest.raises(Conflict):
        lifecycle.survey_submit(actor=admin, case=case, rating=5)
    lifecycle.case_reopen(actor=admin, case=case, at=later(hours=2))
    lifecycle.case_close(actor=admin, case=case, at=later(hours=3))
    lifecycle.survey_submit(actor=admin, case=case, rating=2)
    assert list(case.surveys.order_by("closure").values_list("closure", "rating")) == [
        (0, 4),
        (1, 2),
    ]


def test_a_follow_up_links_to_the_closed_case(world, open_case, later):
    old = open_case()
    with pytest.raises(InvalidInput):
        open_case(related_case=old)
    lifecycle.case_close(actor=world[TenantRole.GLOBAL_ADMIN], case=old, at=later(hours=1))
    new = open_case(related_case=old, at=later(days=20))
    assert new.related_case == old
    assert old.events.filter(kind=CaseEvent.Kind.FOLLOW_UP, new_value=new.number).exists()


def test_replies_to_a_closed_case_are_refused(world, open_case):
    case = open_case()
    lifecycle.case_close(actor=world[TenantRole.GLOBAL_ADMIN], case=case)
    with pytest.raises(Conflict):
        lifecycle.case_reply(actor=world["engineer"], case=case, body="late")


def test_recategorising_to_billing_drops_severity_a_and_the_commitment(
    world, open_case, categories, contact
):
    case = open_case(impact=CRITICAL, contact=replace(contact, available_24x7=True))
    assert case.severity == "A"
    with pytest.raises(InvalidInput):
        lifecycle.case_change_category(
            actor=world["engineer"], case=case, category=categories["billing"], reason=""
        )
    lifecycle.case_change_category(
        actor=world["engineer"],
        case=case,
        category=categories["billing"],
        reason="It is a billing question",
    )
    case.refresh_from_db()
    assert (case.category_id, case.severity) == ("billing", "B")
    assert case.initial_response_due_at is None
    assert case.problem_type is None


def test_a_tier_change_retargets_open_unanswered_cases_from_their_submission(
    world, open_case, later
):
    waiting, answered = open_case(), open_case()
    lifecycle.case_reply(actor=world["engineer"], case=answered, body="On it", at=later(minutes=5))
    ElevatedSupportContract.objects.create(
        tenant=world.contoso,
        starts_at=world.now - timedelta(days=1),
        ends_at=world.now + timedelta(days=30),
    )
    assert lifecycle.tenant_retarget_open_cases(tenant=world.contoso, at=later(minutes=10)) == 1
    waiting.refresh_from_db()
    answered.refresh_from_db()
    assert (waiting.support_tier, waiting.response_label) == ("elevated", "2 hours")
    assert waiting.initial_response_due_at == world.now + timedelta(hours=2)
    assert answered.support_tier == "enterprise"
    assert lifecycle.tenant_retarget_open_cases(tenant=world.contoso, at=later(minutes=11)) == 0


def test_a_stale_copy_cannot_undo_a_close_or_a_response(world, open_case, later, contact):
    case = open_case(contact=replace(contact, available_24x7=True))
    stale = type(case).objects.get(pk=case.pk)
    lifecycle.case_reply(actor=world["engineer"], case=case, body="Answer", at=later(minutes=5))
    lifecycle.case_close(actor=world["engineer"], case=case, summary="Done", at=later(minutes=6))
    with pytest.raises(Conflict):
        lifecycle.case_change_severity(
            actor=world["engineer"], case=stale, severity="A", reason="r"
        )
    with pytest.raises(Conflict):
        lifecycle.case_reply(actor=world["engineer"], case=stale, body="late")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.first_responded_at == later(minutes=5)


def test_a_tenant_that_lost_its_tier_keeps_the_cases_last_commitment(
    world, open_case, later, contact
):
    case = open_case(contact=replace(contact, available_24x7=True))
    world.contoso.subscriptions.update(ends_at=later(minutes=1))
    assert lifecycle.tenant_retarget_open_cases(tenant=world.contoso, at=later(minutes=2)) == 0
    lifecycle.case_change_severity(
        actor=world["engineer"], case=case, severity="A", reason="Escalated", at=later(minutes=3)
    )
    assert (case.support_tier, case.response_label) == ("enterprise", "1 hour")


def test_a_target_breached_at_once_is_in_the_history(world, open_case, later, contact):
    case = open_case(contact=replace(contact, available_24x7=True))
    lifecycle.case_change_severity(
        actor=world["engineer"], case=case, severity="A", reason="Escalated", at=later(hours=3)
    )
    assert case.events.filter(kind="breached", is_public=False).count() == 1
    from cases.services import sweeps

    assert sweeps.flag_response_breaches(now=later(hours=4)).breached == 0


def test_the_closed_notice_reaches_the_filer_when_someone_else_is_the_contact(
    world, open_case, contact
):
    case = open_case(contact=replace(contact, email="ops@contoso.example", alternate_email=""))
    lifecycle.case_close(actor=world["engineer"], case=case, summary="Done")
    notice = Notification.objects.get(case=case, kind="case_closed")
    assert set(notice.to) == {"ops@contoso.example", world[TenantRole.GLOBAL_ADMIN].email}


@pytest.mark.parametrize(
    ("change", "field"),
    [({"name": "x" * 151}, "contact_name"), ({"phone": "1" * 41}, "contact_phone")],
)
def test_over_long_contact_details_are_refused_not_crashed(open_case, contact, change, field):
    with pytest.raises(InvalidInput) as error:
        open_case(contact=replace(contact, **change))
    assert field in error.value.fields


def test_the_first_response_status_change_names_the_engineer(world, open_case):
    case = open_case()
    lifecycle.case_reply(actor=world["engineer"], case=case, body="Hello")
    assert case.events.get(kind="status").actor == world["engineer"]
