"""The engineer console in a real browser: the most urgent case is claimed, answered, and the
customer sees the answer."""

import pytest
from playwright.sync_api import expect

from cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_engineer_claims_the_most_urgent_case_replies_and_the_customer_sees_it(
    page, sign_in, demo, shot
):
    sign_in("engineer@support.example")
    page.get_by_role("link", name="Queue").click()
    first = page.get_by_test_id("queue-row").first
    urgent = Case.objects.get(title="Mail delivery failing for the whole organisation")
    expect(first).to_have_attribute("data-number", urgent.number)
    expect(first).to_contain_text("Breached")
    shot("14-console-queue")
    first.get_by_test_id("claim").click()
    expect(page.locator(".messages")).to_contain_text(f"You claimed {urgent.number}")
    page.get_by_role("link", name=urgent.number).click()
    expect(page.get_by_test_id("case-assignee")).to_have_text("Jordan Kim")
    page.get_by_label("Message").fill("We have found the faulty connector and are fixing it now.")
    page.get_by_test_id("send-reply").click()
    expect(page.get_by_test_id("case-status")).to_have_text("In progress")
    shot("15-console-workspace")
    urgent.refresh_from_db()
    assert urgent.first_responded_at is not None

    page.get_by_role("button", name="Sign out").click()
    sign_in("admin@contoso.example")
    page.goto(f"{demo.url}/requests/{urgent.number}/")
    expect(page.get_by_test_id("history")).to_contain_text("found the faulty connector")
    shot("16-customer-sees-reply")


def test_an_internal_note_stays_out_of_the_customers_view(page, sign_in, demo):
    case = Case.objects.get(title="Autodiscover still points to the old server")
    sign_in("engineer@support.example")
    page.goto(f"{demo.url}/console/cases/{case.number}/")
    page.get_by_label("Message").fill("Customer DNS looks wrong; check with networking.")
    page.get_by_test_id("add-note").click()
    expect(page.locator("li.internal[data-kind=note]")).to_contain_text("Customer DNS looks wrong")
    page.get_by_role("button", name="Sign out").click()
    sign_in("support@contoso.example")
    page.goto(f"{demo.url}/requests/{case.number}/")
    expect(page.get_by_test_id("history")).not_to_contain_text("Customer DNS looks wrong")
