from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("Not yet.", status=501)


tenant_dashboard = request_list = request_detail = request_reply = request_close = _todo
request_reopen = request_survey = attachment_download = _todo
