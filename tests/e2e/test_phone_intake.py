"""Phone intake in a real browser: an engineer verifies a calling admin with a one-time code (one
wrong try, then the right one) and files a request on the admin's behalf."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from cases.models import Case, CaseEvent, IntakeVerification

# The live server needs committed data; serialized_rollback restores the seeded reference data
# (plans, taxonomy) that the flush after each such test removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def emailed_code(address: str) -> str:
    """The code in the last message to `address`: the live server shares this process's locmem
    mail outbox."""
    message = [m for m in mail.outbox if address in m.to][-1]
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def test_an_engineer_verifies_a_calling_admin_and_files_on_their_behalf(page, sign_in, demo, shot):
    sign_in("engineer@support.example")
    page.get_by_role("link", name="Phone intake").click()
    page.get_by_label("Organisation name or domain").fill("Contoso")
    page.get_by_role("button", name="Search").click()
    page.get_by_test_id("tenant-results").get_by_role("link", name="Contoso").click()
    page.get_by_label(re.compile(r"admin@contoso\.example")).check()
    shot("30-intake-search")
    page.get_by_test_id("send-code").click()

    verification = IntakeVerification.objects.get()
    page.wait_for_url(f"{demo.url}/console/intake/{verification.pk}/")
    expect(page.get_by_test_id("sent-to")).to_have_text("admin@contoso.example")
    code = emailed_code("admin@contoso.example")

    wrong = f"{(int(code) + 1) % 10**6:06d}"
    page.get_by_label("Code the caller reads back").fill(wrong)
    page.get_by_test_id("verify-code").click()
    expect(page.locator(".field-error")).to_contain_text("That code is not right. 4 tries left.")
    expect(page.get_by_test_id("tries-left")).to_have_text("4")
    shot("31-intake-verify")
    page.get_by_label("Code the caller reads back").fill(code)
    page.get_by_test_id("verify-code").click()

    page.wait_for_url(f"{demo.url}/console/intake/{verification.pk}/file/")
    expect(page.get_by_role("textbox", name="Email", exact=True)).to_have_value(
        "admin@contoso.example"
    )
    page.get_by_label("Category").select_option(label="Technical")
    page.get_by_label("Problem type").select_option(label="Mailbox migration")
    page.get_by_label("Title").fill("Caller reports a stuck mailbox migration")
    page.get_by_label("Description").fill(
        "Dana called: the migration batch stopped at 40% with error 0x80004005."
    )
    page.get_by_label("A service is impaired").check()
    page.get_by_label("Several users").check()
    page.get_by_label("No", exact=True).check()
    shot("32-intake-file")
    page.get_by_test_id("file-request").click()

    page.wait_for_url(re.compile(r"/console/cases/[^/]+/$"))
    case = Case.objects.get(title="Caller reports a stuck mailbox migration")
    assert page.url == f"{demo.url}/console/cases/{case.number}/"
    assert case.opened_by.email == "admin@contoso.example"
    assert case.tenant.name == "Contoso"
    internal = case.events.filter(is_public=False)
    assert set(internal.values_list("kind", flat=True)) == {
        CaseEvent.Kind.NOTE,
        CaseEvent.Kind.CALL,
    }
    assert "after 2 tries" in internal.get(kind=CaseEvent.Kind.CALL).body
    verification.refresh_from_db()
    assert verification.status == IntakeVerification.Status.USED
    assert verification.used_by_case == case
