"""The guided New service request flow, in the browser's shoes (Django test client)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import ElevatedSupportContract, Subscription, TenantRole
from cases.models import Case, ProblemType
from tests.factories import PartnerFactory

DOMAIN = "contoso.example"


def url(step=None, domain=DOMAIN):
    if step is None:
        return reverse("request_new", args=[domain])
    return reverse("request_new_step", args=[domain, step])


@pytest.fixture
def admin_client(client, world, categories, problem_type):
    client.force_login(world[TenantRole.GLOBAL_ADMIN])
    return client


def walk(client, *, impact=None, contact=None, classify=None, details=None):
    assert client.get(url()).status_code == 302
    client.post(url("describe"), {"summary": "Mail is not arriving"})
    client.post(url("suggestions"))
    technical = ProblemType.objects.get(code="test-mail-flow")
    client.post(
        url("classify"), classify or {"category": "technical", "problem_type": technical.pk}
    )
    client.post(
        url("details"),
        details or {"title": "Mail is not arriving", "description": "Since 9:00 nothing arrives."},
    )
    client.post(
        url("impact"), impact or {"service": "impaired", "users": "several", "workaround": "no"}
    )
    response = client.post(
        url("contact"),
        contact
        or {
            "name": "Dana",
            "email": "dana@contoso.example",
            "phone": "+1 212 555 0100",
            "method": "email",
            "language": "en",
            "time_zone": "America/New_York",
        },
    )
    return response


def test_an_admin_files_a_technical_request_through_every_step(admin_client, world):
    assert walk(admin_client)["Location"] == url("review")
    review = admin_client.get(url("review"))
    body = review.content.decode()
    assert "Severity: B" in body
    assert "Response time: Next day, available 24x7" in body
    response = admin_client.post(url("review"))
    case = Case.objects.get()
    assert response["Location"] == reverse("request_detail", args=[case.number])
    assert case.title == "Mail is not arriving"
    assert case.product.code == "mail"
    assert case.opened_by == world[TenantRole.GLOBAL_ADMIN]
    listing = admin_client.get(reverse("request_list", args=[DOMAIN])).content.decode()
    assert case.number in listing


def test_the_review_explains_why_severity_a_became_b(admin_client):
    walk(admin_client, impact={"service": "unusable", "users": "organisation", "workaround": "no"})
    body = admin_client.get(url("review")).content.decode()
    assert "Severity: B" in body
    assert "reachable 24x7" in body


def test_the_review_shows_business_hours_when_there_is_no_commitment(
    admin_client, world, categories
):
    walk(admin_client, classify={"category": "billing"})
    body = admin_client.get(url("review")).content.decode()
    assert "No commitment, business hours Mon-Fri 09:00-17:00" in body


def test_attachments_ride_along_to_the_filed_request(admin_client):
    walk(
        admin_client,
        details={
            "title": "Logs",
            "description": "See the trace",
            "attachments": [SimpleUploadedFile("trace.log", b"line\n")],
        },
    )
    admin_client.post(url("review"))
    attachment = Case.objects.get().events.get(kind="opened").attachments.get()
    assert attachment.original_name == "trace.log"
    assert attachment.file.read() == b"line\n"


def test_a_forbidden_attachment_type_is_a_form_error(admin_client):
    admin_client.get(url())
    admin_client.post(url("describe"), {"summary": "x y z"})
    admin_client.post(url("classify"), {"category": "technical"})
    response = admin_client.post(
        url("details"),
        {"title": "t", "description": "d", "attachments": [SimpleUploadedFile("run.exe", b"MZ")]},
    )
    assert response.status_code == 200
    assert "not an allowed file type" in response.content.decode()


def test_an_out_of_scope_problem_type_shows_its_advice_and_stops(admin_client, categories):
    scripts = ProblemType.objects.create(
        category=categories["technical"],
        code="scripts-test",
        name="Scripts",
        is_out_of_scope=True,
        out_of_scope_advice="Ask the community forums.",
    )
    admin_client.get(url())
    admin_client.post(url("describe"), {"summary": "my script fails"})
    response = admin_client.post(
        url("classify"), {"category": "technical", "problem_type": scripts.pk}
    )
    assert response.status_code == 400
    assert "Ask the community forums." in response.content.decode()


def test_suggestions_show_matching_help_articles(admin_client, problem_type):
    from cases.models import HelpArticle

    HelpArticle.objects.create(
        title="Fix mail flow", slug="fix-mail-flow", body="Check the **MX** records."
    )
    admin_client.get(url())
    admin_client.post(url("describe"), {"summary": "Mail flow is broken"})
    body = admin_client.get(url("suggestions")).content.decode()
    assert "Fix mail flow" in body
    assert "<strong>MX</strong>" in body


def test_steps_cannot_be_skipped(admin_client):
    admin_client.get(url())
    assert admin_client.get(url("review"))["Location"] == url()


def test_a_bad_phone_choice_is_a_form_error_on_the_contact_step(admin_client):
    response = walk(
        admin_client,
        contact={
            "name": "D",
            "email": "d@contoso.example",
            "method": "phone",
            "language": "en",
            "time_zone": "UTC",
        },
    )
    assert response.status_code == 200
    assert "phone number" in response.content.decode()


def test_elevated_customers_choose_the_severity(admin_client, world):
    from datetime import timedelta

    ElevatedSupportContract.objects.create(
        tenant=world.contoso,
        starts_at=world.now - timedelta(days=1),
        ends_at=world.now + timedelta(days=9),
    )
    walk(
        admin_client,
        impact={"service": "impaired", "users": "several", "workaround": "no", "severity": "C"},
    )
    assert "Response time: 4 hours" in admin_client.get(url("review")).content.decode()


def test_a_partner_of_record_is_shown_first_with_file_anyway(admin_client, world):
    Subscription.objects.filter(tenant=world.contoso).update(
        reseller=PartnerFactory(name="Resold Ltd")
    )
    response = admin_client.get(url())
    assert response.status_code == 200
    assert "Resold Ltd" in response.content.decode()
    assert admin_client.get(url() + "?anyway=1")["Location"] == url("describe")


def test_a_partner_files_for_its_customer(client, world, categories, problem_type):
    client.force_login(world["partner_active"])
    walk(client)
    client.post(url("review"))
    case = Case.objects.get()
    assert case.acting_partner == world.partner
    page = client.get(reverse("request_detail", args=[case.number])).content.decode()
    assert "Adatum on behalf of Contoso" in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (TenantRole.GLOBAL_READER, 403),
        ("plain_user", 403),
        ("outsider", 404),
        ("partner_other_tenant", 404),
        ("partner_expired", 404),
        ("engineer", 403),
        ("manager", 403),
    ],
)
def test_who_may_open_the_new_request_flow(client, world, persona, status):
    client.force_login(world[persona])
    # Support staff see every tenant's pages but file only through phone intake: the wizard is
    # refused to them from its first page (and the service refuses a submit regardless).
    assert client.get(url()).status_code == status
    assert client.get(url("describe")).status_code == status


def test_a_follow_up_to_a_closed_request_is_linked(admin_client, world, open_case):
    from cases.services import lifecycle

    old = open_case()
    lifecycle.case_close(actor=world[TenantRole.GLOBAL_ADMIN], case=old)
    admin_client.get(url() + f"?related={old.number}")
    walk_response = admin_client.post(url("describe"), {"summary": "Again"})
    assert walk_response.status_code == 302
    admin_client.post(url("suggestions"))
    admin_client.post(url("classify"), {"category": "technical"})
    admin_client.post(url("details"), {"title": "Again", "description": "It is back"})
    admin_client.post(url("impact"), {"service": "impaired", "users": "one", "workaround": "no"})
    admin_client.post(
        url("contact"),
        {
            "name": "D",
            "email": "d@contoso.example",
            "method": "email",
            "language": "en",
            "time_zone": "UTC",
        },
    )
    admin_client.post(url("review"))
    assert Case.objects.exclude(pk=old.pk).get().related_case == old
