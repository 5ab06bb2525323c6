"""Bearer token authentication for the REST API, on a minimal view of its own."""

import pytest
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from accounts.authentication import BearerTokenAuthentication
from accounts.tokens import api_token_create, api_token_revoke
from tests.factories import UserFactory

CHALLENGE = 'Bearer realm="api"'


class WhoAmI(APIView):
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = []

    def get(self, request):
        return Response({"email": request.user.email, "token": request.auth.pk})


class WhoAmIWithSession(WhoAmI):
    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]

    def get(self, request):
        return Response({"email": request.user.email})


@pytest.fixture
def user(db, frozen_clock):
    return UserFactory(email="dana@contoso.example")


@pytest.fixture
def issued(user):
    return api_token_create(actor=user, name="Ticket sync")


def call(view=WhoAmI, **headers):
    request = APIRequestFactory().get("/api/v1/whoami/", headers=headers)
    return view.as_view()(request)


def test_a_valid_token_authenticates_its_owner(user, issued):
    token, plain = issued
    response = call(Authorization=f"Bearer {plain}")
    assert response.status_code == 200
    assert response.data == {"email": user.email, "token": token.pk}


def test_the_scheme_is_case_insensitive(user, issued):
    _, plain = issued
    assert call(Authorization=f"bearer {plain}").status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer not-a-token",
        "Bearer hd_0123456789abcdef_short",
        "Bearer two tokens",
        "Bearer hd_0123456789abcdef_" + "a" * 43,
    ],
)
def test_a_malformed_or_unknown_token_is_401_with_the_bearer_challenge(issued, header):
    response = call(Authorization=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE


def test_a_token_that_is_not_ascii_is_401(issued):
    request = APIRequestFactory().get("/api/v1/whoami/", HTTP_AUTHORIZATION="Bearer hd_é")
    response = WhoAmI.as_view()(request)
    assert response.status_code == 401


def test_a_revoked_token_is_401(user, issued):
    token, plain = issued
    api_token_revoke(actor=user, token_id=token.pk)
    response = call(Authorization=f"Bearer {plain}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE


def test_the_token_of_an_inactive_user_is_401(user, issued):
    _, plain = issued
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert call(Authorization=f"Bearer {plain}").status_code == 401


def test_no_header_is_401_because_the_view_requires_a_user(issued):
    response = call()
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE


def test_another_scheme_is_left_to_the_other_authentication_classes(issued):
    response = call(Authorization="Basic ZGFuYTpzZWNyZXQ=")
    assert response.status_code == 401


def test_without_a_header_the_bearer_class_steps_aside(user):
    request = APIRequestFactory().get("/api/v1/whoami/")
    assert BearerTokenAuthentication().authenticate(request) is None


def test_session_authentication_still_applies_without_a_bearer_header(user):
    request = APIRequestFactory().get("/api/v1/whoami/")
    request.user = user  # what Django's AuthenticationMiddleware sets from the session
    request._dont_enforce_csrf_checks = True
    response = WhoAmIWithSession.as_view()(request)
    assert response.status_code == 200
    assert response.data == {"email": user.email}


def test_a_bad_bearer_token_is_refused_even_when_a_session_exists(user):
    request = APIRequestFactory().get(
        "/api/v1/whoami/", headers={"Authorization": "Bearer not-a-token"}
    )
    request.user = user
    request._dont_enforce_csrf_checks = True
    response = WhoAmIWithSession.as_view()(request)
    assert response.status_code == 401


def test_the_openapi_schema_documents_bearer_authentication(settings):
    settings.REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
    generator = SchemaGenerator(patterns=[path("whoami/", WhoAmI.as_view())])
    schema = generator.get_schema(request=None, public=True)
    scheme = schema["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert schema["paths"]["/whoami/"]["get"]["security"] == [{"bearerAuth": []}]
