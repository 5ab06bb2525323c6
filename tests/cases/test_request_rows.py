"""A tenant's request list rows, built in Python, are the HTML the template used to render."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from accounts.models import TenantRole
from cases.models import Case
from cases.request_rows import request_rows_html
from cases.services import lifecycle, sweeps
from cases.templatetags.cases_time import long_time, short_time
from tests.markup import LANGUAGES_AND_ZONES, squeeze

# The rows of templates/cases/request_list.html before they moved to cases.request_rows.
TEMPLATE_ROWS = Template(
    """{% load i18n cases_time %}{% for case in cases %}
    <tr>
      <td><a href="{% url 'request_detail' case.number %}">{{ case.number }}</a></td>
      <td>{{ case.title }}</td>
      <td>{{ case.get_status_display }}</td>
      <td><span class="badge sev-{{ case.severity }}">{{ case.severity }}</span></td>
      <td>{% translate case.response_label %}</td>
      <td>{% if tab == "closed" %}{{ case.closed_at|date:"Y-m-d H:i T" }}{% else %}{% if case.breached_at and not case.first_responded_at %}<span class="badge breached">{% translate "Breached" %}</span> {% endif %}{% time_left case now %}{% endif %}</td>
      <td>{{ case.last_activity_at|date:"Y-m-d H:i T" }}</td>
    </tr>{% endfor %}"""
)


@pytest.mark.parametrize(("language", "zone"), LANGUAGES_AND_ZONES)
def test_python_rows_match_the_template_rows_escaping_included(
    world, open_case, later, language, zone
):
    open_case(title="Mail <script>alert(\"x\")</script> & 'quotes'")
    answered = open_case(title="Answered")
    lifecycle.case_reply(actor=world["engineer"], case=answered, body="On it.", at=later(minutes=5))
    sweeps.flag_response_breaches(now=later(days=3))
    closed = open_case(title="Done")
    lifecycle.case_close(actor=world[TenantRole.GLOBAL_ADMIN], case=closed, at=later(hours=2))
    cases = list(Case.objects.order_by("pk"))
    now = later(days=3)

    with translation.override(language), timezone.override(zone):
        built = {}
        for tab in ("open", "closed"):
            expected = TEMPLATE_ROWS.render(Context({"cases": cases, "now": now, "tab": tab}))
            built[tab] = request_rows_html(cases, now=now, tab=tab)
            assert squeeze(built[tab]) == squeeze(expected)

    # Both branches of the time column are compared: a breach badge, and a closing time.
    assert built["open"].count('class="badge breached"') == 1
    stamp = re.compile(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d ")
    assert len(stamp.findall(built["closed"])) == len(stamp.findall(built["open"])) + 1

    # The tenant's dashboard shows the open ones without the last activity.
    with translation.override(language), timezone.override(zone):
        short = request_rows_html(cases, now=now, tab="open", last_activity=False)
    assert squeeze(short) == squeeze(re.sub(r"<td>[^<]*</td></tr>", "</tr>", built["open"]))
    assert "<script>" not in built["open"]
    assert "&lt;script&gt;" in built["open"]


@pytest.mark.parametrize("shown", [short_time, long_time])
def test_list_times_refuse_a_time_without_its_zone(shown):
    """A naive datetime would be shown as if it were in the server's zone: a bug upstream, so
    the filters refuse it rather than print a wrong time."""
    seoul = ZoneInfo("Asia/Seoul")
    assert shown(datetime(2026, 6, 15, 14, 30, tzinfo=UTC), seoul).startswith(
        "2026-06-15 23:30" if shown is long_time else "06-15 23:30"
    )
    with pytest.raises(ValueError):
        shown(datetime(2026, 6, 15, 14, 30), seoul)
