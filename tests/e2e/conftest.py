"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

The demo data is loaded once per test (the database is flushed between live-server tests), so the
flows use the demo accounts exactly as a new user following README would. Screenshots of each main
page go to test-output/ (ignored by git) for review.
"""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PASSWORD = "demo-password"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath) and not CHROMIUM.exists():
            item.add_marker(pytest.mark.skip(reason="needs Debian's chromium (CI installs it)"))


@pytest.fixture
def browser(demo, monkeypatch):
    """One browser per test, started after the database is ready and stopped before its flush.

    Playwright's sync API runs an event loop in this thread while it is up; Django keeps a separate
    connection object per event-loop context, so the test database's serialized reference data is
    only restored correctly when no loop is running at setup and teardown."""
    from playwright.sync_api import sync_playwright

    # While the browser is up, an event loop runs in this thread; the test's own ORM calls are
    # still plain synchronous code, so Django's async guard is lifted for this test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
        # Close the connections the test opened inside the loop's context, or the test database
        # could not be dropped at the end of the run.
        connections.close_all()


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=StringIO())
    return live_server


@pytest.fixture
def page(browser, demo):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def current_code(email: str) -> str:
    """The code `email`'s authenticator app would show now, as a person would read it.

    A code is accepted once per 30-second step (replay protection); a test may sign the same
    account in twice within one step, which a person never does, so the device's record of the
    last code used is cleared first.
    """
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__email=email, confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, drift=0)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


@pytest.fixture
def sign_in(page, demo):
    """Sign in through the form as a person would: password, then (staff and partner accounts)
    the six-digit code from the demo authenticator."""

    def _sign_in(email: str, target=None):
        target = target or page
        target.goto(f"{demo.url}/sign-in/")
        target.get_by_label("Email").fill(email)
        target.get_by_label("Password").fill(PASSWORD)
        target.get_by_role("button", name="Sign in").click()
        target.wait_for_url(re.compile(rf"^{re.escape(demo.url)}/(sign-in/two-step/\?.*)?$"))
        if "/sign-in/two-step/" in target.url:
            target.get_by_label("Code").fill(current_code(email))
            target.get_by_role("button", name="Verify").click()
            target.wait_for_url(f"{demo.url}/")
        return target

    return _sign_in


@pytest.fixture
def shot(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(name: str, target=None):
        (target or page).screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return _shot
