"""Every URL pattern and API endpoint against every persona: the status the policy gives, and no
byte of a victim tenant's requests in any answer a persona may not see.

The victim is Contoso (tests/personas.py): it files a request with a distinct title, contact
and attachment, the support team adds an internal note, and a partner asks it for a
relationship. Fabrikam files a request too, which no one but its own people and support staff
may find anywhere (lists and home pages included). Each persona then asks for every pattern of
`django.urls.get_resolver()` with the victim's objects in the URL. `EXPECTED` says what each persona must get; a pattern without
an entry fails the test, so a new page or endpoint cannot ship without deciding who may see it.

Every request runs in a savepoint that is rolled back, so an allowed action (approving,
closing, claiming) does not change what the next persona finds.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from html import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import services as account_services
from accounts.models import TenantRole
from accounts.tokens import api_token_create
from cases.services import intake, lifecycle
from cases.services.lifecycle import Contact
from tests.factories import UserFactory
from tests.personas import ALL_PERSONAS, TENANT_ROLE_PERSONAS

# Patterns left out, each with the reason. Everything else must have an entry in EXPECTED.
SKIPPED_PREFIXES = {
    "back-office/": "Django admin: staff-only by Django's own is_staff check, tested in "
    "tests/test_admin.py; it has no tenant scoping to prove here",
    "i18n/": "Django's language switcher: sets a cookie, reads no data",
}

VICTIM_TITLE = "Quokka ledger sync fails nightly"
VICTIM_CONTACT = Contact(
    name="Valentina Victimova",
    email="valentina.victimova@contoso.example",
    phone="+1 212 555 0199",
    time_zone="America/New_York",
)
VICTIM_NOTE = "Internal: customer's tenant key rotated by mistake, zebra-pomegranate"
VICTIM_FILE = "quokka-trace.log"
# A request of the other tenant (Fabrikam): only its own people and support staff see it.
BYSTANDER_TITLE = "Wombat payroll export truncated"
SEES_BYSTANDER = {"outsider", "partner_other_tenant", "engineer", "manager"}

PERSONAS = [*ALL_PERSONAS, "partner_admin_agent", "backoffice"]

# --- Who is who, for the table. ---------------------------------------------------------------
ADMIN = "admin"  # Contoso's own global admin
REQUEST_ADMIN = "request_admin"  # Contoso's other roles that manage requests
INSIDER = "insider"  # knows Contoso without a request role: 403, never data
PARTNER = "partner"  # acts for Contoso under a live relationship
AGENT = "agent"  # Adatum's admin agent: partner pages, no customer access
# Everyone else: another tenant's admin, partner users whose access to Contoso ended, never
# began or is for another customer, back-office staff. 404, never data.
OUTSIDER = "outsider"
STAFF = "staff"  # support engineers
MANAGER = "manager"  # support managers: engineers plus the dashboard and bulk assignment
ANONYMOUS = "anonymous"

GROUP_OF = {
    TenantRole.GLOBAL_ADMIN: ADMIN,
    **{
        role: REQUEST_ADMIN
        for role in TENANT_ROLE_PERSONAS
        if role not in {TenantRole.GLOBAL_ADMIN, TenantRole.GLOBAL_READER}
    },
    TenantRole.GLOBAL_READER: INSIDER,
    "plain_user": INSIDER,
    "partner_without_support_role": INSIDER,
    "partner_active": PARTNER,
    "partner_admin_agent": AGENT,
    "engineer": STAFF,
    "manager": MANAGER,
    "anonymous": ANONYMOUS,
}


def group(persona: str) -> str:
    return GROUP_OF.get(persona, OUTSIDER)


# Who may see the victim's request data at all (anywhere it is shown).
MAY_SEE_CASE = {ADMIN, REQUEST_ADMIN, PARTNER, STAFF, MANAGER}
MAY_SEE_NOTE = {STAFF, MANAGER}


@dataclass(frozen=True)
class Row:
    """How one pattern answers: the method used, the status per group (with per-persona
    exceptions), and the groups that must find the victim's case number in a 200 answer."""

    method: str
    status: dict[str, int]
    persona_status: dict[str, int] = field(default_factory=dict)
    shows_case_to: frozenset[str] = frozenset()

    def expected(self, persona: str) -> int:
        if persona in self.persona_status:
            return self.persona_status[persona]
        return self.status[group(persona)]


