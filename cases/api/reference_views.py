"""Reference data and the caller's identity: taxonomy, committed targets, me."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from accounts import policies as account_policies
from accounts import selectors as account_selectors
from helpdesk.errors import InvalidInput

from .. import targets
from ..models import Category, ProblemType, Product
from .common import ApiView, errors


def _names(english: str, korean: str) -> dict[str, str]:
    """A name in each interface language; Korean falls back to English where none is set."""
    return {"en": english, "ko": korean or english}


class TaxonomyApi(ApiView):
    @extend_schema(
        operation_id="taxonomy",
        responses={
            200: inline_serializer(
                "Taxonomy",
                {
                    "categories": serializers.ListField(child=serializers.DictField()),
                    "products": serializers.ListField(child=serializers.DictField()),
                    "problem_types": serializers.ListField(child=serializers.DictField()),
                },
            ),
            **errors(),
        },
    )
    def get(self, request):
        """Categories, products and problem types (out-of-scope kinds carry their advice). `name`
        and `advice` are English; `names` and `advices` give each interface language."""
        return Response(
            {
                "categories": [
                    {"code": code, "name": name, "names": _names(name, korean)}
                    for code, name, korean in Category.objects.values_list(
                        "code", "name", "name_ko"
                    )
                ],
                "products": [
                    {"code": code, "name": name, "names": _names(name, korean)}
                    for code, name, korean in Product.objects.filter(is_active=True).values_list(
                        "code", "name", "name_ko"
                    )
                ],
                "problem_types": [
                    {
                        "code": kind.code,
                        "name": kind.name,
                        "names": _names(kind.name, kind.name_ko),
                        "category": kind.category_id,
                        "product": kind.product.code if kind.product else None,
                        "default_severity": kind.default_severity,
                        "out_of_scope": kind.is_out_of_scope,
                        "advice": kind.out_of_scope_advice,
                        "advices": _names(kind.out_of_scope_advice, kind.out_of_scope_advice_ko),
                    }
                    for kind in ProblemType.objects.filter(is_active=True).select_related("product")
                ],
            }
        )


class ResponseTargetsApi(ApiView):
    @extend_schema(
        operation_id="response_targets",
        parameters=[OpenApiParameter("tenant", OpenApiTypes.STR, required=True)],
        responses={
            200: inline_serializer(
                "ResponseTargets",
                {
                    "tenant": serializers.CharField(),
                    "tier": serializers.CharField(allow_null=True),
                    "business_hours": serializers.CharField(),
                    "targets": serializers.ListField(child=serializers.DictField()),
                },
            ),
            **errors(400, 403, 404),
        },
    )
    def get(self, request):
        """The committed initial responses for the tenant's current tier, per category and
        severity."""
        domain = request.query_params.get("tenant", "")
        if not domain:
            raise InvalidInput("Name the tenant's primary domain.", fields={"tenant": "required"})
        tenant = account_selectors.tenant_for_requests(request.user, domain)
        now = timezone.now()
        tier = account_selectors.tenant_support_tier(tenant, at=now)
        rows = []
        for category in ("technical", "billing", "pre_sales"):
            for severity in ("A", "B", "C"):
                if severity == "A" and category != "technical":
                    continue
                if tier is None and category != "pre_sales":
                    continue
                target = targets.compute_case_target(
                    tier=tier,
                    category=category,
                    severity=severity,
                    opened_at=now,
                    country=tenant.country,
                    time_zone=tenant.time_zone,
                )
                rows.append(
                    {
                        "category": category,
                        "severity": severity,
                        "availability": target.availability,
                        "label": target.label,
                        "minutes": target.minutes,
                    }
                )
        return Response(
            {
                "tenant": tenant.primary_domain,
                "tier": tier,
                "business_hours": targets.describe_business_hours(
                    country=tenant.country, time_zone=tenant.time_zone, at=now
                ),
                "targets": rows,
            }
        )


class MeApi(ApiView):
    @extend_schema(
        operation_id="me",
        responses={
            200: inline_serializer(
                "Me",
                {
                    "email": serializers.EmailField(),
                    "display_name": serializers.CharField(),
                    "language": serializers.CharField(),
                    "time_zone": serializers.CharField(),
                    "kind": serializers.CharField(),
                    "organisation": serializers.CharField(),
                    "tenant": serializers.CharField(allow_null=True),
                    "can_manage_requests": serializers.BooleanField(),
                    "acting_for": serializers.ListField(child=serializers.DictField()),
                    "support_staff": serializers.BooleanField(),
                    "manager": serializers.BooleanField(),
                },
            ),
            **errors(),
        },
    )
    def get(self, request):
        user = request.user
        workspace = account_selectors.workspace_for(user)
        customers = (
            account_selectors.delegated_customers(user) if workspace.kind == "partner" else []
        )
        return Response(
            {
                "email": user.email,
                "display_name": user.display_name,
                "language": user.preferred_language,
                "time_zone": user.time_zone,
                "kind": workspace.kind,
                "organisation": workspace.organisation,
                "tenant": workspace.tenant.primary_domain if workspace.tenant else None,
                "can_manage_requests": workspace.can_manage_requests,
                "acting_for": [
                    {"tenant": c.tenant.primary_domain, "roles": sorted(c.roles)} for c in customers
                ],
                "support_staff": account_policies.is_support_staff(user),
                "manager": account_policies.is_support_manager(user),
            }
        )
