"""A support manager reads the service level dashboard in a real browser."""

import csv
import io
from datetime import UTC, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from cases.forms_dashboard import Period
from cases.models import OPEN_STATUSES, Case
from cases.services import lifecycle

# The live server needs committed data; serialized_rollback restores the seeded reference data
# (plans, taxonomy) that the flush after each such test removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def rate_closed_demo_cases() -> None:
    """The demo has closed cases but no surveys: the filer rates the two closed Contoso ones."""
    admin = User.objects.get(email="admin@contoso.example")
    ratings = {"External sharing blocked on the projects site": 5, "A contact cannot be deleted": 4}
    for title, rating in ratings.items():
        lifecycle.survey_submit(actor=admin, case=Case.objects.get(title=title), rating=rating)


def test_a_manager_reads_the_dashboard_and_downloads_its_csv(page, sign_in, demo, shot):
    rate_closed_demo_cases()
    today = timezone.now().astimezone(UTC).date()
    period = Period.default(today)
    opened = Case.objects.filter(opened_at__gte=period.start).count()
    breached = Case.objects.filter(breached_at__gte=period.start).count()
    still_open = Case.objects.filter(status__in=OPEN_STATUSES).count()
    assert breached > 0  # the demo has a breached case

    sign_in("manager@support.example")
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url(f"{demo.url}/console/dashboard/")
    expect(page.get_by_role("heading", name="Service level dashboard")).to_be_visible()

    for name in (
        "Initial-response attainment by tier and severity",
        "Open cases by age and severity",
        "Breaches per day (UTC)",
        "Satisfaction ratings",
    ):
        expect(page.get_by_role("img", name=name)).to_be_visible()
    expect(page.get_by_test_id("attainment-total").locator("td").nth(4)).to_have_text(str(opened))
    expect(page.get_by_test_id("backlog-total").locator("td").last).to_have_text(str(still_open))
    expect(page.get_by_test_id("breaches-total").locator("td").last).to_have_text(str(breached))
    expect(page.get_by_test_id("satisfaction-average")).to_contain_text(
        "Average 4.50 of 5 from 2 surveys"
    )
    expect(page.get_by_test_id("period")).to_contain_text(
        f"From {today - timedelta(days=29)} to {today}"
    )
    shot("20-manager-dashboard")

    page.get_by_label("From", exact=True).fill((today - timedelta(days=6)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("period")).to_contain_text(
        f"From {today - timedelta(days=6)} to {today}"
    )

    with page.expect_download() as download_info:
        page.get_by_test_id("dashboard-csv").click()
    download = download_info.value
    assert download.suggested_filename == (f"sla-dashboard-{today - timedelta(days=6)}-{today}.csv")
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert rows[0] == ["SLA dashboard", str(today - timedelta(days=6)), str(today)]
    assert ["Average", "4.50"] in rows
