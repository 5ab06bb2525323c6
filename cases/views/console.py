"""Placeholder until the pages are written."""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("Not yet.", status=501)


queue = bulk_assign = workspace = case_action = _todo
