"""The manager dashboard: SLA attainment, backlog, breaches and satisfaction, as a page and a CSV.

Managers only (`policies.can_view_dashboard`); anyone else signed in gets the 403 page. The
period comes from the query string through `DashboardPeriodForm`: a bad period shows the form's
errors and the default period, never an error page. The figures come from `cases.reports`.
"""

import csv
from datetime import UTC

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from helpdesk.errors import NotAllowed

from .. import charts, policies, reports
from ..forms_dashboard import DashboardPeriodForm
from ..models import Severity

OUTCOME_COLOURS = {
    reports.MET: "#1f7a3a",
    reports.BREACHED: "#b3261e",
    reports.RUNNING: "#0b5cad",
    reports.NO_COMMITMENT: "#9aa3ad",
}
SEVERITY_COLOURS = {Severity.A: "#b3261e", Severity.B: "#c77700", Severity.C: "#0b5cad"}
RATING_COLOUR = "#0b5cad"


def _figures(request):
    """Check the right, read the period, compute the figures: shared by the page and the CSV."""
    if not policies.can_view_dashboard(request.user):
        raise NotAllowed(_("Only support managers see the dashboard."))
    now = timezone.now()
    form = DashboardPeriodForm(request.GET or None, today=now.astimezone(UTC).date())
    period = form.period()
    figures = reports.recent_dashboard_figures(start=period.start, end=period.end, now=now)
    return form, period, figures


def _severity_series(rows) -> list[charts.Series]:
    return [
        charts.Series(
            name=_("Severity %(severity)s") % {"severity": severity},
            values=[row.by_severity[severity] for row in rows],
            colour=SEVERITY_COLOURS[severity],
        )
        for severity in reports.SEVERITIES
    ]


def _charts(figures: reports.DashboardFigures) -> dict:
    attainment = figures.attainment.rows
    attainment_chart = charts.horizontal_bar_chart(
        title=_("Initial-response attainment by tier and severity"),
        labels=[f"{row.tier_label} · {row.severity}" for row in attainment],
        series=[
            charts.Series(
                name=reports.outcome_label(outcome),
                values=[getattr(row, outcome) for row in attainment],
                colour=OUTCOME_COLOURS[outcome],
            )
            for outcome in reports.OUTCOMES
        ],
    )
    backlog_chart = charts.horizontal_bar_chart(
        title=_("Open cases by age and severity"),
        labels=[row.label for row in figures.backlog.rows],
        series=_severity_series(figures.backlog.rows),
    )
    breaches_chart = charts.column_chart(
        title=_("Breaches per day (UTC)"),
        labels=[date_format(day.day, "m-d") for day in figures.breaches.days],
        series=_severity_series(figures.breaches.days),
    )
    distribution = figures.satisfaction.distribution
    satisfaction_chart = charts.horizontal_bar_chart(
        title=_("Satisfaction ratings"),
        labels=[_("%(rating)d of 5") % {"rating": rating} for rating in distribution],
        series=[
            charts.Series(
                name=_("Surveys"), values=list(distribution.values()), colour=RATING_COLOUR
            )
        ],
    )
    return {
        "attainment": attainment_chart,
        "backlog": backlog_chart,
        "breaches": breaches_chart,
        "satisfaction": satisfaction_chart,
    }


@login_required
def dashboard(request):
    form, period, figures = _figures(request)
    return render(
        request,
        "cases/console/dashboard.html",
        {
            "form": form,
            "period": period,
            "figures": figures,
            "charts": _charts(figures),
            "severities": reports.SEVERITIES,
            "outcomes": [(outcome, reports.outcome_label(outcome)) for outcome in reports.OUTCOMES],
        },
    )


def _percent(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.1f}"


def _write_csv(writer, period, figures: reports.DashboardFigures) -> None:
    severities = reports.SEVERITIES
    writer.writerow([_("SLA dashboard"), period.first.isoformat(), period.last.isoformat()])
    writer.writerow([_("Dates are UTC days; both dates are included.")])

    writer.writerow([])
    writer.writerow([_("Initial-response attainment (cases opened in the period)")])
    writer.writerow(
        [_("Tier"), _("Severity")]
        + [reports.outcome_label(outcome) for outcome in reports.OUTCOMES]
        + [_("Total"), _("Met rate (percent)")]
    )
    for row in [*figures.attainment.rows, figures.attainment.total]:
        writer.writerow(
            [row.tier_label, row.severity]
            + [getattr(row, outcome) for outcome in reports.OUTCOMES]
            + [row.total, _percent(row.met_rate)]
        )

    writer.writerow([])
    writer.writerow([_("Open cases by age (now)")])
    writer.writerow([_("Age"), *severities, _("Total")])
    for row in figures.backlog.rows:
        writer.writerow([row.label, *row.by_severity.values(), row.total])
    writer.writerow([_("All ages"), *figures.backlog.by_severity.values(), figures.backlog.total])

    writer.writerow([])
    writer.writerow([_("Breaches per day (UTC)")])
    writer.writerow([_("Date"), *severities, _("Total")])
    for day in figures.breaches.days:
        writer.writerow([day.day.isoformat(), *day.by_severity.values(), day.total])
    writer.writerow([_("All days"), *figures.breaches.by_severity.values(), figures.breaches.total])

    writer.writerow([])
    writer.writerow([_("Satisfaction (surveys submitted in the period)")])
    writer.writerow([_("Rating"), _("Surveys")])
    for rating, count in figures.satisfaction.distribution.items():
        writer.writerow([rating, count])
    average = figures.satisfaction.average
    writer.writerow([_("Average"), "" if average is None else f"{average:.2f}"])
    writer.writerow([_("Surveys"), figures.satisfaction.count])


@login_required
def dashboard_csv(request):
    _form, period, figures = _figures(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"sla-dashboard-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    _write_csv(csv.writer(response), period, figures)
    return response
