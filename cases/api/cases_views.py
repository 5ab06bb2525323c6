"""Service requests over the API: list, file, read, messages, close, reopen, survey, attachments.

One class per operation; each parses input, calls one selector or service, and renders.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts import selectors as account_selectors
from accounts.models import SupportLanguage
from helpdesk.errors import InvalidInput

from .. import selectors
from ..downloads import attachment_response
from ..models import CaseEvent, CaseStatus, Category, ProblemType, Product, Severity
from ..services import idempotency, lifecycle
from ..services.lifecycle import Contact, Impact
from .common import ApiView, errors
from .serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CaseCreateSerializer,
    CaseSerializer,
    CloseSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    SurveySerializer,
)

CASE_RELATED = ("tenant", "category", "product", "problem_type", "acting_partner", "assigned_to")


class CasePagination(CursorPagination):
    ordering = ("-opened_at", "-id")
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"

    def decode_cursor(self, request):
        # A tampered cursor is bad input (400), whatever DRF or the database make of it.
        try:
            cursor = super().decode_cursor(request)
            if cursor is not None and cursor.position is not None:
                parse_datetime(cursor.position) or int(cursor.position)
            return cursor
        except (NotFound, ValueError, TypeError, OverflowError, DjangoValidationError):
            raise InvalidInput(_("Invalid cursor."), fields={"cursor": "invalid"}) from None


def _bool(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    lowered = value.lower()
    if lowered in {"true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no"}:
        return False
    raise InvalidInput(_("Use true or false."), code="invalid", fields={"breached": value})


def _case(request, number):
    return selectors.case_get_for(request.user, number)


class CaseListCreateApi(ApiView):
    @extend_schema(
        operation_id="cases_list",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=CaseStatus.values),
            OpenApiParameter("severity", OpenApiTypes.STR, enum=Severity.values),
            OpenApiParameter("tenant", OpenApiTypes.STR, description="Primary domain"),
            OpenApiParameter("assigned", OpenApiTypes.STR, description='"me", "none" or an email'),
            OpenApiParameter("breached", OpenApiTypes.BOOL),
            OpenApiParameter("cursor", OpenApiTypes.STR),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={
            200: inline_serializer(
                "PaginatedCases",
                {
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": CaseSerializer(many=True),
                },
            ),
            **errors(400),
        },
    )
    def get(self, request):
        """The requests the caller may see, newest first, cursor-paginated."""
        params = request.query_params
        cases = selectors.visible_cases(request.user).select_related(*CASE_RELATED)
        if params.get("status") in CaseStatus.values:
            cases = cases.filter(status=params["status"])
        elif params.get("status"):
            raise InvalidInput(_("Unknown status."), fields={"status": params["status"]})
        if params.get("severity") in Severity.values:
            cases = cases.filter(severity=params["severity"])
        elif params.get("severity"):
            raise InvalidInput(_("Unknown severity."), fields={"severity": params["severity"]})
        if params.get("tenant"):
            cases = cases.filter(tenant__primary_domain=params["tenant"].lower()[:253])
        assigned = params.get("assigned", "")
        if assigned == "me":
            cases = cases.filter(assigned_to=request.user)
        elif assigned == "none":
            cases = cases.filter(assigned_to__isnull=True)
        elif assigned:
            cases = cases.filter(assigned_to__email__iexact=assigned[:254])
        breached = _bool(params.get("breached"))
        if breached is not None:
            cases = cases.filter(breached_at__isnull=not breached)
        paginator = CasePagination()
        page = paginator.paginate_queryset(cases, request, view=self)
        return paginator.get_paginated_response(CaseSerializer(page, many=True).data)

    @extend_schema(
        operation_id="cases_create",
        request=CaseCreateSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="A retried request with the same key returns the first one's case.",
            )
        ],
        responses={201: CaseSerializer, 200: CaseSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request):
        """File a request: tenant admins for their tenant, partners for a customer (by domain)."""
        serializer = CaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        key = request.headers.get("Idempotency-Key")
        if key is None:
            case = _open_case(request.user, data)
            replayed = False
        else:
            case, replayed = idempotency.open_once(
                actor=request.user,
                key=key,
                payload_fingerprint=idempotency.fingerprint(request.data),
                open_case=lambda: _open_case(request.user, data),
            )
        code = status.HTTP_200_OK if replayed else status.HTTP_201_CREATED
        response = Response(CaseSerializer(case).data, status=code)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def _tenant(user, domain):
    if domain:
        return account_selectors.tenant_for_requests(user, domain)
    if user.tenant_id is None:
        raise InvalidInput(
            _("Name the customer's primary domain in the tenant field."),
            code="tenant_required",
            fields={"tenant": "required"},
        )
    return account_selectors.tenant_for_requests(user, user.tenant.primary_domain)


def _lookup(model, field, value, name):
    if value in (None, ""):
        return None
    found = model.objects.filter(**{field: value}).first()
    if found is None:
        raise InvalidInput(_("Unknown %(name)s.") % {"name": name}, fields={name: value})
    return found


def _default_contact(user) -> dict:
    language = (
        user.preferred_language if user.preferred_language in SupportLanguage.values else "en"
    )
    return {
        "name": user.display_name,
        "email": user.email,
        "phone": user.phone,
        "language": language,
        "time_zone": user.time_zone,
    }


def _open_case(user, data):
    tenant = _tenant(user, data.get("tenant"))
    category = _lookup(Category, "pk", data["category"], "category")
    related = (
        selectors.case_get_for(user, data["related_case"]) if data.get("related_case") else None
    )
    return lifecycle.case_open(
        actor=user,
        tenant=tenant,
        category=category,
        product=_lookup(Product, "code", data.get("product"), "product"),
        problem_type=_lookup(ProblemType, "code", data.get("problem_type"), "problem_type"),
        title=data["title"],
        description=data["description"],
        contact=Contact(**{**_default_contact(user), **data.get("contact", {})}),
        impact=Impact(**data["impact"]) if data.get("impact") else Impact(),
        chosen_severity=data.get("severity"),
        related_case=related,
    )


class CaseDetailApi(ApiView):
    @extend_schema(operation_id="cases_retrieve", responses={200: CaseSerializer, **errors(404)})
    def get(self, request, number):
        return Response(CaseSerializer(_case(request, number)).data)


MESSAGE_KINDS = (CaseEvent.Kind.REPLY, CaseEvent.Kind.NOTE, CaseEvent.Kind.CALL)


class CaseMessagesApi(ApiView):
    @extend_schema(
        operation_id="cases_messages_list",
        responses={200: MessageSerializer(many=True), **errors(404)},
    )
    def get(self, request, number):
        """Replies and calls; internal notes only for support staff."""
        case = _case(request, number)
        events = selectors.case_history_for(request.user, case).filter(kind__in=MESSAGE_KINDS)
        return Response(MessageSerializer(events, many=True).data)

    @extend_schema(
        operation_id="cases_messages_create",
        request=MessageCreateSerializer,
        responses={201: MessageSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request, number):
        case = _case(request, number)
        serializer = MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = lifecycle.case_reply(
            actor=request.user,
            case=case,
            body=serializer.validated_data["body"],
            internal=serializer.validated_data["internal"],
        )
        return Response(MessageSerializer(event).data, status=status.HTTP_201_CREATED)


class CaseCloseApi(ApiView):
    @extend_schema(
        operation_id="cases_close",
        request=CloseSerializer,
        responses={200: CaseSerializer, **errors(400, 404, 409)},
    )
    def post(self, request, number):
        case = _case(request, number)
        serializer = CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lifecycle.case_close(
            actor=request.user, case=case, summary=serializer.validated_data["summary"]
        )
        return Response(CaseSerializer(case).data)


class CaseReopenApi(ApiView):
    @extend_schema(
        operation_id="cases_reopen",
        request=None,
        responses={200: CaseSerializer, **errors(404, 409)},
    )
    def post(self, request, number):
        case = _case(request, number)
        lifecycle.case_reopen(actor=request.user, case=case)
        return Response(CaseSerializer(case).data)


class CaseSurveyApi(ApiView):
    @extend_schema(
        operation_id="cases_survey",
        request=SurveySerializer,
        responses={201: SurveySerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request, number):
        case = _case(request, number)
        serializer = SurveySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        survey = lifecycle.survey_submit(actor=request.user, case=case, **serializer.validated_data)
        return Response(
            {"rating": survey.rating, "comment": survey.comment}, status=status.HTTP_201_CREATED
        )


class CaseAttachmentsApi(ApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="cases_attachments_list",
        responses={200: AttachmentSerializer(many=True), **errors(404)},
    )
    def get(self, request, number):
        case = _case(request, number)
        attachments = selectors.attachments_for(request.user, case)
        return Response(AttachmentSerializer(attachments, many=True).data)

    @extend_schema(
        operation_id="cases_attachments_create",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: MessageSerializer, **errors(400, 404, 409)},
    )
    def post(self, request, number):
        """Add a file, as a public message (with an optional text)."""
        case = _case(request, number)
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        body = serializer.validated_data["body"] or _("Attached %(name)s.") % {"name": upload.name}
        event = lifecycle.case_reply(actor=request.user, case=case, body=body, attachments=[upload])
        return Response(MessageSerializer(event).data, status=status.HTTP_201_CREATED)


class CaseAttachmentDownloadApi(ApiView):
    @extend_schema(
        operation_id="cases_attachments_download",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **errors(404)},
    )
    def get(self, request, number, attachment_id):
        case = _case(request, number)
        return attachment_response(selectors.attachment_get_for(request.user, case, attachment_id))
