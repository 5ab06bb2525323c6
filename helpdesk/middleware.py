"""Turn the domain's errors into pages, so views can stay thin.

NotFound becomes the 404 page (another tenant's object looks exactly like a missing one),
NotAllowed the 403 page with its message, any other DomainError a 400 page. Views that hold a
form catch InvalidInput themselves to show it beside the fields.
"""

from django.shortcuts import render

from .errors import DomainError, NotAllowed, NotFound


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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