def everyone(status: int, **groups: int) -> dict[str, int]:
    table = {
        g: status for g in (ADMIN, REQUEST_ADMIN, INSIDER, PARTNER, AGENT, OUTSIDER, STAFF, MANAGER)
    }
    table.update(groups)
    table.setdefault(ANONYMOUS, 302)
    return table


ADATUM = {
    "partner_active",
    "partner_pending",
    "partner_ended_unswept",
    "partner_expired",
    "partner_terminated",
    "partner_other_tenant",
    "partner_without_support_role",
    "partner_admin_agent",
}
CUSTOMER_SIDE = frozenset({ADMIN, REQUEST_ADMIN, PARTNER})
SEES_CASES = frozenset(MAY_SEE_CASE)
SUPPORT = frozenset({STAFF, MANAGER})


def case_scoped(allowed: int, *, staff: int | None = None, anonymous: int = 302) -> dict:
    """A page or endpoint of one victim request: customers and staff get `allowed`, people of
    the tenant without a request role 403, everyone else 404."""
    staff = allowed if staff is None else staff
    return everyone(
        404,
        admin=allowed,
        request_admin=allowed,
        partner=allowed,
        staff=staff,
        manager=staff,
        insider=403,
        anonymous=anonymous,
    )


def console(allowed: int, *, manager: int | None = None, anonymous: int = 302) -> dict:
    """The engineer console: support staff only; the console itself is refused (403) to
    everyone else, before any case is looked up."""
    manager = allowed if manager is None else manager
    return everyone(403, staff=allowed, manager=manager, anonymous=anonymous)


def api(table: dict) -> dict:
    return {**table, ANONYMOUS: 401}


ADATUM_PEOPLE = dict.fromkeys(ADATUM, 200)
SECOND_FACTOR_PEOPLE = {*ADATUM, "engineer", "manager"}

