"""Forms of the engineer console. They parse input; the services decide."""

from django import forms
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.models import SupportLanguage, SupportTier
from helpdesk.widgets import QuickSelect

from .forms import MultipleFileField
from .models import CaseStatus, Severity
from .queue_choices import FilterChoices
from .selectors_queue import VIEWS, support_staff


def _choices(pairs, empty):
    return [("", empty), *pairs]


class QueueFilterForm(forms.Form):
    view = forms.ChoiceField(
        choices=[(view, view) for view in VIEWS], required=False, widget=forms.HiddenInput
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=_choices(Severity.choices, _("Any")),
        required=False,
        widget=QuickSelect,
    )
    tier = forms.ChoiceField(
        label=_("Tier"),
        choices=_choices(SupportTier.choices, _("Any")),
        required=False,
        widget=QuickSelect,
    )
    category = forms.ChoiceField(label=_("Category"), required=False, widget=QuickSelect)
    product = forms.ChoiceField(label=_("Product"), required=False, widget=QuickSelect)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=_choices(SupportLanguage.choices, _("Any")),
        required=False,
        widget=QuickSelect,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=_choices(CaseStatus.choices[:-1], _("Any open")),
        required=False,
        widget=QuickSelect,
    )
    tenant = forms.CharField(label=_("Tenant domain"), required=False, max_length=253)
    assigned = forms.ChoiceField(label=_("Assigned"), required=False, widget=QuickSelect)

    def __init__(self, *args, choices: FilterChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _choices(choices.category_labels(), _("Any"))
        self.fields["product"].choices = _choices(choices.product_labels(), _("Any"))
        self.fields["assigned"].choices = [
            ("", _("Anyone")),
            ("none", _("Nobody")),
            *choices.staff_names(),
        ]


class ConsoleReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    attachments = MultipleFileField(label=_("Attachments"))


class CallForm(forms.Form):
    summary = forms.CharField(
        label=_("Call summary"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20000
    )


class SeverityForm(forms.Form):
    severity = forms.ChoiceField(label=_("New severity"), choices=Severity.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=support_staff(), required=False, empty_label=_("Nobody")
    )


class CloseForm(forms.Form):
    summary = forms.CharField(
        label=_("Resolution summary"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20000
    )


class BulkAssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign selected to"), queryset=support_staff())


def bulk_assignee_select(choices: FilterChoices) -> SafeString:
    """The bulk form's engineer select, from the cached staff list: rendering the field reads
    every staff member and renders each option through a template, a third of a manager's
    queue page (which htmx reloads every 30 seconds). The form still checks the choice."""
    field = BulkAssignForm.base_fields["assignee"]
    widget = QuickSelect(choices=[("", field.empty_label), *choices.staff_names_and_emails()])
    return widget.render("assignee", None, attrs={"id": "id_assignee", "form": "bulk-form"})
