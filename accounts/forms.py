from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import TenantRole, User
from accounts.models.partners import MAX_RELATIONSHIP_DAYS, MIN_RELATIONSHIP_DAYS
from helpdesk.errors import DomainError


class SignInForm(AuthenticationForm):
    """Sign in with email and password; one generic message for every failure."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _("That email and password do not match an active account."),
        "inactive": _("That email and password do not match an active account."),
    }


# --- Partner relationships: the admin agent's request and assignment forms. ---

# Half the longest term, and the length of one automatic extension: long enough not to lapse
# mid-project, short enough that the customer reviews the grant twice a year.
DEFAULT_RELATIONSHIP_DAYS = 180


def add_domain_error(form: forms.Form, error: DomainError, by_code: dict | None = None) -> None:
    """Show a service's error on the form: beside the first field it names (`error.fields`, or
    the field `by_code` gives for its code) that the form has, else above the form."""
    names = [*error.fields, (by_code or {}).get(error.code)]
    field = next((name for name in names if name in form.fields), None)
    form.add_error(field, error.message)


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes that the error summary can link to: the group's id is its first box's."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


class RelationshipRequestForm(forms.Form):
    """An admin agent asks a customer for a delegated-admin relationship.

    Only the shape of the input is checked here; the rules (roles, duration, auto-extend) are the
    `relationship_request` service's, and its errors are shown with `add_domain_error`.
    """

    customer_domain = forms.CharField(
        label=_("Customer's primary domain"),
        max_length=253,
        help_text=_("For example contoso.example."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(
        label=_("Relationship name"),
        max_length=100,
        help_text=_("The customer sees this name when approving."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=TenantRole.choices,
        widget=CheckboxList,
        help_text=_("Ask only for the roles you need."),
    )
    duration_days = forms.IntegerField(
        label=_("Duration in days"),
        min_value=MIN_RELATIONSHIP_DAYS,
        max_value=MAX_RELATIONSHIP_DAYS,
        initial=DEFAULT_RELATIONSHIP_DAYS,
    )
    auto_extend = forms.BooleanField(
        label=_("Extend automatically by 180 days at the end"),
        required=False,
        help_text=_("Not available when the roles include global admin."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Interpolated per request, in the viewer's language.
        self.fields["duration_days"].help_text = gettext(
            "From %(min)d to %(max)d days, counted from the customer's approval."
        ) % {"min": MIN_RELATIONSHIP_DAYS, "max": MAX_RELATIONSHIP_DAYS}

    def clean_customer_domain(self) -> str:
        return self.cleaned_data["customer_domain"].strip().lower()


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.email})"


class RelationshipAssignmentForm(forms.Form):
    """An admin agent lets one of the partner's users act under a relationship with some of its
    roles. The choices are the partner's users and the relationship's roles."""

    user = MemberChoiceField(label=_("Partner user"), queryset=User.objects.none())
    roles = forms.MultipleChoiceField(label=_("Roles for this user"), widget=CheckboxList)

    def __init__(self, *args, members, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = members
        labels = dict(TenantRole.choices)
        self.fields["roles"].choices = [(role, labels.get(role, role)) for role in roles]


# --- Personal API tokens (profile page). ---


class ApiTokenForm(forms.Form):
    """Name a new personal API token; the limits are `accounts.tokens.api_token_create`'s."""

    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What will use it, for example “Ticket sync script”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


# --- Two-step sign-in. ---


class SecondFactorCodeForm(forms.Form):
    """A code from the authenticator app, or a recovery code; `accounts.mfa` judges it."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        ),
    )
