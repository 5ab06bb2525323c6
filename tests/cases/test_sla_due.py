"""`manage.py sla_due`: one JSON object on stdout, or one line on stderr and exit status 2."""

import json
import os
import subprocess
import sys
from datetime import date, time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import BusinessCalendar, CalendarOverride, ResponseTargetCell

REPOSITORY = Path(settings.BASE_DIR)

KOREA = ["--country", "KR", "--tz", "Asia/Seoul"]
NEW_YORK = ["--country", "US", "--tz", "America/New_York"]
TUESDAY_IN_SEOUL = "2026-03-10T10:00:00+09:00"


def sla_due(*arguments: str) -> dict:
    out = StringIO()
    call_command("sla_due", *arguments, stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def answer(availability: str, label: str, due: str | None) -> dict:
    return {"availability": availability, "label": label, "due": due}


# (scenario, arguments, expected answer)
CASES = [
    (
        "enterprise B is due the next day",
        ["--tier", "enterprise", "--severity", "B", *KOREA, "--opened", TUESDAY_IN_SEOUL],
        answer("24x7", "Next day", "2026-03-11T10:00:00+09:00"),
    ),
    (
        "enterprise A is due in an hour even on a Saturday night",
        ["--tier", "enterprise", "--severity", "A", *KOREA, "--opened", "2026-03-14T23:30+09:00"],
        answer("24x7", "1 hour", "2026-03-15T00:30:00+09:00"),
    ),
    (
        "elevated C is due in four hours",
        ["--tier", "elevated", "--severity", "C", *KOREA, "--opened", TUESDAY_IN_SEOUL],
        answer("24x7", "4 hours", "2026-03-10T14:00:00+09:00"),
    ),
    (
        "elevated B is due in two hours",
        ["--tier", "elevated", "--severity", "B", *NEW_YORK, "--opened", "2026-03-10T10:00-04:00"],
        answer("24x7", "2 hours", "2026-03-10T12:00:00-04:00"),
    ),
    (
        "frontline C has no commitment",
        ["--tier", "frontline", "--severity", "C", *KOREA, "--opened", TUESDAY_IN_SEOUL],
        answer("24x7", "No commitment", None),
    ),
    (
        "business B has no commitment",
        ["--tier", "business", "--severity", "B", *KOREA, "--opened", TUESDAY_IN_SEOUL],
        answer("business_hours", "No commitment", None),
    ),
    (
        "pre-sales has no commitment whatever the tier",
        [
            "--tier",
            "elevated",
            "--severity",
            "B",
            "--category",
            "pre_sales",
            *KOREA,
            "--opened",
            TUESDAY_IN_SEOUL,
        ],
        answer("business_hours", "No commitment", None),
    ),
    (
        "billing has no commitment whatever the tier",
        [
            "--tier",
            "elevated",
            "--severity",
            "C",
            "--category",
            "billing",
            *KOREA,
            "--opened",
            TUESDAY_IN_SEOUL,
        ],
        answer("business_hours", "No commitment", None),
    ),
    (
        "a business-hours preview skips a Korean holiday",
        # Friday 27 February 16:00; Monday 2 March is the substitute Independence Day holiday.
        [
            "--tier",
            "business",
            "--severity",
            "B",
            *KOREA,
            "--opened",
            "2026-02-27T16:00:00+09:00",
            "--clock",
            "business",
            "--minutes",
            "120",
        ],
        answer("business_hours", "2 hours", "2026-03-03T10:00:00+09:00"),
    ),
    (
        "a business-hours preview keeps local hours across the New York DST change",
        # Friday 6 March 16:00 EST; clocks go forward on Sunday 8 March.
        [
            "--tier",
            "enterprise",
            "--severity",
            "B",
            *NEW_YORK,
            "--opened",
            "2026-03-06T16:00:00-05:00",
            "--clock",
            "business",
            "--minutes",
            "120",
        ],
        answer("business_hours", "2 hours", "2026-03-09T10:00:00-04:00"),
    ),
    (
        "a business-hours preview opened on a weekend starts counting on Monday",
        [
            "--tier",
            "elevated",
            "--severity",
            "C",
            *KOREA,
            "--opened",
            "2026-03-14T12:00:00+09:00",
            "--clock",
            "business",
            "--minutes",
            "30",
        ],
        answer("business_hours", "30 minutes", "2026-03-16T09:30:00+09:00"),
    ),
    (
        "a 24x7 preview replaces the cell's minutes",
        [
            "--tier",
            "business",
            "--severity",
            "B",
            *KOREA,
            "--opened",
            TUESDAY_IN_SEOUL,
            "--clock",
            "24x7",
            "--minutes",
            "90",
        ],
        answer("24x7", "90 minutes", "2026-03-10T11:30:00+09:00"),
    ),
    (
        "minutes alone keep the cell's clock",
        [
            "--tier",
            "elevated",
            "--severity",
            "B",
            *KOREA,
            "--opened",
            TUESDAY_IN_SEOUL,
            "--minutes",
            "30",
        ],
        answer("24x7", "30 minutes", "2026-03-10T10:30:00+09:00"),
    ),
    (
        "an instant without an offset is wall-clock time in --tz",
        ["--tier", "enterprise", "--severity", "B", *KOREA, "--opened", "2026-03-10T10:00"],
        answer("24x7", "Next day", "2026-03-11T10:00:00+09:00"),
    ),
    (
        "the due time is shown in --tz whatever the offset given",
        ["--tier", "enterprise", "--severity", "B", *KOREA, "--opened", "2026-03-10T01:00:00Z"],
        answer("24x7", "Next day", "2026-03-11T10:00:00+09:00"),
    ),
    (
        "next day on 24x7 is 24 real hours across a DST change",
        ["--tier", "frontline", "--severity", "B", *NEW_YORK, "--opened", "2026-03-07T12:00"],
        answer("24x7", "Next day", "2026-03-08T13:00:00-04:00"),
    ),
    (
        "tier, severity, category and country are read case-insensitively",
        [
            "--tier",
            "Enterprise",
            "--severity",
            "b",
            "--category",
            "Pre-Sales",
            "--country",
            "kr",
            "--tz",
            "Asia/Seoul",
            "--opened",
            TUESDAY_IN_SEOUL,
        ],
        answer("business_hours", "No commitment", None),
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_sla_due_prints_the_target_as_one_json_object(arguments, expected):
    assert sla_due(*arguments) == expected


@pytest.mark.django_db
def test_sla_due_reads_the_matrix_from_the_database():
    ResponseTargetCell.objects.filter(tier="enterprise", severity="B").update(
        minutes=480, label="8 hours"
    )
    result = sla_due(
        "--tier", "enterprise", "--severity", "B", *KOREA, "--opened", TUESDAY_IN_SEOUL
    )
    assert result == answer("24x7", "8 hours", "2026-03-10T18:00:00+09:00")


@pytest.mark.django_db
def test_sla_due_reads_calendar_overrides_from_the_database():
    CalendarOverride.objects.create(
        calendar=BusinessCalendar.objects.get(country="KR"),
        date=date(2026, 3, 2),
        opens_at=time(9),
        closes_at=time(12),
        note="Open on the substitute holiday",
    )
    result = sla_due(
        "--tier",
        "business",
        "--severity",
        "B",
        *KOREA,
        "--opened",
        "2026-02-27T16:00:00+09:00",
        "--clock",
        "business",
        "--minutes",
        "120",
    )
    assert result["due"] == "2026-03-02T10:00:00+09:00"


VALID = {
    "--tier": "enterprise",
    "--severity": "B",
    "--country": "KR",
    "--tz": "Asia/Seoul",
    "--opened": TUESDAY_IN_SEOUL,
}


def arguments_with(**changes: str | None) -> list[str]:
    """The valid arguments with some replaced (name without dashes) or, for None, left out."""
    options = dict(VALID)
    for name, value in changes.items():
        flag = "--" + name
        if value is None:
            options.pop(flag)
        else:
            options[flag] = value
    return [part for flag, value in options.items() for part in (flag, value)]


BAD_ARGUMENTS = [
    ("unknown tier", arguments_with(tier="platinum")),
    ("unknown severity", arguments_with(severity="D")),
    ("unknown category", arguments_with(category="sales")),
    ("severity A outside technical", arguments_with(severity="A", category="billing")),
    ("unknown zone", arguments_with(tz="Mars/Olympus_Mons")),
    ("zone that is not IANA", arguments_with(tz="localtime")),
    ("unknown country", arguments_with(country="ZZ")),
    ("country alias", arguments_with(country="UK", tz="Europe/London")),
    ("three-letter country", arguments_with(country="KOR")),
    ("unparseable instant", arguments_with(opened="yesterday")),
    ("impossible date", arguments_with(opened="2026-02-30T10:00:00+09:00")),
    ("naive instant in an unknown zone", arguments_with(opened="2026-03-10T10:00", tz="Nowhere")),
    ("unknown clock", arguments_with(clock="weekly")),
    ("negative minutes", arguments_with(minutes="-5")),
    ("fractional minutes", arguments_with(minutes="1.5")),
    ("minutes that are not a number", arguments_with(minutes="soon")),
    ("missing tier", arguments_with(tier=None)),
    ("missing opened", arguments_with(opened=None)),
    ("unknown option", [*arguments_with(), "--priority", "high"]),
    ("option without its value", [*arguments_with(), "--minutes"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "arguments", [case[1] for case in BAD_ARGUMENTS], ids=[case[0] for case in BAD_ARGUMENTS]
)
def test_bad_arguments_are_a_one_line_error_with_status_2(arguments):
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("sla_due", *arguments, stdout=out)
    assert raised.value.returncode == 2
    assert "\n" not in str(raised.value)
    assert out.getvalue() == ""


def run_manage_py(*arguments: str) -> subprocess.CompletedProcess:
    environment = os.environ | {"DJANGO_SETTINGS_MODULE": "helpdesk.settings.test"}
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", "sla_due", *arguments],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("arguments", "mentions"),
    [
        (arguments_with(tier="platinum"), "platinum"),
        (arguments_with(country="ZZ"), "ZZ"),
        (arguments_with(opened="not-a-time"), "not-a-time"),
        (arguments_with(tz=None), "--tz"),
    ],
    ids=["unknown tier", "unknown country", "unparseable instant", "missing zone"],
)
def test_command_line_errors_exit_2_with_one_line_on_stderr(arguments, mentions):
    result = run_manage_py(*arguments)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert mentions in lines[0]
