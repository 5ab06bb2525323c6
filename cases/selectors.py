"""Reads of service requests, each scoped to what the actor may see."""

import re
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies as account_policies
from accounts.models import Tenant, User
from helpdesk.errors import NotAllowed, NotFound

from . import policies
from .models import (
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    CaseStatus,
    HelpArticle,
    ProblemType,
    Severity,
)


def visible_cases(actor: User | None, *, at: datetime | None = None) -> QuerySet[Case]:
    """Every case the actor may see: support staff all, others their tenants' (or none)."""
    tenant_ids = account_policies.request_tenant_ids(actor, at=at or timezone.now())
    cases = Case.objects.all()
    if tenant_ids is not None:
        cases = cases.filter(tenant_id__in=tenant_ids)
    return cases


def case_get_for(actor: User | None, number: str) -> Case:
    """The case with this number if the actor may see it. NotAllowed for a member of the case's
    tenant without a request role; NotFound for anyone else, whether it exists or not, so another
    tenant's numbers cannot be probed."""
    case = (
        visible_cases(actor)
        .select_related(
            "tenant",
            "category",
            "product",
            "problem_type",
            "assigned_to",
            "opened_by",
            "acting_partner",
        )
        .filter(number=str(number)[:20])
        .first()
    )
    if case is None:
        # Someone of the case's own organisation without a request role is told so (403);
        # anyone else cannot tell the case from one that does not exist (404).
        hidden = Case.objects.filter(number=str(number)[:20]).select_related("tenant").first()
        if hidden is not None and account_policies.knows_tenant(actor, hidden.tenant):
            raise NotAllowed(
                _("You need an admin role in %(tenant)s to work with its service requests.")
                % {"tenant": hidden.tenant.name}
            )
        raise NotFound(_("No such request."))
    return case


def case_history_for(actor: User | None, case: Case) -> QuerySet[CaseEvent]:
    """The case's events in order; internal ones only for support staff. NotFound for a case the
    actor may not see."""
    if not policies.can_view_case(actor, case):
        raise NotFound(_("No such request."))
    events = case.events.select_related("actor", "acting_partner").prefetch_related("attachments")
    if not policies.can_see_internal(actor):
        events = events.filter(is_public=True)
    return events.order_by("at", "pk")


RECENTLY_CLOSED = timedelta(days=30)


def tenant_requests(
    actor: User,
    tenant: Tenant,
    *,
    tab: str = "open",
    query: str = "",
    status: str = "",
    severity: str = "",
    now: datetime | None = None,
) -> QuerySet[Case]:
    """A tenant's requests for its list page: open ones, or those closed in the last 30 days;
    searched by number or title, filtered by status and severity, latest activity first."""
    now = now or timezone.now()
    cases = visible_cases(actor, at=now).filter(tenant=tenant)
    if tab == "closed":
        cases = cases.filter(status=CaseStatus.CLOSED, closed_at__gte=now - RECENTLY_CLOSED)
    else:
        cases = cases.filter(status__in=OPEN_STATUSES)
    query = (query or "").strip()[:200]
    if query:
        cases = cases.filter(Q(number__iexact=query) | Q(title__icontains=query))
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    if severity in Severity.values:
        cases = cases.filter(severity=severity)
    return cases.select_related("assigned_to", "category").order_by("-last_activity_at", "-pk")


def help_articles_matching(text: str, *, language: str | None = None, limit: int = 5):
    """Published help articles that match a one-sentence description of the problem.

    PostgreSQL ranks by full-text search over title and body; elsewhere a simple match on any
    of the description's longer words stands in.
    """
    words = [word for word in re.findall(r"\w+", text or "") if len(word) > 2][:12]
    if not words:
        return HelpArticle.objects.none()
    articles = HelpArticle.objects.filter(is_published=True)
    if language:
        articles = articles.filter(language__in=[language, "en"])
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("title", weight="A") + SearchVector("body", weight="B")
        search = SearchQuery(" OR ".join(words), search_type="websearch")
        return (
            articles.annotate(rank=SearchRank(vector, search))
            .filter(rank__gt=0)
            .order_by("-rank", "title")[:limit]
        )
    match = Q()
    for word in words:
        match |= Q(title__icontains=word) | Q(body__icontains=word)
    return articles.filter(match).order_by("title")[:limit]


# Words of Korean names that say nothing about what is out of scope ("service", "problem",
# "organisation", "own", "feature", "add"): a description with them is no hint.
_KOREAN_GENERIC = frozenset({"서비스", "문제", "조직", "자체", "기능", "추가"})


def _korean_keywords(name: str) -> set[str]:
    """The telling Hangul words of a Korean name, without a trailing possessive (네트워크의)."""
    words = (word.removesuffix("의") for word in re.findall(r"\w+", name) if not word.isascii())
    return {word for word in words if len(word) > 1 and word not in _KOREAN_GENERIC}


def out_of_scope_matching(text: str) -> QuerySet[ProblemType]:
    """Out-of-scope kinds the description seems to be about (shown before filing).

    English: a word of over three letters of the description in the kind's name or advice.
    Korean attaches particles to words (네트워크에서), so the other way round: a telling word of
    the kind's Korean name in the description. There are a handful of such kinds."""
    text = text or ""
    words = [word for word in re.findall(r"\w+", text) if word.isascii() and len(word) > 3][:12]
    english = Q()
    for word in words:
        english |= Q(name__icontains=word) | Q(out_of_scope_advice__icontains=word)
    kinds = ProblemType.objects.filter(is_out_of_scope=True, is_active=True)
    korean = [
        pk
        for pk, name in kinds.exclude(name_ko="").values_list("pk", "name_ko")
        if any(keyword in text for keyword in _korean_keywords(name))
    ]
    if not words and not korean:
        return ProblemType.objects.none()
    return kinds.filter(english | Q(pk__in=korean))


def attachments_for(actor: User | None, case: Case) -> QuerySet[Attachment]:
    """The attachments of the events the actor may see on the case (none of internal notes for
    customers)."""
    return Attachment.objects.filter(event__in=case_history_for(actor, case)).order_by("pk")


def attachment_get_for(actor: User | None, case: Case, attachment_id: int) -> Attachment:
    attachment = attachments_for(actor, case).filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(_("No such attachment."))
    return attachment
