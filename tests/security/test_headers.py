"""Security headers on every kind of page, a CSP that needs no inline code, and production's
HTTPS settings (checked in a separate process with the production settings module)."""

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import TenantRole
from tests.security.two_step import sign_in

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "contoso.example"
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "helpdesk.settings.production",
    "SECRET_KEY": "p4#Lw!" + "r8Tz2qYb7NcV5mXk3HsJ9dFg6aUe1oQiPl0WtRvBnCyMzDhK",
    "ALLOWED_HOSTS": "helpdesk.example.com",
    "DATABASE_URL": "sqlite:////tmp/helpdesk-headers-check.sqlite3",
}


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def pages(world, case) -> list[tuple[str | None, str]]:
    """The main pages of each role: (persona, URL); None is an anonymous visitor."""
    admin = TenantRole.GLOBAL_ADMIN
    relationship = world.relationships["partner_active"]
    return [
        (None, reverse("login")),
        (None, "/no-such-page/"),
        (None, "/api/v1/docs/"),
        (admin, reverse("home")),
        (admin, reverse("tenant_dashboard", args=[DOMAIN])),
        (admin, reverse("request_list", args=[DOMAIN])),
        (admin, reverse("request_detail", args=[case.number])),
        (admin, reverse("request_new_step", args=[DOMAIN, "describe"])),
        (admin, reverse("contact_support", args=[DOMAIN])),
        (admin, reverse("tenant_relationships", args=[DOMAIN])),
        (admin, reverse("profile")),
        (admin, reverse("tenant_audit", args=[DOMAIN])),
        (TenantRole.GLOBAL_READER, reverse("request_list", args=[DOMAIN])),  # a 403 page
        ("outsider", reverse("request_detail", args=[case.number])),  # a 404 page
        ("partner_active", reverse("home")),
        ("partner_active", reverse("request_detail", args=[case.number])),
        ("partner_active", reverse("partner_centre")),
        ("partner_active", reverse("partner_relationships")),
        ("partner_active", reverse("partner_relationship_detail", args=[relationship.pk])),
        ("engineer", reverse("console_queue")),
        ("engineer", reverse("console_case", args=[case.number])),
        ("engineer", reverse("intake_start")),
        ("manager", reverse("console_dashboard")),
    ]


def fetch(client, world, persona, url):
    client.logout()
    if persona is not None:
        sign_in(client, world[persona])
    return client.get(url)


@pytest.fixture
def case(open_case):
    return open_case()


def test_every_page_sends_a_strict_csp_and_the_other_security_headers(client, world, case):
    for persona, url in pages(world, case):
        response = fetch(client, world, persona, url)
        assert response.status_code in {200, 302, 403, 404}, (persona, url)
        policy = response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, url
        directives = csp_directives(response)
        assert directives["script-src"] == ["'self'"], url
        assert directives["style-src"] == ["'self'"], url
        assert directives["default-src"] == ["'self'"], url
        assert directives["object-src"] == ["'none'"], url
        assert directives["frame-ancestors"] == ["'none'"], url
        assert directives["base-uri"] == ["'self'"], url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url


def test_api_responses_and_downloads_carry_the_headers_too(client, world, case):
    sign_in(client, world[TenantRole.GLOBAL_ADMIN])
    for url in [f"/api/v1/cases/{case.number}/", "/api/v1/schema/", "/api/v1/cases/NOPE/"]:
        response = client.get(url)
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
        assert csp_directives(response)["frame-ancestors"] == ["'none'"], url
        assert response["X-Content-Type-Options"] == "nosniff", url


