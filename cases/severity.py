"""How a request's severity is decided from what the admin answered (spec section 4).

Pure: no database. The result carries the reasons, so the form can show the admin the severity
their answers give, and why, before they submit.
"""

from dataclasses import dataclass

SEVERITIES = ("A", "B", "C")
# Without answers and without a problem type, assume a real but not critical problem.
FALLBACK_SEVERITY = "B"


@dataclass(frozen=True)
class SeverityDecision:
    severity: str
    reasons: tuple[str, ...]


def severity_from_impact(service: str, users: str, workaround: bool | None) -> str | None:
    """A when a service is unusable for several users or everyone with no workaround; C when the
    service works, or one user is affected and has a workaround; B otherwise. None: no answers."""
    if not service and not users and workaround is None:
        return None
    if service == "unusable" and users in {"several", "organisation"} and workaround is False:
        return "A"
    if service == "working" or (users == "one" and workaround is True):
        return "C"
    return "B"


def decide_severity(
    *,
    category: str,
    default_severity: str | None,
    impact_service: str = "",
    impact_users: str = "",
    impact_workaround: bool | None = None,
    chosen: str | None = None,
    may_choose: bool = False,
    phone: str = "",
    available_24x7: bool = False,
) -> SeverityDecision:
    """The severity a new request gets, with the reasons in the order the rules applied.

    Elevated tenants (`may_choose`) may name the severity; everyone else gets it from the impact
    answers, else from the problem type's default. The category then caps it (pre-sales and
    billing at most B), and A without a phone number and 24x7 reachability becomes B.
    """
    reasons: list[str] = []
    if may_choose and chosen in SEVERITIES:
        severity = chosen
        reasons.append("chosen")
    else:
        from_answers = severity_from_impact(impact_service, impact_users, impact_workaround)
        if from_answers is not None:
            severity = from_answers
            reasons.append("impact")
        else:
            severity = default_severity if default_severity in SEVERITIES else FALLBACK_SEVERITY
            reasons.append("default")
    if severity == "A" and category != "technical":
        severity = "B"
        reasons.append("category_cap")
    if severity == "A" and not (phone.strip() and available_24x7):
        severity = "B"
        reasons.append("needs_phone_and_24x7")
    return SeverityDecision(severity, tuple(reasons))
