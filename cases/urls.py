from django.urls import path

from .views import audit, console, contact, dashboard, intake, new_request, requests

urlpatterns = [
    # Engineer console.
    path("console/", console.queue, name="console_queue"),
    path("console/bulk-assign/", console.bulk_assign, name="console_bulk_assign"),
    path("console/cases/<str:number>/", console.workspace, name="console_case"),
    path(
        "console/cases/<str:number>/<str:action>/", console.case_action, name="console_case_action"
    ),
    path("console/intake/", intake.start, name="intake_start"),
    path("console/intake/<int:pk>/", intake.verify, name="intake_verify"),
    path("console/intake/<int:pk>/file/", intake.file_request, name="intake_file"),
    path("console/dashboard/", dashboard.dashboard, name="console_dashboard"),
    path("console/dashboard.csv", dashboard.dashboard_csv, name="console_dashboard_csv"),
    # Admin centre.
    path("t/<str:domain>/", requests.tenant_dashboard, name="tenant_dashboard"),
    path("t/<str:domain>/requests/", requests.request_list, name="request_list"),
    path("t/<str:domain>/requests/new/", new_request.start, name="request_new"),
    path("t/<str:domain>/requests/new/<str:step>/", new_request.step, name="request_new_step"),
    path("t/<str:domain>/contact/", contact.contact_support, name="contact_support"),
    path("t/<str:domain>/audit/", audit.tenant_audit, name="tenant_audit"),
    path("t/<str:domain>/audit.csv", audit.tenant_audit_csv, name="tenant_audit_csv"),
    path("requests/<str:number>/", requests.request_detail, name="request_detail"),
    path("requests/<str:number>/reply/", requests.request_reply, name="request_reply"),
    path("requests/<str:number>/close/", requests.request_close, name="request_close"),
    path("requests/<str:number>/reopen/", requests.request_reopen, name="request_reopen"),
    path("requests/<str:number>/survey/", requests.request_survey, name="request_survey"),
    path(
        "requests/<str:number>/attachments/<int:attachment_id>/",
        requests.attachment_download,
        name="attachment_download",
    ),
]
