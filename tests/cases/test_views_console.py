"""The engineer console: queue order, views, filters, keyset pages, claims, bulk assignment, and
the case workspace's actions. Works / 403 / 404 and constant queries at two sizes."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import TenantRole
from cases import queue_rows
from cases.models import Case, CaseStatus
from cases.selectors_queue import QueueFilters, _first_page_of, queue_for
from cases.services import lifecycle, sweeps

QUEUE = reverse("console_queue")


def numbers(response):
    return [row for row in response.context["page"].rows]


@pytest.fixture
def engineer_client(client, world):
    client.force_login(world["engineer"])
    return client


@pytest.mark.parametrize(
    ("persona", "status"),
    [("engineer", 200), ("manager", 200), (TenantRole.GLOBAL_ADMIN, 403), ("partner_active", 403)],
)
def test_the_queue_is_for_support_staff(client, world, persona, status):
    client.force_login(world[persona])
    assert client.get(QUEUE).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    assert client.get(QUEUE)["Location"].startswith(reverse("login"))


def test_the_queue_puts_breached_first_then_soonest_due_then_oldest(
    world, open_case, later, contact
):
    open_case(title="no commitment", impact=lifecycle.Impact(service="working"), at=later(hours=-5))
    next_day = open_case(title="next day", at=later(hours=-1))
    open_case(
        title="critical",
        impact=lifecycle.Impact(service="unusable", users="organisation", workaround=False),
        contact=replace(contact, available_24x7=True),
        at=later(minutes=-30),
    )
    open_case(
        title="breached",
        impact=lifecycle.Impact(service="unusable", users="organisation", workaround=False),
        contact=replace(contact, available_24x7=True),
        at=later(hours=-3),
    )
    sweeps.flag_response_breaches(now=world.now)
    rows = queue_for(world["engineer"], QueueFilters()).rows
    assert [case.title for case in rows] == ["breached", "critical", "next day", "no commitment"]
    lifecycle.case_reply(actor=world["engineer"], case=next_day, body="On it")
    rows = queue_for(world["engineer"], QueueFilters()).rows
    # Answered cases lose their pending due time and fall in with the others by age.
    assert [case.title for case in rows] == ["breached", "critical", "no commitment", "next day"]


def test_views_and_filters_combine_and_stay_in_the_url(engineer_client, world, open_case):
    mine = open_case(title="mine")
    open_case(
        title="other", contact=lifecycle.Contact(name="K", email="k@contoso.example", language="ko")
    )
    lifecycle.case_claim(actor=world["engineer"], case=mine)
    lifecycle.case_set_waiting(actor=world["engineer"], case=mine)
    titles = lambda response: [c.title for c in response.context["page"].rows]  # noqa: E731
    assert titles(engineer_client.get(QUEUE, {"view": "mine"})) == ["mine"]
    assert titles(engineer_client.get(QUEUE, {"view": "unassigned"})) == ["other"]
    assert titles(engineer_client.get(QUEUE, {"view": "waiting"})) == ["mine"]
    assert titles(engineer_client.get(QUEUE, {"language": "ko"})) == ["other"]
    assert titles(engineer_client.get(QUEUE, {"language": "ko", "severity": "A"})) == []
    contoso = titles(
        engineer_client.get(QUEUE, {"tenant": "contoso.example", "tier": "enterprise"})
    )
    assert sorted(contoso) == ["mine", "other"]
    assert titles(engineer_client.get(QUEUE, {"tenant": "fabrikam.example"})) == []
    response = engineer_client.get(QUEUE, {"severity": "B", "view": "all"})
    assert "severity=B" in response.context["query"]
    assert (
        engineer_client.get(QUEUE, {"severity": "nonsense", "after": "garbage"}).status_code == 200
    )


def test_keyset_pages_cover_every_case_once(world, open_case, later):
    for index in range(7):
        open_case(title=f"case {index}", at=later(minutes=-index))
    seen, cursor = [], None
    while True:
        page = queue_for(world["engineer"], QueueFilters(), cursor=cursor, size=3)
        seen += [case.pk for case in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7


@pytest.mark.parametrize("count", [3, 40])
def test_the_queue_page_runs_the_same_queries_at_any_size(
    engineer_client, world, open_case, count, django_assert_max_num_queries
):
    for index in range(count):
        open_case(title=f"case {index}")
    with django_assert_max_num_queries(12):
        response = engineer_client.get(QUEUE)
    assert len(response.context["page"].rows) == min(count, 50)


def test_claiming_from_the_list_and_losing_a_claim_race(client, world, open_case):
    case = open_case()
    client.force_login(world["engineer"])
    response = client.post(
        reverse("console_case_action", args=[case.number, "claim"]),
        {"next": QUEUE + "?view=unassigned"},
    )
    assert response["Location"] == QUEUE + "?view=unassigned"
    client.force_login(world["manager"])
    response = client.post(reverse("console_case_action", args=[case.number, "claim"]), follow=True)
    assert "has already claimed this request" in response.content.decode()
    case.refresh_from_db()
    assert case.assigned_to == world["engineer"]


def test_only_managers_assign_in_bulk(client, world, open_case):
    cases = [open_case(), open_case()]
    data = {"numbers": [c.number for c in cases], "assignee": world["engineer"].pk}
    client.force_login(world["engineer"])
    assert client.post(reverse("console_bulk_assign"), data).status_code == 403
    client.force_login(world["manager"])
    assert client.post(reverse("console_bulk_assign"), data).status_code == 302
    assert set(Case.objects.values_list("assigned_to", flat=True)) == {world["engineer"].pk}


def test_a_next_url_to_another_site_is_ignored(client, world, open_case):
    case = open_case()
    client.force_login(world["engineer"])
    response = client.post(
        reverse("console_case_action", args=[case.number, "claim"]),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == f"/console/cases/{case.number}/"


@pytest.mark.parametrize(
    ("persona", "status"), [("engineer", 200), (TenantRole.GLOBAL_ADMIN, 403), ("outsider", 403)]
)
def test_the_workspace_triad(client, world, open_case, persona, status):
    case = open_case()
    client.force_login(world[persona])
    assert client.get(reverse("console_case", args=[case.number])).status_code == status


def test_an_unknown_case_or_action_is_404(engineer_client, world, open_case):
    case = open_case()
    assert engineer_client.get(reverse("console_case", args=["SR000000-NOPE00"])).status_code == 404
    assert (
        engineer_client.post(
            reverse("console_case_action", args=[case.number, "explode"])
        ).status_code
        == 404
    )
    assert (
        engineer_client.get(reverse("console_case_action", args=[case.number, "claim"])).status_code
        == 405
    )


def test_the_workspace_shows_customer_target_and_internal_history(
    engineer_client, world, open_case
):
    case = open_case(
        contact=lifecycle.Contact(
            name="Dana",
            email="d@contoso.example",
            language="ko",
            translator_wanted=True,
            time_zone="Asia/Seoul",
        )
    )
    lifecycle.case_reply(
        actor=world["engineer"], case=case, body="secret triage note", internal=True
    )
    body = engineer_client.get(reverse("console_case", args=[case.number])).content.decode()
    assert "Contoso" in body and "Enterprise" in body
    assert "translator wanted" in body
    assert "Next day" in body
    assert "secret triage note" in body
    assert 'class="internal"' in body


def test_engineer_actions_from_the_workspace(engineer_client, world, open_case, contact):
    case = open_case(contact=replace(contact, available_24x7=True))
    act = lambda action, data=None: engineer_client.post(  # noqa: E731
        reverse("console_case_action", args=[case.number, action]), data or {}
    )
    assert act("reply", {"body": "Looking now"}).status_code == 302
    assert act("note", {"body": "internal"}).status_code == 302
    assert act("call", {"summary": "Called Dana"}).status_code == 302
    assert act("severity", {"severity": "A", "reason": ""}).status_code == 400
    assert act("severity", {"severity": "A", "reason": "Org-wide outage"}).status_code == 302
    assert act("assign", {"assignee": world["manager"].pk}).status_code == 302
    assert act("waiting").status_code == 302
    assert act("close", {"summary": ""}).status_code == 400
    assert act("close", {"summary": "Fixed the connector"}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.severity, case.assigned_to) == (
        CaseStatus.CLOSED,
        "A",
        world["manager"],
    )
    kinds = list(case.events.values_list("kind", flat=True))
    for kind in ["reply", "note", "call", "severity", "assigned", "status", "closed"]:
        assert kind in kinds


@pytest.mark.parametrize("events", [2, 30])
def test_the_workspace_runs_the_same_queries_at_any_history_size(
    engineer_client, world, open_case, events, django_assert_max_num_queries
):
    case = open_case()
    for index in range(events):
        lifecycle.case_reply(
            actor=world["engineer"], case=case, body=f"message {index}", internal=index % 2 == 0
        )
    with django_assert_max_num_queries(30):
        response = engineer_client.get(reverse("console_case", args=[case.number]))
    assert response.status_code == 200


def test_a_due_date_in_the_past_shows_overdue(engineer_client, world, open_case, frozen_clock):
    case = open_case()
    frozen_clock.shift(timedelta(days=2))
    body = engineer_client.get(reverse("console_case", args=[case.number])).content.decode()
    assert "overdue by 1 day" in body


@pytest.mark.parametrize("view", ["all", "unassigned", "breached", "waiting", "mine"])
def test_a_views_first_page_in_columns_is_the_page_of_cases(world, open_case, later, view):
    """The console's first pages are read with statements compiled once (helpdesk.prepared):
    the same rows, in the same order, with the same values and next page as the ORM's cases."""
    for index in range(6):
        open_case(title=f"case {index}", at=later(hours=-index * 7))
    cases = list(Case.objects.order_by("pk"))
    for case in cases[:4]:
        lifecycle.case_claim(actor=world["engineer"], case=case, at=later(minutes=1))
    lifecycle.case_set_waiting(actor=world["engineer"], case=cases[1], at=later(minutes=2))
    sweeps.flag_response_breaches(now=later(days=2))

    filters = QueueFilters(view=view)
    if view != "mine":  # which depends on who asks, and goes through the ORM
        assert _first_page_of(view, queue_rows.COLUMNS, 2).is_prepared()
    expected = queue_for(world["engineer"], filters, size=2)
    page = queue_for(world["engineer"], filters, size=2, columns=queue_rows.COLUMNS)

    assert expected.rows, "every view has cases here"
    assert [row.pk for row in page.rows] == [case.pk for case in expected.rows]
    assert page.next_cursor == expected.next_cursor
    for row, case in zip(page.rows, expected.rows, strict=True):
        assert row.title == case.title
        assert row.queue_due_at == case.queue_due_at
        assert row.tenant__name == case.tenant.name
        assert row.assigned_to__display_name == (
            case.assigned_to.display_name if case.assigned_to else None
        )
