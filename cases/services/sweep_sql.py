"""The writes of a sweep batch as set-based SQL on PostgreSQL: the history events and outbox rows
of a few thousand cases are built in the database from their ids, in one statement each.

The portable path in `sweeps` builds the same rows in Python (model instances, bulk_create); at a
catch-up of 10,000 due cases that Python was half of the sweep's time. Both paths write the same
rows, and the tests run each of them on PostgreSQL.
"""

from datetime import datetime

from django.db import connection

from accounts.models import Tenant, User

from ..models import Case, CaseEvent, Notification

# ISO 8601 in UTC exactly as Python's datetime.isoformat() writes it (microseconds only when not
# zero), so dedupe keys and message contexts match the portable path's.
_DUE_ISO = """
    to_char(c.initial_response_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN date_part('microseconds', c.initial_response_due_at)::bigint %% 1000000 = 0
            THEN '' ELSE to_char(c.initial_response_due_at AT TIME ZONE 'UTC', '.US') END
    || '+00:00'
"""


def insert_events(case_ids: list[int], *, kind: str, public: bool, at: datetime) -> None:
    """One event of `kind` for each case, by nobody (the system)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {CaseEvent._meta.db_table}
                (case_id, kind, actor_id, acting_partner_id, is_public, body, old_value,
                 new_value, at)
            SELECT id, %(kind)s, NULL, NULL, %(public)s, '', '', '', %(at)s
            FROM unnest(%(ids)s::bigint[]) AS id
            """,  # noqa: S608 - table names from model metadata; values are parameters
            {"ids": case_ids, "kind": kind, "public": public, "at": at},
        )


def insert_target_notices(case_ids: list[int], *, kind: str, key: str, at: datetime) -> None:
    """A response-target notice per case for its engineer, or for every manager when nobody is
    assigned; a case already notified for this due time (same dedupe key) is skipped."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Notification._meta.db_table}
                (kind, audience, "to", cc, case_id, relationship_id, language, context,
                 dedupe_key, status, attempts, next_attempt_at, created_at, sent_at, last_error)
            SELECT %(kind)s,
                   CASE WHEN NULLIF(u.email, '') IS NULL THEN %(managers)s ELSE %(address)s END,
                   CASE WHEN NULLIF(u.email, '') IS NULL THEN '[]'::jsonb
                        ELSE jsonb_build_array(u.email) END,
                   '[]'::jsonb, c.id, NULL, 'en',
                   jsonb_build_object(
                       'number', c.number, 'title', c.title, 'tenant', t.name,
                       'due', d.due, 'path', '/console/cases/' || c.number || '/'),
                   %(key)s || ':' || c.id || ':' || d.due,
                   %(pending)s, 0, %(at)s, %(at)s, NULL, ''
            FROM {Case._meta.db_table} c
            JOIN {Tenant._meta.db_table} t ON t.id = c.tenant_id
            LEFT JOIN {User._meta.db_table} u ON u.id = c.assigned_to_id
            CROSS JOIN LATERAL (SELECT {_DUE_ISO} AS due) d
            WHERE c.id = ANY(%(ids)s::bigint[])
            ON CONFLICT DO NOTHING
            """,  # noqa: S608 - table names from model metadata; values are parameters
            {
                "ids": case_ids,
                "kind": kind,
                "key": key,
                "at": at,
                "managers": Notification.Audience.MANAGERS,
                "address": Notification.Audience.ADDRESS,
                "pending": Notification.Status.PENDING,
            },
        )
