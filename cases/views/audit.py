"""The tenant's audit log in the admin centre: a page of the trail and the same rows as CSV.

The tenant's own global admins only (`policies.can_view_audit`, applied by
`selectors_audit.tenant_for_audit`): another tenant's admins get the 404 page, the tenant's
other users and the partners acting for it the 403 page. Filters come from the query string
through `AuditFilterForm`; bad values show beside the fields and the unfiltered newest page.
"""

import csv
from datetime import UTC, datetime, time, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from .. import selectors_audit
from ..forms_dates import optional_date
from ..selectors_audit import AuditFilters, Cursor

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class AuditFilterForm(forms.Form):
    """Read the period (days in the viewer's time zone, both included), the kind and the page
    position from the query string. Every field may be left out."""

    start = optional_date(gettext_lazy("From"))
    end = optional_date(gettext_lazy("To (included)"))
    kind = forms.ChoiceField(label=gettext_lazy("Event"), required=False)
    after = forms.CharField(
        label=gettext_lazy("Page"), required=False, max_length=100, widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            ("", gettext_lazy("Any event")),
            *selectors_audit.kind_choices(),
        ]

    def clean_after(self):
        value = self.cleaned_data.get("after") or ""
        if not value:
            return None
        try:
            return Cursor.decode(value)
        except (ValueError, OverflowError):
            raise forms.ValidationError(_("This page link is not valid.")) from None

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("start"), cleaned.get("end")
        if first and last and last < first:
            self.add_error("end", _("The end date must be on or after the start date."))
        return cleaned

    def filters(self) -> AuditFilters:
        """The chosen filters when the form is valid, otherwise none."""
        if not (self.is_bound and self.is_valid()):
            return AuditFilters()
        zone = timezone.get_current_timezone()

        def instant(day):
            return None if day is None else datetime.combine(day, time.min, tzinfo=zone)

        last = self.cleaned_data.get("end")
        return AuditFilters(
            start=instant(self.cleaned_data.get("start")),
            end=instant(last + timedelta(days=1)) if last else None,
            kind=self.cleaned_data.get("kind") or "",
        )

    def cursor(self) -> Cursor | None:
        if not (self.is_bound and self.is_valid()):
            return None
        return self.cleaned_data.get("after")


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@login_required
@require_safe
def tenant_audit(request, domain):
    tenant = selectors_audit.tenant_for_audit(request.user, domain)
    form = AuditFilterForm(request.GET or None)
    page = selectors_audit.audit_page(
        request.user, tenant, filters=form.filters(), after=form.cursor()
    )
    base_query = _query_without(request, "after")
    return render(
        request,
        "cases/audit.html",
        {
            "tenant": tenant,
            "form": form,
            "page": page,
            "base_query": base_query,
            "is_first_page": form.cursor() is None,
            "next_after": page.next_cursor.encode() if page.next_cursor else "",
        },
    )


def safe_cell(value) -> str:
    """The value as text, with a leading quote if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def _header() -> list[str]:
    return [
        _("Time (UTC)"),
        _("Event"),
        _("Actor"),
        _("Actor email"),
        _("Acting as"),
        _("Partner"),
        _("Request or relationship"),
        _("Title or partner"),
        _("Details"),
        _("Attachments"),
    ]


def _row(entry: selectors_audit.AuditEntry) -> list[str]:
    return [
        entry.at.astimezone(UTC).isoformat(),
        entry.kind_label,
        entry.actor_name,
        entry.actor_email,
        entry.organisation,
        entry.partner,
        entry.subject,
        entry.subject_title,
        entry.details,
        "; ".join(entry.attachments),
    ]


@login_required
@require_safe
def tenant_audit_csv(request, domain):
    tenant = selectors_audit.tenant_for_audit(request.user, domain)
    form = AuditFilterForm(request.GET or None)
    entries = selectors_audit.audit_entries(request.user, tenant, filters=form.filters())
    writer = csv.writer(_Echo())
    # The rows are written while the response streams, after this view has returned: keep the
    # viewer's language for the labels.
    language = translation.get_language()

    def lines():
        with translation.override(language):
            yield writer.writerow([safe_cell(cell) for cell in _header()])
            for entry in entries:
                yield writer.writerow([safe_cell(cell) for cell in _row(entry)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    filename = f"audit-{tenant.primary_domain}-{timezone.now():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