EXPECTED: dict[str, Row] = {
    # Public descriptions of the API: no data behind them.
    "api_schema": Row("get", everyone(200, anonymous=200)),
    "api_docs": Row("get", everyone(200, anonymous=200)),
    # Requests through the API. Lists are scoped, so everyone signed in gets 200.
    "api_cases": Row("get", api(everyone(200)), shows_case_to=SEES_CASES),
    "api_case": Row("get", api(case_scoped(200)), shows_case_to=SEES_CASES),
    "api_case_messages": Row("get", api(case_scoped(200))),
    "api_case_close": Row(
        "post", api(case_scoped(200, staff=400)), shows_case_to=CUSTOMER_SIDE
    ),  # staff must give a resolution summary
    "api_case_reopen": Row("post", api(case_scoped(409))),  # it is open
    "api_case_survey": Row("post", api(case_scoped(400))),  # no rating
    "api_case_attachments": Row("get", api(case_scoped(200))),
    "api_case_attachment": Row("get", api(case_scoped(200))),
    # Engineer actions: customers who may see the case are refused (403).
    "api_case_assign": Row("post", api(case_scoped(403, staff=400))),
    "api_case_severity": Row("post", api(case_scoped(403, staff=400))),
    "api_case_status": Row("post", api(case_scoped(403, staff=400))),
    "api_case_calls": Row("post", api(case_scoped(403, staff=400))),
    "api_queue": Row("get", api(console(200)), shows_case_to=SUPPORT),
    "api_taxonomy": Row("get", api(everyone(200))),
    "api_response_targets": Row("get", api(case_scoped(200))),
    "api_me": Row("get", api(everyone(200))),
    # Partner relationships through the API: the victim's pending one, from Adatum.
    "api_relationships": Row("get", api(everyone(200))),
    "api_relationship": Row("get", api(everyone(404, admin=200)), persona_status=ADATUM_PEOPLE),
    "api_relationship_approve": Row(
        "post", api(everyone(404, admin=200)), persona_status=dict.fromkeys(ADATUM, 403)
    ),
    "api_relationship_reject": Row(
        "post", api(everyone(404, admin=200)), persona_status=dict.fromkeys(ADATUM, 403)
    ),
    "api_relationship_terminate": Row(
        "post",
        api(everyone(404, admin=200)),
        persona_status={**dict.fromkeys(ADATUM, 403), "partner_admin_agent": 200},
    ),
    # The body is checked before the right (the lead is told): 400 for both sides.
    # The right is checked before the body: only Adatum's admin agent reaches its validation.
    "api_relationship_assign": Row(
        "post",
        api(everyone(404, admin=403)),
        persona_status={**dict.fromkeys(ADATUM, 403), "partner_admin_agent": 400},
    ),
    # Signing in and out, home, profile.
    "home": Row("get", everyone(200), shows_case_to=frozenset({ADMIN, REQUEST_ADMIN})),
    "login": Row("get", everyone(302, anonymous=200)),
    "logout": Row("post", everyone(302, anonymous=302)),
    "profile": Row("get", everyone(200)),
    "profile_token_revoke": Row("post", everyone(404, admin=302)),  # the victim admin's token
    # Two-step sign-in: each user's own account, no case data. Staff and partner users must
    # use it (they may make recovery codes and may not turn it off); others may not yet have
    # an authenticator, so they have no codes to renew and may turn it off.
    "mfa_verify": Row("get", everyone(302)),  # nothing to verify: on to the next page
    "mfa_enrol": Row("get", everyone(200)),
    "mfa_recovery_codes": Row(
        "post", everyone(403), persona_status=dict.fromkeys(SECOND_FACTOR_PEOPLE, 200)
    ),
    "mfa_turn_off": Row(
        "post", everyone(302), persona_status=dict.fromkeys(SECOND_FACTOR_PEOPLE, 403)
    ),
    # The customer's partner relationships: its own global admins only.
    "tenant_relationships": Row(
        "get", everyone(404, admin=200, request_admin=403, insider=403, partner=403)
    ),
    "tenant_relationship_action": Row(
        "post", everyone(404, admin=302, request_admin=403, insider=403, partner=403)
    ),
    # The partner centre: Adatum's people; relationships for its admin agent.
    "partner_centre": Row("get", everyone(403), persona_status=ADATUM_PEOPLE),
    "partner_relationships": Row("get", everyone(403, agent=200)),
    "partner_relationship_new": Row("get", everyone(403, agent=200)),
    "partner_relationship_detail": Row("get", everyone(403, agent=200)),
    # The engineer console.
    "console_queue": Row("get", console(200), shows_case_to=SUPPORT),
    "console_bulk_assign": Row("post", console(403, manager=302)),
    "console_case": Row("get", console(200), shows_case_to=SUPPORT),
    "console_case_action": Row("post", console(302)),  # claim
    "intake_start": Row("get", console(200)),
    # The victim admin's phone check was started by the engineer; it is theirs alone.
    "intake_verify": Row("get", console(200, manager=404)),
    "intake_file": Row("get", console(302, manager=404)),  # not verified yet: back to verify
    "console_dashboard": Row("get", everyone(403, manager=200)),
    "console_dashboard_csv": Row("get", everyone(403, manager=200)),
    # The customer's admin centre.
    "tenant_dashboard": Row("get", case_scoped(200), shows_case_to=SEES_CASES),
    "request_list": Row("get", case_scoped(200), shows_case_to=SEES_CASES),
    # On to the first step; support staff file only through phone intake.
    "request_new": Row("get", case_scoped(302, staff=403)),
    "request_new_step": Row("get", case_scoped(200, staff=403)),
    "contact_support": Row(
        "get", everyone(404, admin=200, request_admin=200, insider=200, partner=200)
    ),
    "tenant_audit": Row(
        "get",
        everyone(404, admin=200, request_admin=403, insider=403, partner=403),
        shows_case_to=frozenset({ADMIN}),
    ),
    "tenant_audit_csv": Row(
        "get",
        everyone(404, admin=200, request_admin=403, insider=403, partner=403),
        shows_case_to=frozenset({ADMIN}),
    ),
    "request_detail": Row("get", case_scoped(200), shows_case_to=SEES_CASES),
    "request_reply": Row("post", case_scoped(400), shows_case_to=SEES_CASES),  # empty reply
    "request_close": Row("post", case_scoped(302)),
    "request_reopen": Row("post", case_scoped(302)),  # refused with a message: it is open
    "request_survey": Row("post", case_scoped(400), shows_case_to=SEES_CASES),
    "attachment_download": Row("get", case_scoped(200)),
}
# Pages and endpoints that show the victim's internal note to support staff (and no one else).
SHOWS_NOTE_TO_STAFF = {"console_case", "api_case_messages", "request_detail"}
# Query strings some patterns need to reach their subject.
QUERIES = {"api_response_targets": "?tenant={domain}"}


