"""The queue's rows, built in Python, are the HTML the template used to render for them."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from cases.models import Case
from cases.queue_rows import COLUMNS, queue_rows_html
from cases.selectors_queue import QueueFilters, queue_for
from cases.services import lifecycle, sweeps
from helpdesk.phrasebook import Phrasebook
from tests.markup import LANGUAGES_AND_ZONES, squeeze

# The rows of templates/cases/console/_queue_table.html before they moved to cases.queue_rows.
TEMPLATE_ROWS = Template(
    """{% load i18n cases_time cases_labels %}{% for case in cases %}
    <tr data-testid="queue-row" data-number="{{ case.number }}">
      {% if selectable %}<td><input type="checkbox" name="numbers" value="{{ case.number }}" form="bulk-form" aria-label="{% blocktranslate with n=case.number %}Select {{ n }}{% endblocktranslate %}"></td>{% endif %}
      <td><a href="{% url 'console_case' case.number %}">{{ case.number }}</a></td>
      <td>{{ case.tenant.name }} <span class="badge">{{ case.support_tier|tier_label|default:"-" }}</span></td>
      <td><span class="badge sev-{{ case.severity }}">{{ case.severity }}</span></td>
      <td>{{ case.title }}</td>
      <td>{{ case.status|status_label }}</td>
      <td>{{ case.support_language }}</td>
      <td>{% if case.assigned_to %}{{ case.assigned_to.display_name }}{% else %}—{% endif %}</td>
      <td>{% if case.queue_breached %}<span class="badge breached">{% translate "Breached" %}</span> {% endif %}{% if case.initial_response_due_at %}{{ case.initial_response_due_at|short_time }} · {% endif %}{% time_left case now %}</td>
      <td>{{ case.last_activity_at|short_time }}</td>
      <td>{% if not case.assigned_to %}<button type="submit" form="claim-form" formaction="{% url 'console_case_action' case.number 'claim' %}" class="small" data-testid="claim">{% translate "Claim" %}</button>{% endif %}</td>
    </tr>{% endfor %}"""
)


@pytest.mark.parametrize(("language", "zone"), LANGUAGES_AND_ZONES)
def test_python_rows_match_the_template_rows_escaping_included(
    world, open_case, later, language, zone
):
    plain = open_case(title='Mail <script>alert("x")</script> & "quotes"')
    mine = open_case(title="Claimed")
    lifecycle.case_claim(actor=world["engineer"], case=mine, at=later(minutes=1))
    sweeps.flag_response_breaches(now=later(days=3))
    rows = queue_for(world["engineer"], QueueFilters(), columns=COLUMNS).rows
    by_pk = Case.objects.select_related("tenant", "assigned_to").in_bulk([row.pk for row in rows])
    cases = [by_pk[row.pk] for row in rows]
    assert [case.pk for case in cases] == [plain.pk, mine.pk]
    # Minutes, hours and days, one and more of each, left and overdue: every plural of the span.
    due = plain.initial_response_due_at
    spans = [timedelta(minutes=3), timedelta(hours=1, minutes=1), timedelta(hours=2)]
    spans += [timedelta(days=1, hours=1), timedelta(days=2, hours=2), timedelta(days=1)]
    moments = [due - span for span in spans] + [due + span for span in spans]

    with translation.override(language), timezone.override(zone):
        for now in moments:
            for selectable in (False, True):
                expected = TEMPLATE_ROWS.render(
                    Context({"cases": cases, "now": now, "selectable": selectable})
                )
                built = queue_rows_html(rows, now=now, selectable=selectable)
                assert squeeze(built) == squeeze(expected)

    assert "<script>" not in built
    assert "&lt;script&gt;" in built
    assert built.count('data-testid="claim"') == 1
    assert built.count('type="checkbox"') == 2


def test_a_phrasebook_tells_one_from_many_and_keeps_the_languages_apart():
    with translation.override("en"):
        phrases = Phrasebook()
        assert phrases.ngettext("%(n)d day", "%(n)d days", 1) == "%(n)d day"
        assert phrases.ngettext("%(n)d day", "%(n)d days", 2) == "%(n)d days"
        assert phrases.gettext("Claim") == "Claim"
    with translation.override("ko"):
        korean = Phrasebook()
        assert korean.gettext("Claim") == translation.gettext("Claim") != "Claim"
    with translation.override("en"):
        assert Phrasebook().gettext("Claim") == "Claim"
        english = Phrasebook()
    # A phrasebook answers in the language it was made in, whatever is active when it is asked.
    with translation.override("ko"):
        assert english.gettext("Breached") == "Breached"
        assert english.ngettext("%(n)d hour", "%(n)d hours", 7) == "%(n)d hours"
    with translation.override("ko"):
        assert Phrasebook().gettext("Breached") == translation.gettext("Breached") != "Breached"
