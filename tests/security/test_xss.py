"""Script written into any free-text field never runs: pages escape it, Markdown is sanitised,
e-mails are plain text and the API returns it as data.

Every field gets its own payload (`hostile(field)`), so a test can say which field a page must
show (as text) and the scan of each page proves that none of them became markup.
"""

from dataclasses import replace
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import TenantRole
from accounts.tokens import api_token_create
from cases.models import Notification
from cases.services import lifecycle, notifications
from tests.security.two_step import sign_in

DOMAIN = "contoso.example"
JS_LINK = (
    "[click me](javascript:alert(1)) [also](JaVaScRiPt:alert(1)) [data](data:text/html,x) "
    "[tab](java&#x09;script:alert(1)) [entity](&#106;avascript:alert(1)) <javascript:alert(1)>"
)


def hostile(field: str) -> str:
    """One payload with the usual ways out of text and attributes, tagged with its field."""
    return (
        f'<script>alert("{field}")</script><img src=x onerror=alert(1)>'
        f"\"><svg onload=alert(1)>' onmouseover='alert(1)"
    )


def shown(field: str) -> str:
    """What a reader sees of `hostile(field)` when it is shown as text."""
    return f'<script>alert("{field}")</script>'


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.problems.append("inline <script>")
        if tag == "img" and names.get("src") == "x":
            self.problems.append("injected <img>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value:
                scheme = value.strip().lower().replace("\t", "").replace("\n", "")
                if scheme.startswith(("javascript:", "vbscript:")) or (
                    scheme.startswith("data:") and tag != "link"
                ):
                    self.problems.append(f"{tag} {name}={value}")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def scan(html: str) -> str:
    """Fail on any markup a payload could have made; return the page's visible text."""
    parser = _Scan()
    parser.feed(html)
    parser.close()
    assert parser.problems == []
    return "".join(parser.text)


def upload(name: str, content: bytes = b"log line\n"):
    return SimpleUploadedFile(name, content, content_type="text/html")


@pytest.fixture
def hostile_world(world, open_case, contact, mailoutbox):
    """Contoso and its partner with a payload in every free-text field the pages show."""
    admin = world[TenantRole.GLOBAL_ADMIN]
    for persona in [TenantRole.GLOBAL_ADMIN, "engineer", "manager", "partner_active"]:
        user = world[persona]
        user.display_name = hostile(f"name-{persona}")
        user.save(update_fields=["display_name"])
    world.contoso.name = hostile("company")
    world.contoso.save(update_fields=["name"])
    world.partner.name = hostile("partner")
    world.partner.save(update_fields=["name"])
    relationship = world.relationships["partner_active"]
    relationship.name = hostile("relationship")[:100]
    relationship.save(update_fields=["name"])
    api_token_create(actor=admin, name=hostile("token")[:100])

    case = open_case(
        title=hostile("title"),
        description=hostile("description") + "\n\n" + JS_LINK,
        contact=replace(contact, name=hostile("contact"), available_24x7=True),
        attachments=[upload('"><img src=x onerror=alert(1)>.txt')],
    )
    lifecycle.case_reply(
        actor=admin, case=case, body=hostile("reply") + "\n\n" + JS_LINK, attachments=[]
    )
    lifecycle.case_reply(
        actor=world["partner_active"], case=case, body=hostile("partner-reply"), attachments=[]
    )
    engineer = world["engineer"]
    lifecycle.case_claim(actor=engineer, case=case)
    lifecycle.case_reply(
        actor=engineer, case=case, body=hostile("engineer-reply") + "\n\n" + JS_LINK
    )
    lifecycle.case_reply(actor=engineer, case=case, body=hostile("note"), internal=True)
    lifecycle.case_log_call(actor=engineer, case=case, summary=hostile("call"))
    lifecycle.case_change_severity(
        actor=engineer, case=case, severity="A", reason=hostile("severity-reason")
    )

    closed = open_case(title=hostile("closed-title"))
    lifecycle.case_close(actor=admin, case=closed, summary=hostile("close-summary"))
    lifecycle.survey_submit(actor=admin, case=closed, rating=1, comment=hostile("survey"))
    case.refresh_from_db()
    closed.refresh_from_db()
    return {"case": case, "closed": closed}


def page(client, user, url) -> str:
    sign_in(client, user)
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def test_the_request_page_shows_every_field_as_text(client, world, hostile_world):
    case = hostile_world["case"]
    text = scan(
        page(client, world[TenantRole.GLOBAL_ADMIN], reverse("request_detail", args=[case.number]))
    )
    for field in [
        "title",
        "description",
        "reply",
        "partner-reply",
        "engineer-reply",
        "call",
        "severity-reason",
        "company",
        "partner",
        "name-engineer",
        "name-global_admin",
        "name-partner_active",
    ]:
        assert shown(field) in text, field
    assert shown("note") not in text  # internal
    assert '"><img src=x onerror=alert(1)>.txt' in text  # the attachment's name, as text


def test_markdown_links_to_script_lose_their_target(client, world, hostile_world):
    case = hostile_world["case"]
    html = page(
        client, world[TenantRole.GLOBAL_ADMIN], reverse("request_detail", args=[case.number])
    )
    scan(html)  # no href="javascript:..." anywhere
    # The replies are Markdown: the links are kept as text without their target.
    assert html.count('<a rel="noopener noreferrer nofollow">click me</a>') == 2
    assert 'href="javascript' not in html.lower()


def test_a_closed_request_shows_its_summary_and_survey_as_text(client, world, hostile_world):
    closed = hostile_world["closed"]
    html = page(
        client, world[TenantRole.GLOBAL_ADMIN], reverse("request_detail", args=[closed.number])
    )
    text = scan(html)
    assert shown("closed-title") in text
    assert shown("close-summary") in text


@pytest.mark.parametrize(
    ("persona", "url", "fields"),
    [
        (TenantRole.GLOBAL_ADMIN, reverse("home"), ["title", "company"]),
        (TenantRole.GLOBAL_ADMIN, reverse("tenant_dashboard", args=[DOMAIN]), ["title"]),
        (TenantRole.GLOBAL_ADMIN, reverse("request_list", args=[DOMAIN]), ["title"]),
        (TenantRole.GLOBAL_ADMIN, reverse("tenant_relationships", args=[DOMAIN]), ["partner"]),
        (TenantRole.GLOBAL_ADMIN, reverse("profile"), ["token"]),
        (TenantRole.GLOBAL_ADMIN, reverse("contact_support", args=[DOMAIN]), []),
        ("partner_active", reverse("home"), ["partner", "relationship", "company"]),
        ("partner_active", reverse("request_list", args=[DOMAIN]), ["title"]),
        ("partner_active", reverse("partner_centre"), []),
        ("engineer", reverse("home"), []),
        ("engineer", reverse("console_queue"), ["title", "company", "name-manager"]),
        ("engineer", reverse("intake_start"), []),
        ("manager", reverse("console_dashboard"), ["name-manager"]),
        (TenantRole.GLOBAL_ADMIN, reverse("tenant_audit", args=[DOMAIN]), ["name-engineer"]),
    ],
)
def test_every_main_page_renders_the_payloads_inert(
    client, world, hostile_world, persona, url, fields
):
    text = scan(page(client, world[persona], url))
    for field in fields:
        assert shown(field) in text, field


def test_the_partner_pages_show_the_relationship_name_as_text(client, world, hostile_world):
    agent = world.partner.memberships.get(is_admin_agent=True).user
    relationship = world.relationships["partner_active"]
    for url in [
        reverse("partner_relationships"),
        reverse("partner_relationship_detail", args=[relationship.pk]),
    ]:
        text = scan(page(client, agent, url))
        assert shown("relationship") in text, url


def test_the_engineer_workspace_shows_notes_and_calls_as_text(client, world, hostile_world):
    case = hostile_world["case"]
    text = scan(page(client, world["engineer"], reverse("console_case", args=[case.number])))
    for field in [
        "title",
        "description",
        "contact",
        "reply",
        "engineer-reply",
        "note",
        "call",
        "severity-reason",
        "company",
        "partner",
        "name-partner_active",
        "name-manager",
    ]:
        assert shown(field) in text, field


def test_the_engineer_sees_the_survey_comment_as_text(client, world, hostile_world):
    closed = hostile_world["closed"]
    text = scan(page(client, world["engineer"], reverse("console_case", args=[closed.number])))
    for field in ["closed-title", "close-summary", "survey"]:
        assert shown(field) in text, field


def test_a_form_error_repeats_hostile_input_as_text(client, world, hostile_world):
    case = hostile_world["case"]
    sign_in(client, world[TenantRole.GLOBAL_ADMIN])
    response = client.post(
        reverse("request_reply", args=[case.number]),
        {"body": "x", "attachments": [upload("<svg onload=alert(1)>.png", b"not an image")]},
    )
    assert response.status_code == 400
    text = scan(response.content.decode())
    assert "<svg onload=alert(1)>.png" in text


def test_the_new_request_review_shows_what_was_typed_as_text(
    client, world, categories, problem_type
):
    sign_in(client, world[TenantRole.GLOBAL_ADMIN])
    step = lambda name: reverse("request_new_step", args=[DOMAIN, name])  # noqa: E731
    client.get(reverse("request_new", args=[DOMAIN]))
    client.post(step("describe"), {"summary": hostile("summary")})
    client.post(step("suggestions"))
    client.post(step("classify"), {"category": "technical", "problem_type": problem_type.pk})
    client.post(step("details"), {"title": hostile("title"), "description": hostile("description")})
    client.post(step("impact"), {"service": "impaired", "users": "several", "workaround": "no"})
    client.post(
        step("contact"),
        {
            "name": hostile("contact"),
            "email": "dana@contoso.example",
            "phone": "+1 212 555 0100",
            "method": "email",
            "language": "en",
            "time_zone": "UTC",
        },
    )
    text = scan(page(client, world[TenantRole.GLOBAL_ADMIN], step("review")))
    for field in ["title", "description"]:
        assert shown(field) in text, field


def test_emails_are_plain_text_carrying_the_payload_as_written(world, hostile_world):
    notifications.deliver_due(now=world.now.replace(year=2027))
    assert mail.outbox
    for message in mail.outbox:
        assert message.content_subtype == "plain"
        assert not getattr(message, "alternatives", [])
        assert "\n" not in message.subject and "\r" not in message.subject
    bodies = "\n".join(message.body for message in mail.outbox)
    subjects = "\n".join(message.subject for message in mail.outbox)
    assert shown("title") in bodies + subjects
    assert "&lt;" not in bodies  # plain text is not HTML-escaped either
    assert Notification.objects.exists()


def test_the_api_returns_the_payloads_as_json_data(world, hostile_world):
    from rest_framework.test import APIClient

    case = hostile_world["case"]
    api = APIClient()
    api.force_authenticate(user=world[TenantRole.GLOBAL_ADMIN])
    detail = api.get(f"/api/v1/cases/{case.number}/")
    assert detail.status_code == 200
    assert detail["Content-Type"] == "application/json"
    assert detail["X-Content-Type-Options"] == "nosniff"
    data = detail.json()
    assert data["title"] == hostile("title")
    assert data["description"].startswith(hostile("description"))
    messages = api.get(f"/api/v1/cases/{case.number}/messages/")
    assert messages["Content-Type"] == "application/json"
    bodies = [message["body"] for message in messages.json()]
    assert hostile("reply") + "\n\n" + JS_LINK in bodies
    attachments = api.get(f"/api/v1/cases/{case.number}/attachments/").json()
    assert attachments[0]["name"] == '"><img src=x onerror=alert(1)>.txt'
    me = api.get("/api/v1/me/").json()
    assert me["display_name"] == hostile(f"name-{TenantRole.GLOBAL_ADMIN}")


def test_the_api_stores_hostile_input_as_written_and_never_renders_it(
    world, categories, problem_type
):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user=world[TenantRole.GLOBAL_ADMIN])
    created = api.post(
        "/api/v1/cases/",
        {
            "category": "technical",
            "problem_type": problem_type.code,
            "title": hostile("api-title"),
            "description": hostile("api-description"),
            "impact": {"service": "impaired", "users": "several", "workaround": True},
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="xss-1",
    )
    assert created.status_code == 201, created.content
    assert created["Content-Type"] == "application/json"
    assert created.json()["title"] == hostile("api-title")
    # A browser asking for HTML still gets JSON, which nosniff keeps from being read as a page.
    listed = api.get("/api/v1/cases/", HTTP_ACCEPT="text/html")
    assert listed["Content-Type"] in {"application/json"} or listed.status_code == 406


def test_help_articles_and_advice_are_sanitised_on_the_suggestions_step(
    client, world, categories, product
):
    from cases.models import HelpArticle, ProblemType

    HelpArticle.objects.create(
        title=hostile("article-title") + " outlook",
        slug="outlook",
        body="Outlook tips\n\n"
        + hostile("article-body")
        + "\n\n"
        + JS_LINK
        + '\n\n<iframe src="https://evil.example"></iframe>\n\n![x](https://evil.example/x.png)',
    )
    ProblemType.objects.create(
        category=categories["technical"],
        product=product,
        code="scripts",
        name=hostile("problem-type"),
        default_severity="C",
        is_out_of_scope=True,
        out_of_scope_advice=hostile("advice") + " outlook",
    )
    sign_in(client, world[TenantRole.GLOBAL_ADMIN])
    step = lambda name: reverse("request_new_step", args=[DOMAIN, name])  # noqa: E731
    client.get(reverse("request_new", args=[DOMAIN]))
    client.post(step("describe"), {"summary": "outlook " + hostile("summary")})
    html = page(client, world[TenantRole.GLOBAL_ADMIN], step("suggestions"))
    text = scan(html)
    for field in ["article-title", "article-body", "summary", "problem-type", "advice"]:
        assert shown(field) in text, field
    assert '<a rel="noopener noreferrer nofollow">click me</a>' in html
    assert "<iframe" not in html and "evil.example/x.png" not in html


def test_phone_intake_shows_the_caller_and_echoes_form_input_as_text(
    client, world, problem_type, mailoutbox
):
    import re

    from cases.models import Case
    from cases.services import intake

    admin = world[TenantRole.GLOBAL_ADMIN]
    admin.display_name = hostile("caller")
    admin.save(update_fields=["display_name"])
    world.contoso.name = hostile("company")
    world.contoso.save(update_fields=["name"])
    engineer = world["engineer"]
    verification = intake.intake_start(actor=engineer, tenant=world.contoso, admin=admin)
    code = re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)
    intake.intake_verify(actor=engineer, verification=verification, code=code)
    url = reverse("intake_file", args=[verification.pk])
    text = scan(page(client, engineer, url))
    assert shown("caller") in text

    data = {
        "classify-category": "technical",
        "classify-product": "",
        "classify-problem_type": problem_type.pk,
        "details-title": "",  # missing: the form comes back with what was typed
        "details-description": hostile("intake-description"),
        "impact-service": "impaired",
        "impact-users": "several",
        "impact-workaround": "no",
        "contact-name": hostile("intake-contact"),
        "contact-email": "global_admin@contoso.example",
        "contact-phone": "",
        "contact-method": "email",
        "contact-language": "en",
        "contact-time_zone": "America/New_York",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    html = refused.content.decode()
    scan(html)
    assert html.count("&lt;script&gt;") >= 2  # the typed text, escaped into the fields
    assert not Case.objects.exists()

    data["details-title"] = hostile("intake-title")
    assert client.post(url, data).status_code == 302
    case = Case.objects.get()
    text = scan(page(client, engineer, reverse("console_case", args=[case.number])))
    for field in ["intake-title", "intake-description", "intake-contact", "caller"]:
        assert shown(field) in text, field
