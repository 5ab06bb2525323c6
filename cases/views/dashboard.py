"""Placeholder until the pages are written."""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("Not yet.", status=501)


start = verify = file_request = dashboard = dashboard_csv = _todo
