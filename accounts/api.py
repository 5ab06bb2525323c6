"""Delegated-admin relationships over the API, under the same services and policies as the pages.

A relationship the caller has nothing to do with is a 404; one it can see but may not act on is
a 403 from the service.
"""

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from cases.api.common import ApiView, errors
from helpdesk.errors import InvalidInput, NotAllowed, NotFound

from . import policies, services
from .models import (
    DelegatedAdminRelationship,
    PartnerMembership,
    RoleAssignment,
    Tenant,
    TenantRole,
    User,
)


class RelationshipSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.name")
    tenant = serializers.CharField(source="tenant.primary_domain")

    class Meta:
        model = DelegatedAdminRelationship
        fields = [
            "id",
            "name",
            "partner",
            "tenant",
            "roles",
            "duration_days",
            "auto_extend",
            "status",
            "requested_at",
            "approved_at",
            "ends_at",
            "terminated_at",
        ]


class RelationshipRequestSerializer(serializers.Serializer):
    customer = serializers.CharField(max_length=253, help_text="The customer's primary domain")
    name = serializers.CharField(max_length=100)
    roles = serializers.ListField(child=serializers.CharField(max_length=40), max_length=20)
    duration_days = serializers.IntegerField(min_value=-(10**9), max_value=10**9)
    auto_extend = serializers.BooleanField(required=False, default=False)


class AssignmentSerializer(serializers.Serializer):
    user = serializers.EmailField()
    roles = serializers.ListField(child=serializers.CharField(max_length=40), max_length=20)


def visible_relationships(user: User):
    """Relationships of the tenants where the user is a global admin, and of the user's partners."""
    tenants = RoleAssignment.objects.filter(user=user, role=TenantRole.GLOBAL_ADMIN).values(
        "tenant_id"
    )
    partners = PartnerMembership.objects.filter(user=user).values("partner_id")
    return DelegatedAdminRelationship.objects.filter(
        Q(tenant_id__in=tenants) | Q(partner_id__in=partners)
    ).select_related("partner", "tenant")


def _relationship(user, pk) -> DelegatedAdminRelationship:
    relationship = visible_relationships(user).filter(pk=pk).first()
    if relationship is None:
        raise NotFound(_("No such relationship."))
    return relationship


class RelationshipListCreateApi(ApiView):
    @extend_schema(
        operation_id="relationships_list",
        responses={200: RelationshipSerializer(many=True), **errors()},
    )
    def get(self, request):
        relationships = visible_relationships(request.user).order_by("-requested_at", "-id")[:500]
        return Response(RelationshipSerializer(relationships, many=True).data)

    @extend_schema(
        operation_id="relationships_request",
        request=RelationshipRequestSerializer,
        responses={201: RelationshipSerializer, **errors(400, 403)},
    )
    def post(self, request):
        """An admin agent asks a customer (by primary domain) for a relationship."""
        serializer = RelationshipRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        membership = PartnerMembership.objects.filter(user=request.user).select_related("partner")
        membership = membership.first()
        if membership is None:
            raise NotAllowed(_("Only a partner's admin agents can request relationships."))
        tenant = Tenant.objects.filter(primary_domain=data["customer"].lower()).first()
        if tenant is None:
            raise InvalidInput(
                _("No organisation with that domain."), fields={"customer": data["customer"]}
            )
        relationship = services.relationship_request(
            actor=request.user,
            partner=membership.partner,
            tenant=tenant,
            name=data["name"],
            roles=data["roles"],
            duration_days=data["duration_days"],
            auto_extend=data["auto_extend"],
        )
        return Response(RelationshipSerializer(relationship).data, status=status.HTTP_201_CREATED)


class RelationshipDetailApi(ApiView):
    @extend_schema(
        operation_id="relationships_retrieve",
        responses={200: RelationshipSerializer, **errors(404)},
    )
    def get(self, request, pk):
        return Response(RelationshipSerializer(_relationship(request.user, pk)).data)


TRANSITIONS = {
    "approve": services.relationship_approve,
    "reject": services.relationship_reject,
    "terminate": services.relationship_terminate,
}


def _transition_api(action: str):
    class RelationshipTransitionApi(ApiView):
        @extend_schema(
            operation_id=f"relationships_{action}",
            request=None,
            responses={200: RelationshipSerializer, **errors(403, 404, 409)},
        )
        def post(self, request, pk):
            relationship = _relationship(request.user, pk)
            TRANSITIONS[action](actor=request.user, relationship=relationship)
            return Response(RelationshipSerializer(relationship).data)

    RelationshipTransitionApi.__name__ = f"Relationship{action.title()}Api"
    return RelationshipTransitionApi


RelationshipApproveApi = _transition_api("approve")
RelationshipRejectApi = _transition_api("reject")
RelationshipTerminateApi = _transition_api("terminate")


class RelationshipAssignApi(ApiView):
    @extend_schema(
        operation_id="relationships_assign",
        request=AssignmentSerializer,
        responses={200: RelationshipSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request, pk):
        relationship = _relationship(request.user, pk)
        # The right first: the body's checks would tell anyone whether an email has an account.
        if not policies.can_assign_relationship_users(request.user, relationship):
            raise NotAllowed(_("Only an admin agent of the partner may assign users."))
        serializer = AssignmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = User.objects.filter(email__iexact=serializer.validated_data["user"]).first()
        if user is None:
            raise InvalidInput(
                _("No such user."), fields={"user": serializer.validated_data["user"]}
            )
        services.relationship_assign_user(
            actor=request.user,
            relationship=relationship,
            user=user,
            roles=serializer.validated_data["roles"],
        )
        return Response(RelationshipSerializer(relationship).data)