# --- The victim and the URL parameters. ------------------------------------------------------
@dataclass
class Victim:
    domain: str
    number: str
    attachment_id: int
    relationship_id: int
    verification_id: int
    token_id: int


@pytest.fixture
def victim(world, open_case, later) -> Victim:
    admin = world[TenantRole.GLOBAL_ADMIN]
    case = open_case(title=VICTIM_TITLE, contact=VICTIM_CONTACT, at=later(hours=-2))
    reply = lifecycle.case_reply(
        actor=admin,
        case=case,
        body="Trace attached.",
        attachments=[SimpleUploadedFile(VICTIM_FILE, b"trace")],
        at=later(hours=-1),
    )
    lifecycle.case_reply(
        actor=world["engineer"], case=case, body=VICTIM_NOTE, internal=True, at=later(hours=-1)
    )
    verification = intake.intake_start(
        actor=world["engineer"], tenant=world.contoso, admin=admin, at=later(minutes=-5)
    )
    token, _plain = api_token_create(actor=admin, name="Victim laptop")
    open_case(
        actor=world["outsider"], tenant=world.fabrikam, title=BYSTANDER_TITLE, at=later(hours=-3)
    )
    world.users["backoffice"] = UserFactory(email="backoffice@support.example", is_staff=True)
    return Victim(
        domain=world.contoso.primary_domain,
        number=case.number,
        attachment_id=reply.attachments.get().pk,
        relationship_id=world.relationships["partner_pending"].pk,
        verification_id=verification.pk,
        token_id=token.pk,
    )


# Fixed values for the path parameters that are not objects.
ACTION_VALUES = {
    "tenant_relationship_action": "approve",
    "console_case_action": "claim",
}
STEPS = {"request_new_step": "describe"}


def url_kwargs(name: str, route: str, victim: Victim) -> dict:
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    values = {}
    for param in names:
        if param == "domain":
            values[param] = victim.domain
        elif param == "number":
            values[param] = victim.number
        elif param == "attachment_id":
            values[param] = victim.attachment_id
        elif param == "pk" and name.startswith("intake_"):
            values[param] = victim.verification_id
        elif param == "pk" and name.startswith("profile_token"):
            values[param] = victim.token_id
        elif param == "pk":
            values[param] = victim.relationship_id
        elif param == "action":
            values[param] = ACTION_VALUES[name]
        elif param == "step":
            values[param] = STEPS[name]
        else:
            raise AssertionError(f"{name}: no victim value for <{param}>; add one in url_kwargs")
    return values


def url_patterns() -> list[tuple[str, str]]:
    """(route, name) of every pattern the project serves, minus the skipped prefixes."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name

    return [
        (route, name)
        for route, name in walk(get_resolver().url_patterns)
        if not route.startswith(tuple(SKIPPED_PREFIXES))
    ]


def secrets_in(text: str, victim: Victim) -> list[str]:
    """Which of the victim's details occur in `text` (raw, HTML-escaped or JSON-escaped)."""
    found = []
    details = {
        "case number": victim.number,
        "case title": VICTIM_TITLE,
        "contact name": VICTIM_CONTACT.name,
        "contact email": VICTIM_CONTACT.email,
        "contact phone": VICTIM_CONTACT.phone,
        "attachment name": VICTIM_FILE,
        "internal note": VICTIM_NOTE,
    }
    for label, value in details.items():
        forms = {value, escape(value), escape(value, quote=False), json.dumps(value)[1:-1]}
        if any(form in text for form in forms):
            found.append(label)
    return found


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def ask(client: Client, method: str, url: str):
    """One request inside a savepoint that is rolled back, so nothing it writes stays."""
    with transaction.atomic():
        response = client.post(url, {}) if method == "post" else client.get(url)
        body = body_of(response)
        transaction.set_rollback(True)
    return response, body


