"""Forms of the admin-centre pages. They parse input; the rules live in the services."""

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import SupportLanguage
from accounts.validators import validate_time_zone

from .models import (
    CaseStatus,
    Category,
    ContactMethod,
    ImpactService,
    ImpactUsers,
    ProblemType,
    Product,
    Severity,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; limits are checked by the attachment service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def _attachments_help() -> str:
    return gettext("Up to %(count)d files, %(mb)d MB each: logs, screenshots, documents.") % {
        "count": settings.ATTACHMENT_MAX_COUNT,
        "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
    }


def _attachments_field():
    # Lazy, so the help text is in the language of each request, not of the first import.
    return MultipleFileField(label=_("Attachments"), help_text=lazy(_attachments_help, str)())


class RequestFilterForm(forms.Form):
    tab = forms.ChoiceField(
        choices=[("open", _("Open")), ("closed", _("Recently closed"))], required=False
    )
    q = forms.CharField(label=_("Number or title"), max_length=200, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *CaseStatus.choices], required=False
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", _("Any severity")), *Severity.choices], required=False
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    attachments = _attachments_field()


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the support you received?"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )


class DescribeForm(forms.Form):
    summary = forms.CharField(
        label=_("Describe the problem in a sentence"),
        max_length=200,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class ClassifyForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), empty_label=_("Choose a category")
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True), required=False
    )
    problem_type = forms.ModelChoiceField(
        label=_("Problem type"),
        queryset=ProblemType.objects.filter(is_active=True).select_related("category"),
        required=False,
    )


class DetailsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text=_(
            "What happens, since when, who is affected, what you tried, any error messages."
        ),
    )
    attachments = _attachments_field()


class ImpactForm(forms.Form):
    service = forms.ChoiceField(
        label=_("How is the service affected?"),
        choices=ImpactService.choices,
        widget=forms.RadioSelect,
    )
    users = forms.ChoiceField(
        label=_("How many users are affected?"),
        choices=ImpactUsers.choices,
        widget=forms.RadioSelect,
    )
    workaround = forms.TypedChoiceField(
        label=_("Is there a workaround?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    severity = forms.ChoiceField(
        label=_("Severity (elevated support customers choose it)"),
        choices=[("", _("Decide from my answers")), *Severity.choices],
        required=False,
    )

    def __init__(self, *args, may_choose_severity: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_choose_severity:
            del self.fields["severity"]


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Contact name"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    alternate_email = forms.EmailField(
        label=_("Alternate email (copied on updates)"), required=False
    )
    method = forms.ChoiceField(
        label=_("Preferred contact method"), choices=ContactMethod.choices, widget=forms.RadioSelect
    )
    language = forms.ChoiceField(label=_("Support language"), choices=SupportLanguage.choices)
    time_zone = forms.CharField(
        label=_("Time zone"), max_length=64, validators=[validate_time_zone]
    )
    translator_wanted = forms.BooleanField(
        label=_("I would like a translator on calls"), required=False
    )
    available_24x7 = forms.BooleanField(
        label=_("I can be reached by phone 24x7 while the problem is critical"),
        required=False,
        help_text=_("Severity A needs a phone number and this commitment."),
    )
