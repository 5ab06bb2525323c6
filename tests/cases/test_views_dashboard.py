"""The manager dashboard page and its CSV: who may see them, the period form, the figures."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import TenantRole
from cases import charts
from cases.services import lifecycle, sweeps

PAGE = reverse("console_dashboard")
CSV = reverse("console_dashboard_csv")


@pytest.fixture
def manager_client(client, world):
    client.force_login(world["manager"])
    return client


@pytest.fixture
def history(world, open_case, later):
    """Enterprise B cases in June 2026: one answered, one breached (on 12 June), one closed
    unanswered before its due time and rated 4."""
    admin = world[TenantRole.GLOBAL_ADMIN]
    answered = open_case(title="Answered", at=later(days=-3))
    lifecycle.case_reply(actor=world["engineer"], case=answered, body="Hi", at=later(days=-3))
    open_case(title="Breached", at=later(days=-4))
    rated = open_case(title="Rated", at=later(hours=-5))
    lifecycle.case_close(actor=admin, case=rated, at=later(hours=-4))
    lifecycle.survey_submit(actor=admin, case=rated, rating=4, at=later(hours=-3))
    sweeps.flag_response_breaches(now=world.now)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("url", [PAGE, CSV])
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager", 200),
        ("engineer", 403),
        (TenantRole.GLOBAL_ADMIN, 403),
        ("partner_active", 403),
        ("outsider", 403),
    ],
)
def test_only_support_managers_see_the_dashboard_and_its_csv(client, world, url, persona, status):
    client.force_login(world[persona])
    response = client.get(url)
    assert response.status_code == status
    if status == 403:
        assert "Only support managers see the dashboard." in response.content.decode()


@pytest.mark.parametrize("url", [PAGE, CSV])
def test_anonymous_visitors_are_sent_to_sign_in(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_shows_each_figure_as_a_chart_with_its_numbers(manager_client, history):
    response = manager_client.get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('role="img"') == 4
    for title in (
        "Initial-response attainment by tier and severity",
        "Open cases by age and severity",
        "Breaches per day (UTC)",
        "Satisfaction ratings",
    ):
        assert f"<title>{title}</title>" in body
    figures = response.context["figures"]
    assert figures.attainment.total.met == 2  # answered in time, and closed before its due time
    assert figures.attainment.total.breached == 1
    assert figures.backlog.total == 2
    assert figures.breaches.total == 1
    assert figures.satisfaction.distribution[4] == 1
    assert "Average 4.00 of 5 from 1 survey" in body
    assert "From 2026-05-17 to 2026-06-15, both included." in body


def test_the_default_period_is_the_last_30_utc_days(manager_client, world):
    period = manager_client.get(PAGE).context["period"]
    assert (period.first.isoformat(), period.last.isoformat()) == ("2026-05-17", "2026-06-15")
    assert period.end - period.start == timedelta(days=30)


def test_a_chosen_period_limits_the_figures_to_it(manager_client, history):
    response = manager_client.get(PAGE, {"start": "2026-06-12", "end": "2026-06-14"})
    figures = response.context["figures"]
    assert not response.context["form"].errors
    assert [day.day.isoformat() for day in figures.breaches.days] == [
        "2026-06-12",
        "2026-06-13",
        "2026-06-14",
    ]
    assert figures.attainment.total.total == 1  # only "Answered" was opened on 12 June
    assert figures.satisfaction.count == 0  # rated on 15 June
    assert figures.backlog.total == 2  # the backlog is always "open now"
    body = response.content.decode()
    assert 'href="/console/dashboard.csv?start=2026-06-12&amp;end=2026-06-14"' in body


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "yesterday"}, "start", "Enter a valid date."),
        ({"end": "2026-13-01"}, "end", "Enter a valid date."),
        (
            {"start": "2026-06-10", "end": "2026-06-09"},
            "end",
            "The end date must be on or after the start date.",
        ),
        (
            {"start": "2025-01-01", "end": "2026-06-01"},
            "end",
            "Choose a period of at most 366 days.",
        ),
    ],
)
def test_a_bad_period_shows_the_error_and_the_default_period(
    manager_client, world, query, field, message
):
    response = manager_client.get(PAGE, query)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert "The period was not changed; the last 30 days are shown." in response.content.decode()
    assert response.context["period"].first.isoformat() == "2026-05-17"


def test_a_start_alone_runs_to_today_and_an_end_alone_covers_30_days(manager_client, world):
    period = manager_client.get(PAGE, {"start": "2026-06-01"}).context["period"]
    assert (period.first.isoformat(), period.last.isoformat()) == ("2026-06-01", "2026-06-15")
    period = manager_client.get(PAGE, {"end": "2026-05-31"}).context["period"]
    assert (period.first.isoformat(), period.last.isoformat()) == ("2026-05-02", "2026-05-31")


def test_the_csv_has_one_section_per_figure_and_is_named_after_the_period(manager_client, history):
    response = manager_client.get(CSV, {"start": "2026-06-01", "end": "2026-06-15"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="sla-dashboard-2026-06-01-2026-06-15.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == ["SLA dashboard", "2026-06-01", "2026-06-15"]
    sections = [rows[index + 1][0] for index, row in enumerate(rows) if row == []]
    assert sections == [
        "Initial-response attainment (cases opened in the period)",
        "Open cases by age (now)",
        "Breaches per day (UTC)",
        "Satisfaction (surveys submitted in the period)",
    ]
    header = rows.index(
        [
            "Tier",
            "Severity",
            "Met",
            "Breached",
            "No commitment",
            "Still running",
            "Total",
            "Met rate (percent)",
        ]
    )
    # Business A, B, C and Enterprise A come first; "Rated" was closed before its due time: met.
    assert rows[header + 5] == ["Enterprise", "B", "2", "1", "0", "0", "3", "66.7"]
    assert rows[header + 4] == ["Enterprise", "A", "0", "0", "0", "0", "0", ""]
    assert ["All tiers", "", "2", "1", "0", "0", "3", "66.7"] in rows
    assert ["Under 1 day", "0", "0", "0", "0"] in rows
    assert ["1 to 3 days", "0", "0", "0", "0"] in rows
    assert ["3 to 7 days", "0", "2", "0", "2"] in rows
    assert ["2026-06-12", "0", "1", "0", "1"] in rows
    assert ["All days", "0", "1", "0", "1"] in rows
    assert ["4", "1"] in rows
    assert ["Average", "4.00"] in rows
    assert ["Surveys", "1"] in rows


def test_a_csv_with_a_bad_period_falls_back_to_the_default_period(manager_client, world):
    response = manager_client.get(CSV, {"start": "2026-06-10", "end": "2026-06-01"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('"sla-dashboard-2026-05-17-2026-06-15.csv"')


def test_the_page_takes_as_many_queries_with_many_cases_as_with_few(
    manager_client, world, open_case, later
):
    def page_queries():
        cache.clear()  # count a page that takes a new backlog snapshot
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(PAGE).status_code == 200
        return len(captured)

    open_case(at=later(days=-2))
    few = page_queries()
    for hours in range(1, 16):
        open_case(at=later(hours=-hours * 5))
    sweeps.flag_response_breaches(now=world.now)
    assert page_queries() == few


def test_chart_labels_and_titles_are_escaped():
    svg = charts.horizontal_bar_chart(
        title='Cases <script>alert("x")</script>',
        labels=["<b>bold</b>", "A & B"],
        series=[charts.Series(name="N<1>", values=[1, 2], colour="#000")],
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "&lt;b&gt;bold&lt;/b&gt;" in svg
    assert "A &amp; B" in svg
    assert 'role="img"' in svg
    assert 'aria-label="Cases &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"' in svg


def test_a_chart_draws_one_bar_segment_per_non_zero_value_with_its_number():
    svg = charts.column_chart(
        title="Breaches",
        labels=["06-01", "06-02", "06-03"],
        series=[
            charts.Series(name="A", values=[1, 0, 0], colour="#b3261e"),
            charts.Series(name="B", values=[2, 0, 3], colour="#c77700"),
        ],
    )
    assert svg.count("<rect") == 3 + 2  # three bars plus the two legend keys
    assert "<title>06-03 · B: 3</title>" in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")


def test_a_chart_refuses_series_that_do_not_match_the_labels():
    with pytest.raises(ValueError, match="has 1 values for 2 labels"):
        charts.horizontal_bar_chart(
            title="T", labels=["a", "b"], series=[charts.Series("s", [1], "#000")]
        )


def test_the_page_says_when_its_figures_were_counted_and_reuses_them_for_a_minute(
    manager_client, world, open_case, later, frozen_clock
):
    open_case(at=later(days=-2))
    first = manager_client.get(PAGE)
    open_case(at=later(hours=-1))
    again = manager_client.get(PAGE)
    frozen_clock.shift(timedelta(seconds=61))
    recounted = manager_client.get(PAGE)

    assert first.context["figures"].backlog.total == 1
    assert again.context["figures"].backlog.total == 1
    assert recounted.context["figures"].backlog.total == 2
    assert first.context["figures"].now == world.now
    assert recounted.context["figures"].now == later(seconds=61)
    assert 'data-testid="figures-as-of">Figures as of' in first.content.decode()
