from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from accounts import api as accounts_api

from . import cases_views, engineer_views, reference_views

CASE = "cases/<str:number>/"

urlpatterns = [
    # The description of the API is public, like its documentation; the data behind it is not.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api_schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema", permission_classes=[AllowAny]),
        name="api_docs",
    ),
    path("cases/", cases_views.CaseListCreateApi.as_view(), name="api_cases"),
    path(CASE, cases_views.CaseDetailApi.as_view(), name="api_case"),
    path(CASE + "messages/", cases_views.CaseMessagesApi.as_view(), name="api_case_messages"),
    path(CASE + "close/", cases_views.CaseCloseApi.as_view(), name="api_case_close"),
    path(CASE + "reopen/", cases_views.CaseReopenApi.as_view(), name="api_case_reopen"),
    path(CASE + "survey/", cases_views.CaseSurveyApi.as_view(), name="api_case_survey"),
    path(
        CASE + "attachments/",
        cases_views.CaseAttachmentsApi.as_view(),
        name="api_case_attachments",
    ),
    path(
        CASE + "attachments/<int:attachment_id>/",
        cases_views.CaseAttachmentDownloadApi.as_view(),
        name="api_case_attachment",
    ),
    path(CASE + "assign/", engineer_views.CaseAssignApi.as_view(), name="api_case_assign"),
    path(CASE + "severity/", engineer_views.CaseSeverityApi.as_view(), name="api_case_severity"),
    path(CASE + "status/", engineer_views.CaseStatusApi.as_view(), name="api_case_status"),
    path(CASE + "calls/", engineer_views.CaseCallsApi.as_view(), name="api_case_calls"),
    path("queue/", engineer_views.QueueApi.as_view(), name="api_queue"),
    path("taxonomy/", reference_views.TaxonomyApi.as_view(), name="api_taxonomy"),
    path(
        "response-targets/",
        reference_views.ResponseTargetsApi.as_view(),
        name="api_response_targets",
    ),
    path("me/", reference_views.MeApi.as_view(), name="api_me"),
    path(
        "relationships/",
        accounts_api.RelationshipListCreateApi.as_view(),
        name="api_relationships",
    ),
    path(
        "relationships/<int:pk>/",
        accounts_api.RelationshipDetailApi.as_view(),
        name="api_relationship",
    ),
    path(
        "relationships/<int:pk>/approve/",
        accounts_api.RelationshipApproveApi.as_view(),
        name="api_relationship_approve",
    ),
    path(
        "relationships/<int:pk>/reject/",
        accounts_api.RelationshipRejectApi.as_view(),
        name="api_relationship_reject",
    ),
    path(
        "relationships/<int:pk>/terminate/",
        accounts_api.RelationshipTerminateApi.as_view(),
        name="api_relationship_terminate",
    ),
    path(
        "relationships/<int:pk>/assign/",
        accounts_api.RelationshipAssignApi.as_view(),
        name="api_relationship_assign",
    ),
]
