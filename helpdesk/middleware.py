"""Turn the domain's errors into pages, so views can stay thin.

NotFound becomes the 404 page (another tenant's object looks exactly like a missing one),
NotAllowed the 403 page with its message, any other DomainError a 400 page. Views that hold a
form catch InvalidInput themselves to show it beside the fields.
"""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import DomainError, NotAllowed, NotFound


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    return any(
        "\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values
    )


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, message: str):
    if is_api(request):
        return JsonResponse({"code": "invalid", "message": message, "fields": {}}, status=400)
    return render(request, "errors/400.html", {"message": message}, status=400)


def not_found(request, exception=None):
    """The 404 handler: the API's error shape under /api/, the page elsewhere."""
    if is_api(request):
        body = {"code": "not_found", "message": _("Not found."), "fields": {}}
        return JsonResponse(body, status=404)
    return render(request, "errors/404.html", status=404)


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            # PostgreSQL cannot store or compare text with NUL characters; no real input has them.
            return bad_request(request, _("The request contains a NUL character."))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        if isinstance(exception, NotFound):
            return render(request, "errors/404.html", status=404)
        template = "errors/403.html" if isinstance(exception, NotAllowed) else "errors/400.html"
        return render(
            request, template, {"message": exception.message}, status=exception.http_status
        )
