"""Shapes of the API: what goes out, and parsing of what comes in. No rules here: the services
decide, the serializers only check types and lengths."""

from rest_framework import serializers

from accounts.models import SupportLanguage
from cases.models import Case, CaseEvent, ContactMethod, ImpactService, ImpactUsers, Severity


class ResponseTargetSerializer(serializers.Serializer):
    availability = serializers.CharField()
    label = serializers.CharField()


class CaseSerializer(serializers.ModelSerializer):
    tenant = serializers.CharField(source="tenant.primary_domain")
    category = serializers.CharField(source="category_id")
    product = serializers.SlugRelatedField(slug_field="code", read_only=True)
    problem_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    response_target = serializers.SerializerMethodField()
    breached = serializers.SerializerMethodField()
    acting_partner = serializers.CharField(
        source="acting_partner.name", allow_null=True, default=None
    )
    assigned_to = serializers.EmailField(source="assigned_to.email", allow_null=True, default=None)

    class Meta:
        model = Case
        fields = [
            "number",
            "tenant",
            "category",
            "product",
            "problem_type",
            "title",
            "description",
            "severity",
            "status",
            "response_target",
            "initial_response_due_at",
            "first_responded_at",
            "breached",
            "opened_at",
            "closed_at",
            "reopen_until",
            "acting_partner",
            "assigned_to",
            "support_language",
            "last_activity_at",
        ]

    def get_response_target(self, case) -> dict:
        return {"availability": case.response_availability, "label": case.response_label}

    def get_breached(self, case) -> bool:
        return case.breached_at is not None


class ImpactSerializer(serializers.Serializer):
    service = serializers.ChoiceField(
        choices=ImpactService.choices, required=False, default="", allow_blank=True
    )
    users = serializers.ChoiceField(
        choices=ImpactUsers.choices, required=False, default="", allow_blank=True
    )
    workaround = serializers.BooleanField(required=False, allow_null=True, default=None)


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    phone = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    alternate_email = serializers.EmailField(required=False, allow_blank=True)
    method = serializers.ChoiceField(choices=ContactMethod.choices, required=False, default="email")
    language = serializers.ChoiceField(
        choices=SupportLanguage.choices, required=False, default="en"
    )
    time_zone = serializers.CharField(max_length=64, required=False, default="UTC")
    translator_wanted = serializers.BooleanField(required=False, default=False)
    available_24x7 = serializers.BooleanField(required=False, default=False)


class CaseCreateSerializer(serializers.Serializer):
    tenant = serializers.CharField(
        max_length=253, required=False, help_text="Primary domain; partners must name it."
    )
    category = serializers.CharField(max_length=32)
    product = serializers.CharField(max_length=64, required=False, allow_null=True, default=None)
    problem_type = serializers.CharField(
        max_length=64, required=False, allow_null=True, default=None
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000)
    impact = ImpactSerializer(required=False)
    severity = serializers.ChoiceField(
        choices=Severity.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="Honoured for elevated-support tenants only.",
    )
    contact = ContactSerializer(required=False, help_text="Defaults to the caller's profile.")
    related_case = serializers.CharField(
        max_length=20, required=False, allow_null=True, default=None
    )


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    content_type = serializers.CharField()


class MessageSerializer(serializers.ModelSerializer):
    internal = serializers.SerializerMethodField()
    author = serializers.CharField(source="actor.display_name", allow_null=True, default=None)
    acting_partner = serializers.CharField(
        source="acting_partner.name", allow_null=True, default=None
    )
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "body", "internal", "author", "acting_partner", "at", "attachments"]

    def get_internal(self, event) -> bool:
        return not event.is_public


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000)
    internal = serializers.BooleanField(required=False, default=False)


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(max_length=255)
    body = serializers.CharField(max_length=20000, required=False, default="", allow_blank=True)


class SurveySerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=4000, required=False, default="", allow_blank=True)


class CloseSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=20000, required=False, default="", allow_blank=True)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.CharField(
        max_length=254, allow_null=True, help_text='An engineer\'s email, "me" to claim, or null.'
    )


class SeveritySerializer(serializers.Serializer):
    severity = serializers.ChoiceField(choices=Severity.choices)
    reason = serializers.CharField(max_length=500)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[("waiting_on_customer", "Waiting on customer")])


class CallSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=20000)


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.CharField())
