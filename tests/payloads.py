"""Request bodies several test modules send."""

# `POST /api/v1/cases/` as a tenant admin files a technical request (the `problem_type` fixture).
API_FILING = {
    "category": "technical",
    "problem_type": "test-mail-flow",
    "title": "Mail stuck in the outbox",
    "description": "Since 9:00 outgoing mail stays in the outbox.",
    "impact": {"service": "impaired", "users": "several", "workaround": False},
}
