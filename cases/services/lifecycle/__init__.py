"""The life of a service request (spec sections 4 to 6), one service per action.

Every service takes the acting user as `actor`, checks `cases.policies`, writes with conditional
UPDATEs where two people could race, records a `CaseEvent` in the same transaction and queues its
notifications in the outbox, delivered after commit.
"""

from .closing import REOPEN_WINDOW, case_close, case_reopen, survey_submit
from .conversation import case_log_call, case_reply, case_set_waiting
from .filing import (
    Contact,
    Impact,
    Preview,
    case_open,
    check_classification,
    check_contact,
    request_preview,
)
from .triage import (
    case_assign,
    case_change_category,
    case_change_severity,
    case_claim,
    tenant_retarget_open_cases,
    tenants_retarget_open_cases,
)

__all__ = [
    "REOPEN_WINDOW",
    "Contact",
    "Impact",
    "Preview",
    "case_assign",
    "case_change_category",
    "case_change_severity",
    "case_claim",
    "case_close",
    "case_log_call",
    "case_open",
    "case_reopen",
    "case_reply",
    "case_set_waiting",
    "check_classification",
    "check_contact",
    "request_preview",
    "survey_submit",
    "tenant_retarget_open_cases",
    "tenants_retarget_open_cases",
]