def sign_in(client: Client, world, persona: str) -> None:
    """Sign the persona in afresh (an earlier request may have signed it out)."""
    if persona == "anonymous":
        client.logout()
    else:
        client.force_login(world[persona])


def check(
    client: Client,
    world,
    victim: Victim,
    persona: str,
    route: str,
    name: str,
    row: Row,
    **overrides,
) -> list[str]:
    """The problems with one (pattern, persona) pair, as readable lines. `overrides` replace
    some of the URL's parameters."""
    url = reverse(name, kwargs={**url_kwargs(name, route, victim), **overrides})
    url += QUERIES.get(name, "").format(domain=victim.domain)
    sign_in(client, world, persona)
    response, body = ask(client, row.method, url)
    problems = []
    expected = row.expected(persona)
    if response.status_code != expected:
        problems.append(f"{name} {row.method.upper()} {url}: {response.status_code} != {expected}")
    # The URL the visitor typed is echoed back (the language switcher's "next"): not a leak.
    visible = body.replace(url, "").replace(escape(url), "")
    leaked = secrets_in(visible, victim)
    if group(persona) not in MAY_SEE_CASE and leaked:
        problems.append(f"{name} {url}: leaks {', '.join(leaked)}")
    if group(persona) not in MAY_SEE_NOTE and "internal note" in leaked:
        problems.append(f"{name} {url}: shows the internal note")
    if persona not in SEES_BYSTANDER and BYSTANDER_TITLE in visible:
        problems.append(f"{name} {url}: shows Fabrikam's request")
    if persona == "outsider" and name in {"home", "api_cases"} and BYSTANDER_TITLE not in visible:
        problems.append(f"{name} {url}: Fabrikam's admin does not see Fabrikam's request")
    shown = response.status_code == 200
    if shown and group(persona) in row.shows_case_to and victim.number not in visible:
        problems.append(f"{name} {url}: the case number is missing for {persona}")
    staff_page = name in SHOWS_NOTE_TO_STAFF and group(persona) in SUPPORT
    if shown and staff_page and "internal note" not in leaked:
        problems.append(f"{name} {url}: the internal note is missing for {persona}")
    return problems


def test_every_url_pattern_has_an_entry_in_the_table():
    names = [name for _route, name in url_patterns()]
    missing = sorted(n for n in names if n not in EXPECTED)
    assert not missing, (
        f"URL patterns without an isolation entry: {missing}. Add each to EXPECTED in "
        "tests/security/test_isolation.py with the status every persona must get."
    )
    stale = sorted(set(EXPECTED) - set(names))
    assert not stale, f"EXPECTED lists patterns that no longer exist: {stale}"
    assert None not in names, "every URL pattern needs a name"


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_pattern_answers_the_persona_as_the_table_says(client, world, victim, persona):
    problems = []
    for route, name in url_patterns():
        row = EXPECTED.get(name)
        if row is None:
            problems.append(f"{name} ({route}): no entry in EXPECTED; add one")
            continue
        problems.extend(check(client, world, victim, persona, route, name, row))
    assert not problems, f"{persona}:\n" + "\n".join(problems)


# --- Partner access ends the instant the relationship does, signed-in sessions included. ----
@pytest.fixture
def short_delegation(world):
    """A fresh Adatum user acting for Contoso under a one-day relationship approved now."""
    relationship = account_services.relationship_request(
        actor=world["partner_admin_agent"],
        partner=world.partner,
        tenant=world.contoso,
        name="One day",
        roles=[TenantRole.SERVICE_SUPPORT_ADMIN],
        duration_days=1,
        at=world.now,
    )
    account_services.relationship_approve(
        actor=world[TenantRole.GLOBAL_ADMIN], relationship=relationship, at=world.now
    )
    user = UserFactory(email="one-day@adatum.example")
    world.partner.memberships.create(user=user)
    account_services.relationship_assign_user(
        actor=world["partner_admin_agent"],
        relationship=relationship,
        user=user,
        roles=[TenantRole.SERVICE_SUPPORT_ADMIN],
        at=world.now,
    )
    relationship.refresh_from_db()
    return relationship, user


# The victim's pages and endpoints a partner acting for it uses.
PARTNER_URLS = [
    ("request_detail", "number"),
    ("request_list", "domain"),
    ("tenant_dashboard", "domain"),
    ("api_case", "number"),
    ("api_case_messages", "number"),
]


