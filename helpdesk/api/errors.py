"""One error shape for the whole API: `{"code": ..., "message": ..., "fields": {...}}`.

Domain errors keep their code and status (400 bad input, 403 a missing right, 404 what the caller
may not see, 409 a state conflict); DRF's own errors (401, 405, 415, 429, parse errors) are
reshaped the same way.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from helpdesk.errors import DomainError

_CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid",
    status.HTTP_401_UNAUTHORIZED: "not_authenticated",
    status.HTTP_403_FORBIDDEN: "forbidden",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
    status.HTTP_409_CONFLICT: "conflict",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def _flatten(detail) -> dict:
    """DRF's nested validation details as {"field": "message"} (nested fields joined by dots)."""
    fields: dict[str, str] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list):
            if value and all(not isinstance(item, dict | list) for item in value):
                fields[prefix or "non_field_errors"] = " ".join(str(item) for item in value)
            else:
                for index, inner in enumerate(value):
                    walk(f"{prefix}.{index}", inner)
        else:
            fields[prefix or "non_field_errors"] = str(value)

    walk("", detail)
    return fields


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = error_body(exc.code, exc.message, exc.fields)
        return Response(body, status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = "; ".join(f"{key}: {value}" for key, value in fields.items())
        response.data = error_body("invalid", message or "Invalid input.", fields)
        return response
    code = _CODES.get(response.status_code, "error")
    detail = getattr(exc, "detail", "")
    response.data = error_body(code, str(detail) or code.replace("_", " "))
    return response
