"""Placeholder until the pages are written."""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("Not yet.", status=501)


partner_centre = relationship_list = relationship_new = relationship_detail = _todo
tenant_relationships = tenant_relationship_action = _todo
contact_support = _todo
