"""Two-step sign-in in a real browser: the demo partner signs in with the published demo key,
and a customer admin sets up an authenticator app from the profile page."""

from base64 import b32decode

import pytest
from django_otp.oath import TOTP, totp
from playwright.sync_api import expect

from accounts.management.commands.seed_demo import DEMO_TOTP_SECRET

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "demo-password"


def test_the_demo_partner_signs_in_with_a_code_from_the_demo_key_and_acts_for_contoso(
    page, demo, shot
):
    page.goto(f"{demo.url}/t/contoso.example/requests/")
    expect(page).to_have_url(f"{demo.url}/sign-in/?next=/t/contoso.example/requests/")
    page.get_by_label("Email").fill("agent@adatum.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    # Before the code, the partner cannot reach the customer's requests.
    page.goto(f"{demo.url}/t/contoso.example/requests/")
    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    shot("30-two-step-verify")
    # What the authenticator app holding the demo key shows now.
    page.get_by_label("Code").fill(f"{totp(b32decode(DEMO_TOTP_SECRET)):06d}")
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{demo.url}/t/contoso.example/requests/")
    expect(page.get_by_test_id("organisation")).to_contain_text("Adatum")


def test_a_customer_admin_sets_up_an_authenticator_app_from_the_profile(page, sign_in, demo, shot):
    sign_in("admin@northwind.example")
    page.get_by_test_id("signed-in-user").get_by_role("link").click()
    page.get_by_role("link", name="Set up two-step sign-in").click()
    expect(page.get_by_test_id("mfa-qr-code").locator("svg")).to_be_visible()
    shot("31-two-step-set-up")
    secret = page.get_by_test_id("mfa-secret").inner_text().replace(" ", "")
    page.get_by_label("Code").fill(f"{TOTP(b32decode(secret)).token():06d}")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    shot("32-two-step-recovery-codes")
    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page.get_by_test_id("two-step")).to_contain_text("You have 10 unused recovery codes.")
