"""A Korean-speaking tenant admin works in Korean, in a real browser with real CJK fonts."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case

# The live server needs committed data; serialized_rollback restores the seeded reference data
# (plans, taxonomy) that the flush after each such test removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MIGRATION_TITLE = "메일함 마이그레이션이 중간에 멈춤"


def test_a_korean_admin_sees_the_admin_centre_and_a_request_in_korean(page, sign_in, demo, shot):
    # The sign-in page is in the browser's language (English here): the user is not known yet.
    sign_in("admin@fabrikam.example")

    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", name="관리 센터", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="열린 요청")).to_be_visible()
    expect(page.get_by_test_id("support-tier")).to_have_text("지원 등급: 비즈니스")
    expect(page.get_by_role("cell", name=MIGRATION_TITLE)).to_be_visible()
    shot("10-korean-home")

    page.get_by_role("navigation", name="주 메뉴").get_by_role(
        "link", name="서비스 요청", exact=True
    ).click()
    expect(page.get_by_role("heading", name="Fabrikam의 서비스 요청")).to_be_visible()
    expect(page.get_by_role("link", name="최근에 닫은 요청(30일)")).to_be_visible()
    case = Case.objects.get(title=MIGRATION_TITLE)
    page.get_by_test_id("request-list").get_by_role("link", name=case.number).click()

    expect(page.get_by_role("heading", name=re.compile(MIGRATION_TITLE), level=1)).to_be_visible()
    expect(page.get_by_test_id("case-status")).to_have_text("신규")
    expect(page.get_by_role("heading", name="기록")).to_be_visible()
    expect(page.get_by_role("button", name="회신 보내기")).to_be_visible()
    shot("11-korean-request")
