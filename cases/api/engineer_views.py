"""Engineer operations over the API: assign, severity, status, calls, and the queue."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import SupportLanguage, SupportTier, User
from helpdesk.errors import InvalidInput, NotAllowed

from .. import policies, selectors
from ..models import CaseStatus, Severity
from ..selectors_queue import VIEWS, QueueFilters, queue_for, with_details
from ..services import lifecycle
from .common import ApiView, errors
from .serializers import (
    AssignSerializer,
    CallSerializer,
    CaseSerializer,
    MessageSerializer,
    SeveritySerializer,
    StatusSerializer,
)


def _staff_case(request, number):
    """The case, for support staff; anyone else gets 403 for a case they can see, 404 otherwise."""
    case = selectors.case_get_for(request.user, number)
    if not policies.can_work_case(request.user):
        raise NotAllowed(_("Only support staff can do this."))
    return case


class CaseAssignApi(ApiView):
    @extend_schema(
        operation_id="cases_assign",
        request=AssignSerializer,
        responses={200: CaseSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request, number):
        """ "me" claims an unassigned case (409 if someone was faster); an email assigns or
        transfers; null unassigns."""
        case = _staff_case(request, number)
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignee = serializer.validated_data["assignee"]
        if assignee == "me":
            lifecycle.case_claim(actor=request.user, case=case)
        else:
            user = None
            if assignee is not None:
                user = User.objects.filter(email__iexact=assignee).first()
                if user is None:
                    raise InvalidInput(_("No such engineer."), fields={"assignee": assignee})
            lifecycle.case_assign(actor=request.user, case=case, assignee=user)
        case.refresh_from_db()
        return Response(CaseSerializer(case).data)


class CaseSeverityApi(ApiView):
    @extend_schema(
        operation_id="cases_severity",
        request=SeveritySerializer,
        responses={200: CaseSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request, number):
        case = _staff_case(request, number)
        serializer = SeveritySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lifecycle.case_change_severity(actor=request.user, case=case, **serializer.validated_data)
        return Response(CaseSerializer(case).data)


class CaseStatusApi(ApiView):
    @extend_schema(
        operation_id="cases_status",
        request=StatusSerializer,
        responses={200: CaseSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request, number):
        """Hand the case to the customer (waiting_on_customer); closing has its own endpoint."""
        case = _staff_case(request, number)
        StatusSerializer(data=request.data).is_valid(raise_exception=True)
        lifecycle.case_set_waiting(actor=request.user, case=case)
        return Response(CaseSerializer(case).data)


class CaseCallsApi(ApiView):
    @extend_schema(
        operation_id="cases_calls",
        request=CallSerializer,
        responses={201: MessageSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request, number):
        case = _staff_case(request, number)
        serializer = CallSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = lifecycle.case_log_call(actor=request.user, case=case, **serializer.validated_data)
        return Response(MessageSerializer(event).data, status=status.HTTP_201_CREATED)


QUEUE_FILTERS = {
    "view": VIEWS,
    "severity": Severity.values,
    "tier": SupportTier.values,
    "language": SupportLanguage.values,
    "status": [value for value in CaseStatus.values if value != CaseStatus.CLOSED],
}


class QueueApi(ApiView):
    @extend_schema(
        operation_id="queue_list",
        parameters=[
            *[
                OpenApiParameter(name, OpenApiTypes.STR, enum=list(values))
                for name, values in QUEUE_FILTERS.items()
            ],
            OpenApiParameter("category", OpenApiTypes.STR),
            OpenApiParameter("product", OpenApiTypes.STR),
            OpenApiParameter("tenant", OpenApiTypes.STR),
            OpenApiParameter("assigned", OpenApiTypes.STR, description='A user id or "none"'),
            OpenApiParameter("cursor", OpenApiTypes.STR),
        ],
        responses={
            200: inline_serializer(
                "QueuePage",
                {
                    "next": serializers.CharField(allow_null=True),
                    "results": CaseSerializer(many=True),
                },
            ),
            **errors(400, 403),
        },
    )
    def get(self, request):
        """The console's queue: breached first, then soonest due, then oldest; same filters."""
        params = request.query_params
        values = {}
        for name, allowed in QUEUE_FILTERS.items():
            value = params.get(name, "")
            if value and value not in allowed:
                raise InvalidInput(_("Unknown %(name)s.") % {"name": name}, fields={name: value})
            values[name] = value
        for name in ("category", "product", "tenant", "assigned"):
            values[name] = params.get(name, "")[:253]
        values["view"] = values["view"] or "all"
        page = queue_for(request.user, QueueFilters(**values), cursor=params.get("cursor"))
        next_url = None
        if page.next_cursor:
            query = params.copy()
            query["cursor"] = page.next_cursor
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response(
            {"next": next_url, "results": CaseSerializer(with_details(page.rows), many=True).data}
        )
