"""The pages work in a real browser under the strict Content-Security-Policy: Chromium reports no
violation on the queue, the API docs and the new-request wizard, and htmx still swaps content
(the queue's periodic refresh and the wizard's problem-type list) without eval or inline code."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.models import User
from cases.models import Case, Category
from tests.security.two_step import sign_in as verified_session

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Records every violation the page itself sees, before any of its own scripts run. Init scripts
# are injected by the browser's debugging protocol, so the CSP does not block this one.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def watched(page):
    """The page, with a list of CSP complaints from the console and from violation events."""
    complaints: list[str] = []
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: (
            complaints.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: complaints.append(f"page error: {error}"))

    def violations() -> list[str]:
        return complaints + page.evaluate("window.__cspViolations || []")

    page.csp_violations = violations
    return page


def signed_in_as(page, demo, email: str) -> None:
    """Start the browser on a session of `email` that has passed both sign-in steps."""
    client = Client()
    verified_session(client, User.objects.get(email=email))
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": demo.url,
            }
        ]
    )


def test_the_queue_loads_and_refreshes_under_the_csp(watched, demo):
    page = watched
    signed_in_as(page, demo, "engineer@support.example")
    page.clock.install()
    page.goto(f"{demo.url}/console/")
    expect(page.get_by_test_id("queue-row").first).to_be_visible()
    assert page.evaluate("typeof htmx") == "object"

    case = Case.objects.get(title="Mail delivery failing for the whole organisation")
    Case.objects.filter(pk=case.pk).update(title="Mail delivery failing: refreshed")
    with page.expect_response(
        lambda response: (
            "/console/" in response.url and response.request.headers.get("hx-request") == "true"
        )
    ) as refresh:
        page.clock.run_for("00:31")
    assert refresh.value.status == 200
    expect(page.get_by_test_id("queue")).to_contain_text("Mail delivery failing: refreshed")
    assert page.csp_violations() == []


def test_the_api_docs_render_under_the_csp(watched, demo):
    page = watched
    page.goto(f"{demo.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .information-container")).to_be_visible()
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert page.csp_violations() == []


def test_the_new_request_wizard_works_under_the_csp(watched, demo):
    page = watched
    signed_in_as(page, demo, "admin@contoso.example")
    page.goto(f"{demo.url}/t/contoso.example/requests/new/")
    page.get_by_label("Describe the problem in a sentence").fill("Outlook cannot find the server")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="I still need help: continue").click()
    billing = Category.objects.get(code="billing")
    with page.expect_response(lambda response: "/classify/" in response.url) as swapped:
        page.get_by_label("Category").select_option(str(billing.pk))
    assert swapped.value.request.headers.get("hx-request") == "true"
    # htmx replaced the problem-type list with the billing category's types only.
    groups = page.locator("#problem-types optgroup")
    expect(groups.first).to_be_attached()
    assert set(groups.evaluate_all("gs => gs.map(g => g.label)")) == {billing.name}
    assert page.csp_violations() == []
