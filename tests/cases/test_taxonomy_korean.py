"""Categories, products and problem types in the viewer's language: Korean pages show the Korean
names the back office keeps beside the English ones, English pages the English ones."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import TenantRole
from cases import selectors
from cases.models import Category, ProblemType, Product

DOMAIN = "contoso.example"


def step(name=None):
    if name is None:
        return reverse("request_new", args=[DOMAIN])
    return reverse("request_new_step", args=[DOMAIN, name])


@pytest.fixture
def korean(world):
    """Contoso's global admin and the engineer, both preferring Korean."""
    for persona in (TenantRole.GLOBAL_ADMIN, "engineer"):
        world[persona].preferred_language = "ko"
        world[persona].save(update_fields=["preferred_language"])
    return world


def classify_page(client, admin) -> str:
    client.force_login(admin)
    client.get(step())
    client.post(step("describe"), {"summary": "메일이 도착하지 않습니다"})
    return client.get(step("classify")).content.decode()


def test_every_seeded_name_and_advice_has_a_korean_form(db):
    for model in (Category, Product, ProblemType):
        assert not model.objects.filter(name_ko="").exists(), model.__name__
    out_of_scope = ProblemType.objects.filter(is_out_of_scope=True)
    assert out_of_scope.exists()
    assert not out_of_scope.filter(out_of_scope_advice_ko="").exists()


def test_a_korean_admin_chooses_among_korean_names(client, korean):
    body = classify_page(client, korean[TenantRole.GLOBAL_ADMIN])

    assert "청구 및 구독" in body
    assert "사서함 마이그레이션" in body
    assert "Mailbox migration" not in body


def test_an_english_admin_keeps_the_english_names(client, world):
    body = classify_page(client, world[TenantRole.GLOBAL_ADMIN])

    assert "Billing and subscription" in body
    assert "Mailbox migration" in body
    assert "사서함 마이그레이션" not in body


def test_a_name_without_a_korean_form_shows_in_english(client, korean):
    Product.objects.create(code="bookings", name="Bookings")

    body = classify_page(client, korean[TenantRole.GLOBAL_ADMIN])

    assert "Bookings" in body


def test_an_out_of_scope_kind_stops_a_korean_admin_with_korean_advice(client, korean):
    scripts = ProblemType.objects.get(code="custom-scripts")
    classify_page(client, korean[TenantRole.GLOBAL_ADMIN])

    response = client.post(step("classify"), {"category": "technical", "problem_type": scripts.pk})

    assert response.status_code == 400
    assert "스크립트의 작성이나 디버깅은 지원하지 않습니다" in response.content.decode()


@pytest.mark.parametrize(
    ("description", "kinds"),
    [
        ("사내 네트워크에서 메일 연결이 끊어집니다", ["customer-network"]),
        ("타사 추가 기능을 설치하면 Outlook이 멈춥니다", ["third-party-add-ins"]),
        ("VBA 스크립트가 실행되지 않습니다", ["custom-scripts"]),
        # Words every description has are no hint of anything out of scope.
        ("로그인 지원 요청", []),
        ("서비스 중단 문제를 문의 드립니다", []),
    ],
)
def test_a_korean_description_finds_the_out_of_scope_kinds_it_names(db, description, kinds):
    found = selectors.out_of_scope_matching(description)

    assert sorted(kind.code for kind in found) == kinds


def test_the_engineer_queue_filters_by_korean_category_names(client, korean):
    client.force_login(korean["engineer"])

    categories = dict(
        client.get(reverse("console_queue")).context["form"].fields["category"].choices
    )

    assert categories["technical"] == "기술"
    assert categories["billing"] == "청구 및 구독"


def test_the_api_gives_each_name_in_both_languages(client, world):
    client.force_login(world[TenantRole.GLOBAL_ADMIN])

    body = client.get("/api/v1/taxonomy/").json()

    technical = next(c for c in body["categories"] if c["code"] == "technical")
    assert (technical["name"], technical["names"]) == (
        "Technical",
        {"en": "Technical", "ko": "기술"},
    )
    scripts = next(p for p in body["problem_types"] if p["code"] == "custom-scripts")
    assert scripts["advices"]["ko"].startswith("JavaScript, VBScript 또는 VBA")
    assert scripts["advice"] == scripts["advices"]["en"]


def test_str_follows_the_active_language(db):
    mail = Product.objects.get(code="mail")

    with translation.override("ko"):
        assert str(mail) == "메일"
    with translation.override("en"):
        assert str(mail) == "Mail"
