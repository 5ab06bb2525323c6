"""One error shape everywhere, and the statuses the contract names."""

from accounts.models import TenantRole


def assert_shape(response, status, code=None):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    if code:
        assert body["code"] == code


def test_method_not_allowed_and_unsupported_media(as_persona):
    client = as_persona(TenantRole.GLOBAL_ADMIN)
    assert_shape(client.delete("/api/v1/cases/"), 405, "method_not_allowed")
    assert_shape(
        client.post("/api/v1/cases/", "x", content_type="text/plain"), 415, "unsupported_media_type"
    )


def test_unknown_case_is_404(as_persona):
    assert_shape(as_persona("engineer").get("/api/v1/cases/SR000000-ZZZZZZ/"), 404, "not_found")


def test_throttling_answers_429(as_persona, settings):
    from django.core.cache import cache

    from helpdesk.api.throttling import TokenRateThrottle

    cache.clear()
    original = TokenRateThrottle.THROTTLE_RATES
    TokenRateThrottle.THROTTLE_RATES = {"token": "3/min"}
    try:
        client = as_persona(TenantRole.GLOBAL_ADMIN)
        statuses = [client.get("/api/v1/me/").status_code for _ in range(4)]
    finally:
        TokenRateThrottle.THROTTLE_RATES = original
        cache.clear()
    assert statuses == [200, 200, 200, 429]


def test_a_bad_bearer_token_is_401(api, world):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-token")
    assert_shape(api.get("/api/v1/me/"), 401, "not_authenticated")
