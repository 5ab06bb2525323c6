"""What tenant admins and partners do in the admin centre, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case

# The live server needs committed data; serialized_rollback restores the seeded reference data
# (plans, taxonomy) that the flush after each such test removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_tenant_admin_files_a_technical_request_and_finds_it_in_the_list(
    page, sign_in, demo, shot
):
    sign_in("admin@contoso.example")
    shot("01-tenant-home")
    page.get_by_test_id("new-request").click()
    page.get_by_label("Describe the problem in a sentence").fill(
        "Mailbox migration stopped halfway"
    )
    page.get_by_role("button", name="Continue").click()
    shot("02-new-request-suggestions")
    page.get_by_role("button", name=re.compile("continue")).click()
    page.get_by_label("Category").select_option(label="Technical")
    page.get_by_label("Problem type").select_option(label="Mailbox migration")
    shot("03-new-request-classify")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Description").fill(
        "The migration batch stopped at 40% with error 0x80004005."
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("A service is impaired").check()
    page.get_by_label("Several users").check()
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("textbox", name="Email", exact=True)).to_have_value(
        "admin@contoso.example"
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("review-severity")).to_contain_text("Severity: B")
    expect(page.get_by_test_id("review-response")).to_contain_text(
        "Response time: Next day, available 24x7"
    )
    shot("04-new-request-review")
    page.get_by_test_id("submit-request").click()
    case = Case.objects.get(title="Mailbox migration stopped halfway")
    expect(page.get_by_test_id("case-number")).to_have_text(case.number)
    shot("05-request-page")
    page.get_by_role("link", name="Service requests").first.click()
    expect(page.get_by_test_id("request-list")).to_contain_text(case.number)
    shot("06-request-list")


def test_a_partner_files_for_its_customer_and_the_history_names_both(page, sign_in, demo, shot):
    sign_in("agent@adatum.example")
    shot("07-partner-home")
    page.goto(f"{demo.url}/t/contoso.example/requests/new/")
    page.get_by_label("Describe the problem in a sentence").fill(
        "Directory sync stopped after patching"
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name=re.compile("continue")).click()
    page.get_by_label("Category").select_option(label="Technical")
    page.get_by_label("Problem type").select_option(label="Directory synchronisation")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Description").fill("No changes have synced since the patch on Tuesday.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("A service is impaired").check()
    page.get_by_label("The whole organisation").check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("textbox", name="Email", exact=True)).to_have_value(
        "agent@adatum.example"
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("history")).to_contain_text("Adatum on behalf of Contoso")
    case = Case.objects.get(title="Directory sync stopped after patching")
    assert case.acting_partner.name == "Adatum"


def test_a_closed_request_is_reopened_inside_its_window(page, sign_in, demo, shot):
    case = Case.objects.get(title="External sharing blocked on the projects site")
    sign_in("admin@contoso.example")
    page.goto(f"{demo.url}/requests/{case.number}/")
    expect(page.get_by_test_id("case-status")).to_have_text("Closed")
    shot("08-closed-request")
    page.get_by_test_id("reopen-request").click()
    expect(page.get_by_test_id("case-status")).to_have_text("In progress")
    case.refresh_from_db()
    assert case.reopen_count == 1


def test_a_global_reader_is_told_they_need_an_admin_role(page, sign_in, demo):
    sign_in("reader@contoso.example")
    page.goto(f"{demo.url}/t/contoso.example/requests/")
    expect(page.get_by_role("heading", name="You need an admin role")).to_be_visible()


def test_pages_fit_a_phone_screen(browser, demo, sign_in, shot):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    sign_in("admin@contoso.example", target=phone)
    phone.goto(f"{demo.url}/t/contoso.example/requests/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    shot("09-phone-request-list", target=phone)
    context.close()
    assert width <= 390


def test_a_partner_requests_a_relationship_and_the_global_admin_approves_it(
    page, sign_in, demo, shot
):
    from accounts.models import DelegatedAdminRelationship

    sign_in("agent@adatum.example")
    page.goto(f"{demo.url}/partner/relationships/new/")
    page.get_by_label("Customer's primary domain").fill("northwind.example")
    page.get_by_label("Relationship name").fill("Northwind helpdesk")
    page.get_by_label("Helpdesk admin").check()
    page.get_by_label("Duration in days").fill("90")
    shot("12-partner-request-relationship")
    page.get_by_role("button", name=re.compile("request", re.IGNORECASE)).click()
    relationship = DelegatedAdminRelationship.objects.get(name="Northwind helpdesk")
    assert relationship.status == "approval_pending"
    page.get_by_role("button", name="Sign out").click()

    sign_in("admin@northwind.example")
    page.get_by_role("link", name="Partner relationships").click()
    pending = page.get_by_test_id("pending-relationships")
    expect(pending).to_contain_text("Northwind helpdesk")
    shot("13-tenant-partner-relationships")
    pending.get_by_role("button", name="Approve Northwind helpdesk").click()
    expect(page.get_by_test_id("active-relationships")).to_contain_text("Northwind helpdesk")
    relationship.refresh_from_db()
    assert relationship.status == "active"
    assert relationship.approved_by.email == "admin@northwind.example"