class _InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, handlers, styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            if not names.get("src"):
                self.found.append("<script> without src")
            if names.get("type") not in {None, "", "text/javascript", "module"}:
                self.found.append(f"<script type={names['type']}>")
        if tag == "style":
            self.found.append("<style> block")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=>")
            if name == "style":
                self.found.append(f"<{tag} style=>")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).lower().strip().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:>")
            if name in {"hx-on", "hx-vars"} or name.startswith(("hx-on:", "hx-on-")):
                self.found.append(f"<{tag} {name}=> (htmx evaluates it)")
            if name == "hx-trigger" and "[" in (value or ""):
                self.found.append(f"<{tag} hx-trigger with a filter expression (eval)>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def test_the_scanner_sees_inline_code():
    html = (
        '<script>x()</script><p style="color:red" onclick="x()">'
        '<a href="javascript:x()">a</a><style>p{}</style><div hx-on:click="x()"></div>'
        '<div hx-trigger="every 5s [ok()]"></div>'
    )
    assert len(inline_code(html)) == 7
    assert inline_code('<script src="/static/app.js" defer></script><p class="x">ok</p>') == []


def test_no_page_of_any_role_contains_inline_code(client, world, case):
    for persona, url in pages(world, case):
        response = fetch(client, world, persona, url)
        if response.status_code == 302:
            continue
        assert inline_code(response.content.decode()) == [], (persona, url)


def test_the_new_request_wizard_and_console_partials_have_no_inline_code(
    client, world, case, categories, problem_type
):
    sign_in(client, world[TenantRole.GLOBAL_ADMIN])
    client.get(reverse("request_new", args=[DOMAIN]))
    steps = ["describe", "suggestions", "classify", "details", "impact", "contact", "review"]
    client.post(reverse("request_new_step", args=[DOMAIN, "describe"]), {"summary": "Mail stuck"})
    for step in steps:
        response = client.get(reverse("request_new_step", args=[DOMAIN, step]))
        if response.status_code == 200:
            assert inline_code(response.content.decode()) == [], step
    sign_in(client, world["engineer"])
    partial = client.get(reverse("console_queue"), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert inline_code(partial.content.decode()) == []


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG"}}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_passes_check_deploy_with_no_warning_at_all():
    result = manage("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


PROBE = """
import json, django
django.setup()
from django.conf import settings as s
from django.test import Client
client = Client(HTTP_HOST="helpdesk.example.com")
plain = client.get("/sign-in/")
secure = client.get("/api/v1/cases/", secure=True)  # a 401 in JSON: no template, no database
print(json.dumps({
    "redirect": [plain.status_code, plain.get("Location", "")],
    "headers": dict(secure.headers),
    "settings": {
        "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
        "SESSION_COOKIE_HTTPONLY": s.SESSION_COOKIE_HTTPONLY,
        "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
        "DEBUG": s.DEBUG,
    },
}))
"""


def test_production_redirects_to_https_and_sends_hsts_and_secure_cookies():
    result = manage("-c", PROBE, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    status, location = report["redirect"]
    assert status == 301 and location.startswith("https://helpdesk.example.com/")
    headers = report["headers"]
    hsts = headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts and "preload" in hsts
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert report["settings"] == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "DEBUG": False,
    }


def test_the_back_office_works_under_the_same_policy(client, world, case):
    from tests.factories import UserFactory

    staff = UserFactory(email="backoffice@support.example", is_staff=True, is_superuser=True)
    sign_in(client, staff)
    for url in [
        "/back-office/",
        "/back-office/cases/case/",
        f"/back-office/cases/case/{case.pk}/change/",
        "/back-office/accounts/user/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert inline_code(response.content.decode()) == [], url


def test_the_two_step_sign_in_pages_need_no_inline_code(unverified_client, world):
    client = unverified_client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(world["engineer"])  # signed in, second step still owed: enrol
    enrol = client.get(reverse("mfa_enrol"))
    assert enrol.status_code == 200
    assert "<svg" in enrol.content.decode()  # the QR code, drawn inline
    TOTPDevice.objects.create(user=world["manager"], name="Authenticator app", confirmed=True)
    client.force_login(world["manager"])  # enrolled: verify
    verify = client.get(reverse("mfa_verify"))
    assert verify.status_code == 200
    for response in [enrol, verify]:
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert inline_code(response.content.decode()) == []
