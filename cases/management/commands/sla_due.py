"""`sla_due`: the initial-response target of a request, from the matrix and calendars in the
database, as one JSON object. Bad arguments give one line on stderr and exit status 2."""

import json
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases import business_clock, targets
from cases.response_targets import CATEGORIES, SEVERITIES, TIERS, Availability
from helpdesk.errors import InvalidInput

USAGE_ERROR = 2
CLOCKS = {"24x7": Availability.TWENTY_FOUR_SEVEN, "business": Availability.BUSINESS_HOURS}


def _one_line(message: object) -> str:
    return " ".join(str(message).split())


def _bad_argument(message: object) -> CommandError:
    return CommandError(_one_line(message), returncode=USAGE_ERROR)


class Command(BaseCommand):
    help = (
        "Print the initial-response target of a request as one JSON object: availability "
        '("24x7" or "business_hours"), label, and due (ISO 8601 in --tz, or null for no '
        "commitment). An --opened time without an offset is read as wall-clock time in --tz. "
        "The response-target matrix and the business calendars come from the database. Bad "
        "arguments print one line on stderr and exit with status 2."
    )
    # The answer is all that goes to stdout and the errors all that go to stderr: no check
    # warnings in between.
    requires_system_checks = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def one_line_error(message: str) -> None:
            # argparse would print the whole usage first; the contract is a single line.
            if parser.called_from_command_line:
                sys.stderr.write(f"{parser.prog}: error: {_one_line(message)}\n")
                sys.exit(USAGE_ERROR)
            raise _bad_argument(f"Error: {message}")

        parser.error = one_line_error
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        # Values are checked in handle(), so that call_command(**options) is checked the same.
        parser.add_argument("--tier", required=True, help=f"Support tier: {', '.join(TIERS)}.")
        parser.add_argument("--severity", required=True, help="Severity: A, B or C.")
        parser.add_argument(
            "--category",
            default="technical",
            help=f"Request category: {', '.join(CATEGORIES)} (default: technical).",
        )
        parser.add_argument(
            "--country", required=True, help="The tenant's country, ISO 3166-1 alpha-2 (e.g. KR)."
        )
        parser.add_argument(
            "--tz", required=True, help="The tenant's IANA time zone (e.g. Asia/Seoul)."
        )
        parser.add_argument(
            "--opened",
            required=True,
            help=(
                "When the request was submitted, ISO 8601 (e.g. 2026-03-10T10:00:00+09:00). "
                "Without an offset it is a wall-clock time in --tz."
            ),
        )
        parser.add_argument(
            "--clock",
            metavar="{24x7,business}",
            help="Preview: count the target on this clock instead of the matrix cell's.",
        )
        parser.add_argument(
            "--minutes",
            metavar="N",
            help="Preview: a target of N minutes instead of the matrix cell's.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tier = str(options["tier"]).strip().lower()
        if tier not in TIERS:
            raise _bad_argument(f"Unknown tier {options['tier']!r}; use one of {', '.join(TIERS)}.")
        severity = str(options["severity"]).strip().upper()
        if severity not in SEVERITIES:
            raise _bad_argument(f"Unknown severity {options['severity']!r}; use A, B or C.")
        category = str(options["category"]).strip().lower().replace("-", "_")
        if category not in CATEGORIES:
            raise _bad_argument(
                f"Unknown category {options['category']!r}; use one of {', '.join(CATEGORIES)}."
            )
        time_zone = str(options["tz"]).strip()
        country = str(options["country"]).strip()
        opened_at = self._opened_at(options["opened"], time_zone)
        try:
            target = targets.compute_case_target(
                tier=tier,
                category=category,
                severity=severity,
                opened_at=opened_at,
                country=country,
                time_zone=time_zone,
                clock=self._clock(options["clock"]),
                minutes=self._minutes(options["minutes"]),
            )
        except InvalidInput as exc:
            raise _bad_argument(exc.message) from None
        due = None if target.due is None else target.due.astimezone(ZoneInfo(time_zone))
        answer = {
            "availability": target.availability,
            "label": target.label,
            "due": None if due is None else due.isoformat(),
        }
        self.stdout.write(json.dumps(answer, ensure_ascii=False))

    @staticmethod
    def _opened_at(value: Any, time_zone: str) -> datetime:
        if isinstance(value, datetime):
            opened_at = value
        else:
            try:
                opened_at = datetime.fromisoformat(str(value).strip())
            except ValueError:
                raise _bad_argument(
                    f"--opened {value!r} is not an ISO 8601 date and time."
                ) from None
        if opened_at.utcoffset() is not None:
            return opened_at
        try:
            zone = ZoneInfo(business_clock.validate_time_zone(time_zone))
        except ValueError as exc:
            raise _bad_argument(exc) from None
        # fold=0: an ambiguous wall-clock time is its first occurrence, as in the business clock.
        return opened_at.replace(tzinfo=zone)

    @staticmethod
    def _clock(value: Any) -> str | None:
        if value is None:
            return None
        clock = CLOCKS.get(str(value).strip().lower())
        if clock is None:
            raise _bad_argument(f"Unknown clock {value!r}; use 24x7 or business.")
        return clock.value

    @staticmethod
    def _minutes(value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()):
            raise _bad_argument(
                f"--minutes {value!r} is not a whole number of minutes (0 or more)."
            )
        return int(text)
