"""The tenant's audit log page and its CSV: who may see them, what they show, filters, paging."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import services as account_services
from accounts.models import TenantRole
from cases import policies, selectors_audit
from cases.selectors_audit import AuditFilters
from cases.services import lifecycle
from cases.views.audit import safe_cell
from helpdesk.errors import NotAllowed
from tests.factories import PartnerMembershipFactory

DOMAIN = "contoso.example"
PAGE = reverse("tenant_audit", args=[DOMAIN])
CSV = reverse("tenant_audit_csv", args=[DOMAIN])


def csv_rows(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def history(world, open_case, later):
    """A Contoso request worked by everyone: the admin files it, the partner replies with a
    file, an engineer adds an internal note and answers, changes severity, the admin closes and
    reopens it. Fabrikam files one request of its own."""
    admin = world[TenantRole.GLOBAL_ADMIN]
    case = open_case(title="Mail is not arriving", at=later(hours=-6))
    lifecycle.case_reply(
        actor=world["partner_active"],
        case=case,
        body="Partner reply",
        attachments=[SimpleUploadedFile("headers.txt", b"Received: from")],
        at=later(hours=-5),
    )
    lifecycle.case_claim(actor=world["engineer"], case=case, at=later(hours=-4, minutes=-30))
    lifecycle.case_reply(
        actor=world["engineer"],
        case=case,
        body="INTERNAL-ONLY note",
        internal=True,
        attachments=[SimpleUploadedFile("secret-dump.txt", b"s")],
        at=later(hours=-4),
    )
    lifecycle.case_reply(actor=world["engineer"], case=case, body="Answer", at=later(hours=-3))
    lifecycle.case_change_severity(
        actor=world["engineer"], case=case, severity="C", reason="Minor", at=later(hours=-2)
    )
    lifecycle.case_close(actor=admin, case=case, at=later(hours=-1))
    lifecycle.case_reopen(actor=admin, case=case, at=later(minutes=-30))
    other = open_case(
        actor=world["outsider"], tenant=world.fabrikam, title="Fabrikam secret outage"
    )
    return case, other


@pytest.mark.parametrize("url", [PAGE, CSV])
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (TenantRole.GLOBAL_ADMIN, 200),
        (TenantRole.SERVICE_SUPPORT_ADMIN, 403),
        (TenantRole.GLOBAL_READER, 403),
        ("plain_user", 403),
        ("partner_active", 403),
        ("partner_without_support_role", 403),
        ("partner_expired", 404),
        ("partner_terminated", 404),
        ("partner_pending", 404),
        ("partner_other_tenant", 404),
        ("outsider", 404),
        ("engineer", 404),
        ("manager", 404),
    ],
)
def test_only_the_tenants_own_global_admins_see_the_audit_log(
    client, world, history, url, persona, status
):
    client.force_login(world[persona])
    response = client.get(url)
    assert response.status_code == status
    if status != 200:
        assert "Mail is not arriving" not in response.content.decode()
    if status == 403:
        assert "Only a global admin of Contoso may see its audit log." in response.content.decode()


@pytest.mark.parametrize("url", [PAGE, CSV])
def test_anonymous_visitors_are_sent_to_sign_in(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_tenant_is_a_404(client, world):
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    assert client.get(reverse("tenant_audit", args=["nowhere.example"])).status_code == 404


def test_a_partner_with_delegated_global_admin_may_not_see_the_audit_log(world):
    relationship = account_services.relationship_request(
        actor=world["partner_admin_agent"],
        partner=world.partner,
        tenant=world.contoso,
        name="Full admin",
        roles=[TenantRole.GLOBAL_ADMIN],
        duration_days=30,
    )
    account_services.relationship_approve(
        actor=world[TenantRole.GLOBAL_ADMIN], relationship=relationship
    )
    user = PartnerMembershipFactory(partner=world.partner).user
    account_services.relationship_assign_user(
        actor=world["partner_admin_agent"],
        relationship=relationship,
        user=user,
        roles=[TenantRole.GLOBAL_ADMIN],
    )
    assert policies.can_view_audit(world[TenantRole.GLOBAL_ADMIN], world.contoso)
    assert not policies.can_view_audit(user, world.contoso)
    with pytest.raises(NotAllowed):
        selectors_audit.audit_page(user, world.contoso)


def test_the_log_shows_who_did_what_newest_first_without_internal_entries(client, world, history):
    case, other = history
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    response = client.get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200
    kinds = [entry.kind for entry in response.context["page"].entries]
    assert kinds[:7] == [
        "case.reopened",
        "case.closed",
        "case.severity",
        "case.status",  # the engineer's first answer moves the request to in progress
        "case.reply",
        "case.reply",
        "case.opened",
    ]
    assert "case.note" not in kinds and "case.assigned" not in kinds
    assert "INTERNAL-ONLY" not in body and "secret-dump.txt" not in body
    assert case.number in body and "headers.txt" in body
    assert "Adatum on behalf of Contoso" in body
    # The partner relationships Contoso approved, terminated and saw expire are there too.
    assert {"relationship.requested", "relationship.approved", "relationship.terminated"} <= set(
        kinds
    )
    assert "relationship.expired" in kinds
    # Nothing of another tenant.
    assert other.number not in body and "Fabrikam secret outage" not in body
    assert "partner_other_tenant" not in body


def test_partner_actions_name_the_partner_and_the_actor(world, history):
    page = selectors_audit.audit_page(world[TenantRole.GLOBAL_ADMIN], world.contoso)
    reply = next(e for e in page.entries if e.kind == "case.reply" and e.partner)
    assert reply.partner == "Adatum"
    assert reply.actor_email == world["partner_active"].email
    assert reply.attachments == ("headers.txt",)
    assert reply.organisation == "Adatum on behalf of Contoso"
    requested = next(e for e in page.entries if e.kind == "relationship.requested")
    assert requested.partner == "Adatum"
    assert requested.organisation == "Adatum"  # in its own relationship a partner acts as itself
    approved = next(e for e in page.entries if e.kind == "relationship.approved")
    assert approved.partner == ""
    assert approved.actor_email == world[TenantRole.GLOBAL_ADMIN].email
    staff = next(e for e in page.entries if e.kind == "case.severity")
    assert staff.actor_email == ""  # engineers are named, their address is not given out
    assert staff.organisation == "Support"


def test_the_log_filters_by_kind_and_period(client, world, history, later):
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    response = client.get(PAGE, {"kind": "case.reply"})
    assert [e.kind for e in response.context["page"].entries] == ["case.reply", "case.reply"]

    response = client.get(PAGE, {"kind": "relationship.terminated"})
    assert [e.kind for e in response.context["page"].entries] == ["relationship.terminated"]

    # Today only (the clock is 2026-06-15 14:30 UTC; the admin's zone is UTC).
    response = client.get(PAGE, {"start": "2026-06-15", "end": "2026-06-15"})
    entries = response.context["page"].entries
    assert entries and all(e.at >= later(hours=-14, minutes=-30) for e in entries)
    assert "relationship.expired" not in {e.kind for e in entries}  # a year ago


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "case.note"},
        {"kind": "nonsense"},
        {"start": "yesterday"},
        {"start": "2026-06-15", "end": "2026-06-01"},
        {"end": "9999-12-31"},
        {"after": "not-a-cursor"},
        {"after": "2026-06-15T14:30:00~case~99999999999999999999999"},
    ],
)
def test_bad_filters_are_form_errors_not_error_pages(client, world, history, query):
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    response = client.get(PAGE, query)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["page"].entries[0].kind == "case.reopened"
    assert client.get(CSV, query).status_code == 200


def test_keyset_pages_cover_every_entry_exactly_once(world, history):
    admin = world[TenantRole.GLOBAL_ADMIN]
    everything = selectors_audit.audit_page(admin, world.contoso, limit=10_000).entries
    # Several relationship events share one instant: the key must still order them strictly.
    assert len({e.at for e in everything}) < len(everything)
    seen, cursor = [], None
    while True:
        page = selectors_audit.audit_page(admin, world.contoso, after=cursor, limit=3)
        assert len(page.entries) <= 3
        seen.extend(page.entries)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == everything


def test_the_page_links_to_the_older_entries(client, world, history, open_case, later):
    for index in range(selectors_audit.PAGE_SIZE):
        open_case(title=f"Bulk {index}", at=later(minutes=-index))
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    first = client.get(PAGE)
    assert len(first.context["page"].entries) == selectors_audit.PAGE_SIZE
    after = first.context["next_after"]
    assert after
    second = client.get(PAGE, {"after": after})
    assert second.status_code == 200
    older = second.context["page"].entries
    assert older and older[0].at <= first.context["page"].entries[-1].at
    shown = {(e.source, e.pk) for e in first.context["page"].entries}
    assert not shown & {(e.source, e.pk) for e in older}


def test_the_page_costs_the_same_queries_whatever_the_trail_length(
    client, world, open_case, later, django_assert_max_num_queries, django_assert_num_queries
):
    admin = world[TenantRole.GLOBAL_ADMIN]
    client.force_login(admin)
    for index in range(3):
        case = open_case(title=f"Small {index}", at=later(hours=-index))
        lifecycle.case_reply(actor=admin, case=case, body="More", at=later(hours=-index))
    with django_assert_max_num_queries(15) as small:
        assert client.get(PAGE).status_code == 200
    for index in range(80):
        case = open_case(title=f"Large {index}", at=later(days=-1, minutes=-index))
        lifecycle.case_reply(
            actor=world["partner_active"],
            case=case,
            body="More",
            attachments=[SimpleUploadedFile(f"f{index}.txt", b"x")],
            at=later(days=-1, minutes=-index),
        )
    with django_assert_num_queries(len(small)):
        response = client.get(PAGE)
    assert len(response.context["page"].entries) == selectors_audit.PAGE_SIZE


def test_the_csv_has_a_header_and_the_filtered_rows(client, world, history):
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    response = client.get(CSV, {"kind": "case.reply"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-contoso')
    rows = csv_rows(response)
    assert rows[0][:3] == ["Time (UTC)", "Event", "Actor"]
    assert len(rows) == 3
    assert {row[1] for row in rows[1:]} == {"Reply"}
    partner_row = next(row for row in rows[1:] if row[5] == "Adatum")
    assert partner_row[4] == "Adatum on behalf of Contoso"
    assert partner_row[9] == "headers.txt"

    everything = csv_rows(client.get(CSV))
    page = client.get(PAGE).context["page"].entries
    assert len(everything) == len(page) + 1
    assert "INTERNAL-ONLY" not in str(everything) and "secret-dump.txt" not in str(everything)
    assert "Fabrikam secret outage" not in str(everything)


def test_the_csv_streams_more_rows_than_one_batch(client, world, open_case, later, monkeypatch):
    monkeypatch.setattr(selectors_audit, "EXPORT_BATCH", 4)
    for index in range(9):
        open_case(title=f"Case {index}", at=later(minutes=-index))
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    rows = csv_rows(client.get(CSV, {"kind": "case.opened"}))
    assert [row[7] for row in rows[1:]] == [f"Case {index}" for index in range(9)]


@pytest.mark.parametrize("title", ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)"])
def test_csv_cells_that_would_run_as_formulas_are_quoted(client, world, open_case, title):
    open_case(title=title)
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    rows = csv_rows(client.get(CSV, {"kind": "case.opened"}))
    assert rows[1][7] == "'" + title


def test_safe_cell_leaves_ordinary_text_alone():
    assert safe_cell("Mail is not arriving") == "Mail is not arriving"
    assert safe_cell("2026-06-15T14:30:00+00:00") == "2026-06-15T14:30:00+00:00"
    assert safe_cell(None) == ""
    assert safe_cell("=1") == "'=1"
    assert safe_cell("\t=1") == "'\t=1"


def test_the_selector_filters_and_refuses_others(world, history):
    admin = world[TenantRole.GLOBAL_ADMIN]
    page = selectors_audit.audit_page(
        admin, world.contoso, filters=AuditFilters(kind="relationship.user_assigned")
    )
    assert page.entries and {e.kind for e in page.entries} == {"relationship.user_assigned"}
    with pytest.raises(NotAllowed):
        selectors_audit.audit_page(world["outsider"], world.contoso)
    with pytest.raises(NotAllowed):
        selectors_audit.audit_entries(world["engineer"], world.contoso)


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        (TenantRole.GLOBAL_ADMIN, True),
        (TenantRole.SERVICE_SUPPORT_ADMIN, False),
        ("partner_active", False),
    ],
)
def test_the_tenant_dashboard_links_to_the_audit_log_for_global_admins(
    client, world, persona, shown
):
    client.force_login(world[persona])
    body = client.get(reverse("tenant_dashboard", args=[DOMAIN])).content.decode()
    assert (PAGE in body) is shown


def test_relationships_of_the_tenant_expire_into_the_log(world, later, frozen_clock):
    admin = world[TenantRole.GLOBAL_ADMIN]
    before = {
        e.pk
        for e in selectors_audit.audit_page(admin, world.contoso, limit=1000).entries
        if e.kind == "relationship.expired"
    }
    frozen_clock.move_to(later(days=91))
    account_services.relationships_expire(now=later(days=91))
    after = [
        e
        for e in selectors_audit.audit_page(admin, world.contoso, limit=1000).entries
        if e.kind == "relationship.expired" and e.pk not in before
    ]
    assert after and all(e.actor_name == "System" for e in after)
    assert timedelta(0) <= later(days=91) - after[0].at
