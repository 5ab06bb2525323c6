"""Phone intake pages: works / 403 / 404 for each, and the whole flow through the test client."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import TenantRole
from cases.models import Case, CaseEvent, IntakeVerification
from cases.services import intake

Status = IntakeVerification.Status


@pytest.fixture
def admin(world):
    return world[TenantRole.GLOBAL_ADMIN]


@pytest.fixture
def verification(world, admin):
    return intake.intake_start(actor=world["engineer"], tenant=world.contoso, admin=admin)


def sent_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def file_data(problem_type, **overrides) -> dict:
    data = {
        "classify-category": "technical",
        "classify-product": "",
        "classify-problem_type": problem_type.pk,
        "details-title": "Mail is not arriving",
        "details-description": "The admin called: no external mail since this morning.",
        "impact-service": "impaired",
        "impact-users": "several",
        "impact-workaround": "no",
        "contact-name": "Contoso Admin",
        "contact-email": "global_admin@contoso.example",
        "contact-phone": "",
        "contact-method": "email",
        "contact-language": "en",
        "contact-time_zone": "America/New_York",
    }
    data.update(overrides)
    return data


PAGES = ["intake_start", "intake_verify", "intake_file"]


def url_for(page, verification):
    return reverse(page) if page == "intake_start" else reverse(page, args=[verification.pk])


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (TenantRole.GLOBAL_ADMIN, 403),
        (TenantRole.SERVICE_SUPPORT_ADMIN, 403),
        ("partner_active", 403),
        ("plain_user", 403),
        ("outsider", 403),
    ],
)
def test_intake_pages_are_forbidden_outside_support(
    client, world, verification, page, persona, status
):
    client.force_login(world[persona])
    response = client.get(url_for(page, verification))
    assert response.status_code == status
    assert "Phone intake is for support engineers and managers." in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_intake_pages_send_anonymous_visitors_to_sign_in(client, verification, page):
    response = client.get(url_for(page, verification))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("page", ["intake_verify", "intake_file"])
def test_another_engineers_intake_is_not_found(client, world, verification, page):
    client.force_login(world["manager"])
    assert client.get(url_for(page, verification)).status_code == 404
    assert client.post(url_for(page, verification), {"code": "123456"}).status_code == 404
    verification.refresh_from_db()
    assert verification.attempts == 0


@pytest.mark.parametrize("page", ["intake_verify", "intake_file"])
def test_a_missing_intake_is_not_found(client, world, page):
    client.force_login(world["engineer"])
    assert client.get(reverse(page, args=[999999])).status_code == 404


def test_the_start_page_works_for_support_staff(client, world):
    client.force_login(world["manager"])
    response = client.get(reverse("intake_start"))
    assert response.status_code == 200
    assert "Which organisation is calling?" in response.content.decode()


def test_the_search_finds_tenants_by_name_or_domain(client, world):
    client.force_login(world["engineer"])
    body = client.get(reverse("intake_start"), {"q": "CONTO"}).content.decode()
    assert "Contoso" in body and "Fabrikam" not in body
    body = client.get(reverse("intake_start"), {"q": "fabrikam.exa"}).content.decode()
    assert "Fabrikam" in body and "Contoso" not in body
    body = client.get(reverse("intake_start"), {"q": "nowhere"}).content.decode()
    assert "No organisation matches" in body


def test_picking_a_tenant_lists_only_its_admins_with_a_request_role(client, world):
    client.force_login(world["engineer"])
    response = client.get(reverse("intake_start"), {"tenant": world.contoso.pk})
    body = response.content.decode()
    assert "global_admin@contoso.example" in body
    assert "helpdesk_admin@contoso.example" in body
    assert "global_reader@contoso.example" not in body
    assert "plain@contoso.example" not in body
    assert "partner_active@adatum.example" not in body
    assert "admin@fabrikam.example" not in body


def test_an_unknown_tenant_is_not_found(client, world):
    client.force_login(world["engineer"])
    assert client.get(reverse("intake_start"), {"tenant": 999999}).status_code == 404
    assert client.get(reverse("intake_start"), {"tenant": "x"}).status_code == 404


def test_an_admin_of_another_tenant_cannot_be_picked(client, world):
    client.force_login(world["engineer"])
    response = client.post(
        reverse("intake_start"),
        {"tenant": world.contoso.pk, "admin": world["outsider"].pk},
    )
    assert response.status_code == 400
    assert not IntakeVerification.objects.exists()
    assert mail.outbox == []


def test_the_whole_flow_files_a_request_for_the_caller(client, world, admin, problem_type):
    engineer = world["engineer"]
    client.force_login(engineer)

    response = client.post(reverse("intake_start"), {"tenant": world.contoso.pk, "admin": admin.pk})
    verification = IntakeVerification.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake_verify", args=[verification.pk])
    assert mail.outbox[-1].to == [admin.email]
    code = sent_code()

    page = client.get(response["Location"])
    assert admin.email in page.content.decode()

    response = client.post(reverse("intake_verify", args=[verification.pk]), {"code": wrong(code)})
    assert response.status_code == 400
    assert "That code is not right. 4 tries left." in response.content.decode()

    response = client.post(reverse("intake_verify", args=[verification.pk]), {"code": "12"})
    assert response.status_code == 400
    assert "The code has six digits." in response.content.decode()
    verification.refresh_from_db()
    assert verification.attempts == 1  # a malformed entry is not a try

    response = client.post(
        reverse("intake_verify", args=[verification.pk]), {"code": f"{code[:3]} {code[3:]}"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("intake_file", args=[verification.pk])

    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert f'value="{admin.email}"' in body  # contact prefilled from the admin's profile
    assert 'name="classify-category"' in body and 'name="details-title"' in body

    response = client.post(reverse("intake_file", args=[verification.pk]), file_data(problem_type))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console_case", args=[case.number])
    assert case.opened_by == admin
    assert case.events.filter(kind=CaseEvent.Kind.NOTE, is_public=False).exists()
    assert case.events.filter(kind=CaseEvent.Kind.CALL, is_public=False).exists()
    verification.refresh_from_db()
    assert verification.status == Status.USED

    # The verify and file pages of a used check lead to the case, never to a second filing.
    response = client.get(reverse("intake_file", args=[verification.pk]))
    assert response["Location"] == reverse("console_case", args=[case.number])
    response = client.post(reverse("intake_file", args=[verification.pk]), file_data(problem_type))
    assert Case.objects.count() == 1


def test_the_verify_page_redirects_once_verified(client, world, verification):
    client.force_login(world["engineer"])
    intake.intake_verify(actor=world["engineer"], verification=verification, code=sent_code())
    response = client.get(reverse("intake_verify", args=[verification.pk]))
    assert response["Location"] == reverse("intake_file", args=[verification.pk])


def test_the_file_page_waits_for_verification(client, world, verification):
    client.force_login(world["engineer"])
    response = client.get(reverse("intake_file", args=[verification.pk]))
    assert response["Location"] == reverse("intake_verify", args=[verification.pk])


def test_the_fifth_wrong_code_locks_and_offers_to_start_again(client, world, verification):
    client.force_login(world["engineer"])
    url = reverse("intake_verify", args=[verification.pk])
    code = sent_code()
    for _ in range(4):
        client.post(url, {"code": wrong(code)})
    response = client.post(url, {"code": wrong(code)})
    body = response.content.decode()
    assert response.status_code == 409
    assert "Too many wrong codes" in body
    assert f"{reverse('intake_start')}?tenant={world.contoso.pk}" in body
    assert client.post(url, {"code": code}).status_code == 409
    verification.refresh_from_db()
    assert verification.status == Status.LOCKED


def test_an_expired_code_says_so_and_offers_to_start_again(
    client, world, verification, frozen_clock
):
    client.force_login(world["engineer"])
    frozen_clock.shift(timedelta(minutes=10))
    url = reverse("intake_verify", args=[verification.pk])
    body = client.get(url).content.decode()
    assert "This check has expired." in body
    assert 'data-testid="start-again"' in body
    assert client.post(url, {"code": sent_code()}).status_code == 409
    assert client.get(reverse("intake_file", args=[verification.pk]))["Location"] == url


def test_filing_errors_are_shown_beside_the_fields(client, world, verification, problem_type):
    client.force_login(world["engineer"])
    intake.intake_verify(actor=world["engineer"], verification=verification, code=sent_code())
    url = reverse("intake_file", args=[verification.pk])

    response = client.post(url, file_data(problem_type, **{"details-title": ""}))
    assert response.status_code == 400
    assert 'id="id_details-title_error"' in response.content.decode()

    response = client.post(
        url, file_data(problem_type, **{"contact-method": "phone", "contact-phone": ""})
    )
    assert response.status_code == 400
    assert "Give a phone number to be contacted by phone." in response.content.decode()
    assert not Case.objects.exists()
    verification.refresh_from_db()
    assert verification.status == Status.VERIFIED
