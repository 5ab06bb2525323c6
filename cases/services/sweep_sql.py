"""A sweep batch as set-based SQL on PostgreSQL: one statement takes the due cases (locked, skipping
those another sweep holds), flags them, and writes their history events and outbox rows, all
built in the database.

The portable path in `sweeps` builds the same rows in Python (model instances, bulk_create); at a
catch-up of 10,000 due cases that Python was half of the sweep's time, and the separate locking
SELECT, UPDATE and INSERTs a good part of the rest. Both paths write the same rows, and the tests
run each of them on PostgreSQL.
"""

import json
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


# A batch's commit does not wait for its WAL to reach the disk. Its flags, targets, events and
# notices follow from due times and tiers the database already holds durably: if the server
# crashes in the fraction of a second before the WAL is flushed, the batch is lost as a whole and
# the next sweep writes it again (the one risk is a notice mailed twice). Waiting instead made a
# catch-up of 10,000 due cases at a million cases take up to 1.1 s rather than 0.7 s, most of it
# writing the full page images that follow a checkpoint.
ASYNCHRONOUS_COMMIT = "SET LOCAL synchronous_commit = off"


def _commit_without_waiting(cursor) -> None:
    """Ask for the asynchronous commit, but only when the batch's transaction is the outermost
    one: inside a caller's transaction (the back office saving a subscription retargets its
    tenant's cases) the setting would reach the caller's own writes, which nothing redoes."""
    if len(connection.atomic_blocks) == 1:
        cursor.execute(ASYNCHRONOUS_COMMIT)


def flag_batch(
    due,
    *,
    limit: int,
    assignments: str,
    assignment_params: list,
    event_kind: str,
    event_public: bool,
    at: datetime,
    notice_kind: str | None = None,
    notice_key: str = "",
) -> int:
    """Flag at most `limit` rows of the `due` queryset of cases with `assignments` (SQL for SET,
    over the alias `c`), add an event per flagged case, and a response-target notice when
    `notice_kind` is given. Returns how many were flagged. Must run inside a transaction."""
    due_sql, due_params = (
        due.select_for_update(skip_locked=True, of=("self",))
        .order_by()
        .values("pk")[:limit]
        .query.sql_with_params()
    )
    notices = ""
    notice_params: list = []
    if notice_kind is not None:
        notices = f""",
        notices AS (
            INSERT INTO {Notification._meta.db_table}
                (kind, audience, "to", cc, case_id, relationship_id, language, context,
                 dedupe_key, status, attempts, next_attempt_at, created_at, sent_at, last_error)
            SELECT %s,
                   CASE WHEN NULLIF(u.email, '') IS NULL THEN %s ELSE %s END,
                   CASE WHEN NULLIF(u.email, '') IS NULL THEN '[]'::jsonb
                        ELSE jsonb_build_array(u.email) END,
                   '[]'::jsonb, c.id, NULL, 'en',
                   jsonb_build_object(
                       'number', c.number, 'title', c.title, 'tenant', t.name,
                       'due', d.due, 'path', '/console/cases/' || c.number || '/'),
                   %s || ':' || c.id || ':' || d.due,
                   %s, 0, %s, %s, NULL, ''
            FROM flagged c
            JOIN {Tenant._meta.db_table} t ON t.id = c.tenant_id
            LEFT JOIN {User._meta.db_table} u ON u.id = c.assigned_to_id
            CROSS JOIN LATERAL (SELECT {_DUE_ISO} AS due) d
            ON CONFLICT DO NOTHING
        )"""  # noqa: S608 - table names from model metadata; values are parameters
        notice_params = [
            notice_kind,
            Notification.Audience.MANAGERS,
            Notification.Audience.ADDRESS,
            notice_key,
            Notification.Status.PENDING,
            at,
            at,
        ]
    table = Case._meta.db_table
    sql = f"""
        WITH due AS ({due_sql}),
        flagged AS (
            UPDATE {table} c SET {assignments} FROM due WHERE c.id = due.pk
            RETURNING c.id, c.number, c.title, c.tenant_id, c.assigned_to_id,
                      c.initial_response_due_at
        ),
        events AS (
            INSERT INTO {CaseEvent._meta.db_table}
                (case_id, kind, actor_id, acting_partner_id, is_public, body, old_value,
                 new_value, at)
            SELECT id, %s, NULL, NULL, %s, '', '', '', %s FROM flagged
        ){notices}
        SELECT count(*) FROM flagged
    """  # noqa: S608 - table names from model metadata, SET clauses from the sweeps; values are parameters
    params = [*due_params, *assignment_params, event_kind, event_public, at, *notice_params]
    with connection.cursor() as cursor:
        _commit_without_waiting(cursor)
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def update_with_events(
    rows: list[tuple[int, list, str]], fields: list[str], *, event_kind: str, at: datetime
) -> int:
    """Write `fields` of saved cases in one statement, each row being a case's id, its new values
    of `fields` in that order, and its former `support_tier`; give each case a private history
    event of `event_kind` from that former tier to its new one.

    The new values travel as one JSON array of rows, read by the database column by column and
    joined to the cases by id; the events are inserted from the same rows. Django's `bulk_update`
    builds a CASE expression per row and field in Python (milliseconds a row), and the driver
    quotes array parameters element by element in Python. Must run inside a transaction."""
    if not rows:
        return 0
    quote = connection.ops.quote_name
    columns = [Case._meta.get_field(name) for name in fields]
    reads = ", ".join(
        f"(r->>{index})::{field.db_type(connection)} AS {quote(field.column)}"
        for index, field in enumerate(columns, start=1)
    )
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in columns)
    sql = f"""
        WITH v AS (
            SELECT (r->>0)::bigint AS id, {reads}, r->>{len(columns) + 1} AS old_value
            FROM jsonb_array_elements(%s::jsonb) AS r
        ),
        updated AS (
            UPDATE {Case._meta.db_table} AS c SET {assignments} FROM v WHERE c.id = v.id
            RETURNING c.id, c.support_tier
        )
        INSERT INTO {CaseEvent._meta.db_table}
            (case_id, kind, actor_id, acting_partner_id, is_public, body, old_value, new_value, at)
        SELECT u.id, %s, NULL, NULL, false, '', v.old_value, u.support_tier, %s
        FROM updated u JOIN v ON v.id = u.id
        ORDER BY u.id
    """  # noqa: S608 - table and column names from model metadata; values are parameters
    payload = [[pk, *values, old] for pk, values, old in rows]
    with connection.cursor() as cursor:
        _commit_without_waiting(cursor)
        cursor.execute(sql, [json.dumps(payload, default=_json_instant), event_kind, at])
        return cursor.rowcount


def _json_instant(value):
    """Datetimes as ISO 8601 with their offset, which PostgreSQL reads back exactly."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
