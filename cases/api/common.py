"""Plumbing shared by the API views: the base class and the documented error responses."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework.views import APIView

from .serializers import ErrorSerializer

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input"),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated"),
    403: OpenApiResponse(ErrorSerializer, description="A missing right"),
    404: OpenApiResponse(ErrorSerializer, description="Not found, or not yours to see"),
    409: OpenApiResponse(ErrorSerializer, description="The object's state does not allow it"),
    429: OpenApiResponse(ErrorSerializer, description="Throttled"),
}


def errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in (401, 429, *codes)}


class ApiView(APIView):
    """Every endpoint: authenticated (token or session with CSRF), throttled per token."""
