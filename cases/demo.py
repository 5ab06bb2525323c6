"""Demo service requests for `seed_demo`: every status, tier and severity, one breached, one in its
reopen window and one whose window has closed. Filed through the services, back-dated."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Tenant, User

from .models import Case, ProblemType
from .services import lifecycle, sweeps
from .services.lifecycle import Contact, Impact

ENGINEER = "engineer@support.example"
CRITICAL = Impact(service="unusable", users="organisation", workaround=False)
IMPAIRED = Impact(service="impaired", users="several", workaround=False)
HOW_TO = Impact(service="working", users="one", workaround=True)


@dataclass(frozen=True)
class Story:
    filer: str
    domain: str
    problem: str
    title: str
    hours_ago: float
    impact: Impact = IMPAIRED
    chosen: str | None = None
    reachable: bool = False
    steps: tuple[tuple[str, float], ...] = ()  # (action, hours ago)


STORIES = [
    Story(
        "admin@contoso.example",
        "contoso.example",
        "service-unavailable",
        "Mail delivery failing for the whole organisation",
        3,
        CRITICAL,
        reachable=True,
    ),
    Story(
        "support@contoso.example",
        "contoso.example",
        "autodiscover",
        "Autodiscover still points to the old server",
        2,
        steps=(("claim", 1.5),),
    ),
    Story(
        "admin@contoso.example",
        "contoso.example",
        "sign-in-how-to",
        "How to set a password that never expires",
        120,
        HOW_TO,
        steps=(("reply", 100), ("wait", 99)),
    ),
    Story(
        "admin@contoso.example",
        "contoso.example",
        "external-users",
        "External sharing blocked on the projects site",
        150,
        steps=(("reply", 140), ("close", 72)),
    ),
    Story(
        "admin@contoso.example",
        "contoso.example",
        "recipients",
        "A contact cannot be deleted",
        960,
        HOW_TO,
        steps=(("reply", 950), ("close", 720)),
    ),
    Story(
        "agent@adatum.example",
        "contoso.example",
        "directory-sync",
        "Directory sync errors after the server move",
        30,
        steps=(("claim", 29), ("reply", 28)),
    ),
    Story(
        "admin@contoso.example",
        "contoso.example",
        "understanding-a-bill",
        "Why did our invoice go up this month?",
        50,
        Impact(),
    ),
    Story(
        "admin@fabrikam.example",
        "fabrikam.example",
        "mailbox-migration",
        "메일함 마이그레이션이 중간에 멈춤",
        6,
    ),
    Story(
        "admin@fabrikam.example",
        "fabrikam.example",
        "licence-changes",
        "라이선스 10개 추가 요청",
        20,
        Impact(),
        steps=(("reply", 10),),
    ),
    Story(
        "admin@fabrikam.example",
        "fabrikam.example",
        "plan-features",
        "Business Premium과 E3의 차이",
        4,
        Impact(),
    ),
    Story(
        "admin@northwind.example",
        "northwind.example",
        "single-sign-on",
        "Single sign-on fails for the Leeds office",
        1,
        chosen="B",
    ),
    Story(
        "admin@northwind.example",
        "northwind.example",
        "client-apps-installation",
        "Client apps ask for activation every day",
        0.5,
        chosen="C",
    ),
    Story(
        "admin@tailspin.example",
        "tailspin.example",
        "meetings-chat-problem",
        "Nobody can join meetings",
        0.25,
        CRITICAL,
        reachable=True,
    ),
    Story(
        "admin@tailspin.example",
        "tailspin.example",
        "domain-setup",
        "Redelegating tailspin.example to our DNS host",
        8,
        steps=(("call", 6),),
    ),
]


def _contact(user: User, tenant: Tenant, *, reachable: bool) -> Contact:
    return Contact(
        name=user.display_name,
        email=user.email,
        phone=user.phone or "+1 555 0100",
        language=tenant.preferred_language,
        time_zone=tenant.time_zone,
        available_24x7=reachable,
    )


def _apply(case: Case, action: str, at: datetime, engineer: User) -> None:
    if action == "claim":
        lifecycle.case_claim(actor=engineer, case=case, at=at)
    elif action == "reply":
        lifecycle.case_reply(
            actor=engineer,
            case=case,
            body="Thanks for the details. We are looking into it now.",
            at=at,
        )
    elif action == "call":
        lifecycle.case_log_call(
            actor=engineer,
            case=case,
            summary="Called the admin and walked through the DNS records.",
            at=at,
        )
    elif action == "wait":
        lifecycle.case_set_waiting(actor=engineer, case=case, at=at)
    elif action == "close":
        lifecycle.case_close(
            actor=engineer, case=case, summary="Resolved with the customer.", at=at
        )


def seed_demo_cases(now: datetime | None = None) -> int:
    """File the demo stories not filed yet (matched by title); returns how many were filed."""
    now = now or timezone.now()
    engineer = User.objects.get(email=ENGINEER)
    filed = 0
    for story in STORIES:
        tenant = Tenant.objects.get(primary_domain=story.domain)
        if Case.objects.filter(tenant=tenant, title=story.title).exists():
            continue
        filer = User.objects.get(email=story.filer)
        problem = ProblemType.objects.select_related("category").get(code=story.problem)
        case = lifecycle.case_open(
            actor=filer,
            tenant=tenant,
            category=problem.category,
            problem_type=problem,
            title=story.title,
            description=story.title + ".",
            contact=_contact(filer, tenant, reachable=story.reachable),
            impact=story.impact,
            chosen_severity=story.chosen,
            at=now - timedelta(hours=story.hours_ago),
        )
        for action, hours_ago in story.steps:
            _apply(case, action, now - timedelta(hours=hours_ago), engineer)
        filed += 1
    sweeps.flag_response_breaches(now=now)
    sweeps.close_reopen_windows(now=now)
    return filed
