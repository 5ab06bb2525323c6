"""The project's URLs plus one page that does nothing, for the bench's in-process runs only.

`signed_in_empty` is the engineer's request to that page: the session, the user, the second
factor and every middleware, without a view's own work. It is the fixed cost under every signed-in
page, and the queue page's figure minus it is what the queue itself costs.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from helpdesk.urls import urlpatterns as project_urlpatterns

EMPTY_PATH = "/bench/empty/"


@login_required
def empty(request):
    return HttpResponse(b"", content_type="text/plain")


urlpatterns = [path(EMPTY_PATH.strip("/") + "/", empty), *project_urlpatterns]
handler404 = "helpdesk.middleware.not_found"