def partner_answers(client, victim: Victim) -> dict[str, tuple[int, list[str]]]:
    """Status and leaked details of each partner URL, asked with the same signed-in client."""
    answers = {}
    for name, param in PARTNER_URLS:
        url = reverse(name, kwargs={param: getattr(victim, param)})
        response = client.get(url)
        visible = body_of(response).replace(url, "").replace(escape(url), "")
        answers[name] = (response.status_code, secrets_in(visible, victim))
    listed = client.get(reverse("api_cases")).json()["results"]
    answers["api_cases"] = (200, ["case number"] if listed else [])
    return answers


def assert_sees_the_victim(answers) -> None:
    for name, (status, found) in answers.items():
        assert status == 200, (name, status)
        # Messages carry the attachment, not the number; every other answer names the case.
        assert ("attachment name" if name == "api_case_messages" else "case number") in found
        assert "internal note" not in found, name


def assert_sees_nothing(answers) -> None:
    for name, (status, found) in answers.items():
        expected = 200 if name == "api_cases" else 404
        assert status == expected, (name, status)
        assert not found, (name, found)


def test_partner_access_ends_at_the_relationships_end_in_a_signed_in_session(
    client, world, victim, short_delegation, frozen_clock
):
    relationship, user = short_delegation
    client.force_login(user)
    frozen_clock.move_to(relationship.ends_at - timedelta(seconds=1))
    assert_sees_the_victim(partner_answers(client, victim))

    # The same session, the instant the relationship ends, before any sweep has run.
    frozen_clock.move_to(relationship.ends_at)
    assert_sees_nothing(partner_answers(client, victim))

    # And after the sweep has recorded the expiry.
    account_services.relationships_expire(now=relationship.ends_at)
    relationship.refresh_from_db()
    assert relationship.status == "expired"
    assert_sees_nothing(partner_answers(client, victim))


def test_partner_access_ends_when_the_customer_terminates_in_a_signed_in_session(
    client, world, victim, short_delegation
):
    relationship, user = short_delegation
    partner_client = client
    partner_client.force_login(user)
    assert_sees_the_victim(partner_answers(partner_client, victim))

    admin_client = Client()
    admin_client.force_login(world[TenantRole.GLOBAL_ADMIN])
    response = admin_client.post(
        reverse(
            "tenant_relationship_action",
            kwargs={"domain": victim.domain, "pk": relationship.pk, "action": "terminate"},
        )
    )
    assert response.status_code == 302
    relationship.refresh_from_db()
    assert relationship.status == "terminated"

    assert_sees_nothing(partner_answers(partner_client, victim))


def test_partner_access_ends_when_the_partner_terminates_in_a_signed_in_session(
    client, world, victim, short_delegation
):
    relationship, user = short_delegation
    client.force_login(user)
    assert_sees_the_victim(partner_answers(client, victim))
    account_services.relationship_terminate(
        actor=world["partner_admin_agent"], relationship=relationship
    )
    assert_sees_nothing(partner_answers(client, victim))


# Every value of an <action> parameter, for the personas the table refuses: the refusal must
# not depend on which action is asked for.
REFUSED = ["outsider", "partner_expired", "partner_active", TenantRole.GLOBAL_READER, "anonymous"]


@pytest.mark.parametrize("persona", REFUSED)
def test_every_action_is_refused_alike(client, world, victim, persona):
    from accounts.views.relationships import ACTIONS as RELATIONSHIP_ACTIONS
    from cases.views.console import ACTIONS as CONSOLE_ACTIONS

    variants = {
        # An unknown action there is a 404 (no such page) for anyone, before any right is asked.
        "tenant_relationship_action": list(RELATIONSHIP_ACTIONS),
        "console_case_action": [*CONSOLE_ACTIONS, "no-such-action"],
    }
    routes = dict((name, route) for route, name in url_patterns())
    problems = []
    for name, actions in variants.items():
        row = EXPECTED[name]
        assert row.expected(persona) in {302, 401, 403, 404}, (name, persona)
        for action in actions:
            problems += check(
                client, world, victim, persona, routes[name], name, row, action=action
            )
    assert not problems, "\n".join(problems)
