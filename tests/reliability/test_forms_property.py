"""Bad input, generated: every HTML form and the API's write endpoints get arbitrary text (NUL,
huge, any script), wrong types and missing fields. Never a 500, and never a partial write: when
the answer is an error (a 4xx, or an error message on the page it redirects to), no tracked row
was added, removed or changed.

Schemathesis (tests/api/test_property_based.py) already sends generated requests to every API
operation for 5xx and schema checks; the API test here adds the no-partial-write check.
"""

from urllib.parse import urlencode

import pytest
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.models import (
    ApiToken,
    DelegatedAdminRelationship,
    RelationshipAssignment,
    RelationshipEvent,
    TenantRole,
)
from cases.models import (
    Attachment,
    Case,
    CaseEvent,
    IdempotencyKey,
    ImpactService,
    ImpactUsers,
    IntakeVerification,
    Notification,
    SatisfactionSurvey,
)
from cases.services import lifecycle

DOMAIN = "contoso.example"
BOUNDED = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

MISSING = object()
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "nul\x00inside",
        "-1",
        "0",
        "3.5",
        "1e309",
        "NaN",
        "99999999999999999999999",
        "true",
        "None",
        "[]",
        '{"a": 1}',
        "<script>alert(1)</script>",
        "'; DROP TABLE cases_case; --",
        "%00",
        "../../etc/passwd",
        "\u202eevil",
        "🙂" * 3,
        "한국어 요청",
        "x" * 5000,
        "y" * 300_000,
    ]
)
JUNK = st.one_of(TEXT, NASTY)
# Over DATA_UPLOAD_MAX_MEMORY_SIZE: Django itself refuses the body.
HUGE_BODY = "z" * 3_000_000
UPLOAD = st.builds(
    SimpleUploadedFile,
    st.sampled_from(
        ["log.txt", "shot.png", "run.exe", "a" * 300 + ".txt", "名前.log", "no-extension"]
    ),
    st.binary(max_size=64),
)


def field(valid=()) -> st.SearchStrategy:
    """A form value: often a valid one, else junk, several values for one name, or nothing."""
    options = [JUNK, st.lists(JUNK, min_size=2, max_size=3), st.just(MISSING)]
    if valid:
        options = [st.sampled_from(list(valid))] * 3 + options
    return st.one_of(*options)


def form(**fields) -> st.SearchStrategy:
    """Form data from field name -> valid values; plus, sometimes, a stray field."""
    base = st.fixed_dictionaries({name: field(valid) for name, valid in fields.items()})
    stray = st.dictionaries(
        st.sampled_from(["extra", "csrfmiddlewaretoken", "id"]), JUNK, max_size=1
    )
    return st.builds(
        lambda data, more: {
            name: value for name, value in {**more, **data}.items() if value is not MISSING
        },
        base,
        stray,
    )


ENCODING = st.sampled_from(["multipart"] * 3 + ["urlencoded"] * 2 + ["huge"])


def post(client, url: str, data: dict, encoding: str, **headers):
    if encoding == "huge":
        return client.post(url, {**data, "padding": HUGE_BODY}, headers=headers)
    if encoding == "urlencoded":
        plain = {
            name: [v for v in value if not isinstance(v, UploadedFile)]
            if isinstance(value, list)
            else value
            for name, value in data.items()
            if not isinstance(value, UploadedFile)
        }
        return client.post(
            url,
            urlencode(plain, doseq=True),
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )
    return client.post(url, data, headers=headers)


TRACKED = [
    Case,
    CaseEvent,
    Attachment,
    SatisfactionSurvey,
    IdempotencyKey,
    IntakeVerification,
    Notification,
    DelegatedAdminRelationship,
    RelationshipAssignment,
    RelationshipEvent,
    ApiToken,
]


def snapshot() -> dict:
    state = {model.__name__: model.objects.count() for model in TRACKED}
    state["cases"] = list(
        Case.objects.order_by("pk").values_list(
            "pk", "status", "assigned_to_id", "severity", "category_id", "reopen_count"
        )
    )
    state["relationships"] = list(
        DelegatedAdminRelationship.objects.order_by("pk").values_list("pk", "status")
    )
    state["tokens"] = list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at"))
    return state


def is_error(response) -> bool:
    if response.status_code >= 400:
        return True
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return any(message.level >= messages.ERROR for message in queued)


def check(response, before: dict) -> None:
    """Never a server error; an error leaves every tracked row as it was."""
    assert response.status_code < 500
    if is_error(response):
        assert snapshot() == before


@pytest.fixture
def signed_in(client, world):
    """A client per persona, signed in the way its tests' `client` signs in."""
    clients = {}

    def _for(persona):
        if persona not in clients:
            clients[persona] = type(client)()
            clients[persona].force_login(world[persona])
        return clients[persona]

    return _for


@pytest.fixture
def cases(world, open_case, later):
    """An open case, a closed one (reopenable), and a claimed open one."""
    admin = world[TenantRole.GLOBAL_ADMIN]
    closed = open_case(title="Closed one")
    lifecycle.case_close(actor=admin, case=closed, at=later(hours=1))
    claimed = open_case(title="Claimed one")
    lifecycle.case_claim(actor=world["engineer"], case=claimed, at=later(hours=1))
    return {"open": open_case(title="Open one"), "closed": closed, "claimed": claimed}


# --- The new-request wizard. ---

WIZARD = ["describe", "suggestions", "classify", "details", "impact", "contact", "review"]


def _wizard_fields(problem_type, product) -> dict:
    return {
        "describe": {"summary": ["Mail is not arriving"]},
        "suggestions": {},
        "classify": {
            "category": ["technical", "billing", "pre_sales"],
            "problem_type": [str(problem_type.pk)],
            "product": [product.pk],
        },
        "details": {"title": ["Mail stuck"], "description": ["Since 9:00 nothing arrives."]},
        "impact": {
            "service": ImpactService.values,
            "users": ImpactUsers.values,
            "workaround": ["yes", "no"],
            "severity": ["A", "B", "C"],
        },
        "contact": {
            "name": ["Dana"],
            "email": ["dana@contoso.example"],
            "phone": ["+1 212 555 0100"],
            "alternate_email": ["it@contoso.example"],
            "method": ["email", "phone"],
            "language": ["en", "ko"],
            "time_zone": ["America/New_York", "Asia/Seoul"],
            "translator_wanted": ["on"],
            "available_24x7": ["on"],
        },
        "review": {},
    }


def _valid(step: str, fields: dict) -> dict:
    data = {name: values[0] for name, values in fields[step].items()}
    if step == "classify":
        data.pop("product")
    if step == "contact":
        data["method"] = "email"
    return data


@given(data=st.data())
@BOUNDED
def test_the_new_request_wizard_files_all_or_nothing_whatever_one_step_gets(
    signed_in, world, problem_type, product, data
):
    client = signed_in(TenantRole.GLOBAL_ADMIN)
    fields = _wizard_fields(problem_type, product)
    fuzzed = data.draw(st.sampled_from(WIZARD), label="fuzzed step")
    assert client.get(reverse("request_new", args=[DOMAIN])).status_code == 302
    before = snapshot()
    for step in WIZARD:
        url = reverse("request_new_step", args=[DOMAIN, step])
        if step == fuzzed:
            payload = data.draw(form(**fields[step]), label=step)
            if step == "details":
                payload["attachments"] = data.draw(st.lists(UPLOAD, max_size=2), label="files")
            encoding = data.draw(ENCODING, label="encoding")
            htmx = data.draw(st.sampled_from([{}, {"HX-Request": "true"}]), label="htmx")
            response = post(client, url, payload, encoding, **htmx)
        else:
            response = client.post(url, _valid(step, fields))
        assert response.status_code < 500
        if step != "review":
            assert snapshot() == before
    filed = snapshot()["Case"] - before["Case"]
    if is_error(response) or filed == 0:
        assert snapshot() == before
    else:
        after = snapshot()
        assert filed == 1
        assert after["CaseEvent"] - before["CaseEvent"] == 1
        assert after["Notification"] - before["Notification"] == 1


# --- A request's page: reply, close, reopen, survey. ---

REQUEST_ACTIONS = {
    "request_reply": {"body": ["Thanks, it works again."]},
    "request_close": {},
    "request_reopen": {},
    "request_survey": {"rating": ["1", "3", "5"], "comment": ["Quick and kind."]},
}


@given(data=st.data())
@BOUNDED
def test_a_requests_forms_never_fail_and_never_half_write(signed_in, cases, data):
    client = signed_in(TenantRole.GLOBAL_ADMIN)
    assert client.get(reverse("request_detail", args=[cases["open"].number])).status_code == 200
    action = data.draw(st.sampled_from(sorted(REQUEST_ACTIONS)), label="action")
    case = data.draw(st.sampled_from(["open", "closed", "claimed"]), label="case")
    payload = data.draw(form(**REQUEST_ACTIONS[action]), label="form")
    if action == "request_reply":
        payload["attachments"] = data.draw(st.lists(UPLOAD, max_size=2), label="files")
    before = snapshot()
    response = post(
        client,
        reverse(action, args=[cases[case].number]),
        payload,
        data.draw(ENCODING, label="encoding"),
    )
    check(response, before)


# --- The engineer console. ---

# `next`: a real path, other sites, and bare words that `redirect()` would take for URL names.
NEXT = st.sampled_from(
    ["/console/", "https://evil.example/", "//evil.example", "0", "name", MISSING]
)

CONSOLE_FIELDS = {
    "body": ["We are looking into it."],
    "summary": ["Restarted the connector."],
    "severity": ["A", "B", "C"],
    "reason": ["The customer called."],
    "assignee": [],
}


@given(data=st.data())
@BOUNDED
def test_console_actions_never_fail_and_never_half_write(signed_in, world, cases, data):
    client = signed_in("engineer")
    assert client.get(reverse("console_case", args=[cases["open"].number])).status_code == 200
    action = data.draw(
        st.sampled_from(
            ["reply", "note", "call", "severity", "assign", "close", "claim", "waiting", "x"]
        ),
        label="action",
    )
    case = data.draw(st.sampled_from(["open", "closed", "claimed"]), label="case")
    fields = {**CONSOLE_FIELDS, "assignee": [str(world["engineer"].pk), ""]}
    payload = data.draw(form(**fields), label="form")
    if (target := data.draw(NEXT, label="next")) is not MISSING:
        payload["next"] = target
    if action in {"reply", "note"}:
        payload["attachments"] = data.draw(st.lists(UPLOAD, max_size=2), label="files")
    before = snapshot()
    response = post(
        client,
        reverse("console_case_action", args=[cases[case].number, action]),
        payload,
        data.draw(ENCODING, label="encoding"),
    )
    check(response, before)


@given(data=st.data())
@BOUNDED
def test_bulk_assignment_never_fails_and_never_half_writes(signed_in, world, cases, data):
    client = signed_in("manager")
    numbers = [case.number for case in cases.values()]
    payload = data.draw(
        form(
            numbers=[*numbers, numbers[:2]],
            assignee=[str(world["engineer"].pk), str(world["manager"].pk)],
        ),
        label="form",
    )
    if (target := data.draw(NEXT, label="next")) is not MISSING:
        payload["next"] = target
    before = snapshot()
    response = post(
        client, reverse("console_bulk_assign"), payload, data.draw(ENCODING, label="encoding")
    )
    check(response, before)


@pytest.mark.parametrize("target", ["0", "name"])
def test_a_next_that_is_not_a_path_is_ignored(signed_in, cases, target):
    client = signed_in("engineer")
    number = cases["open"].number
    response = client.post(reverse("console_case_action", args=[number, "claim"]), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == f"/console/cases/{number}/"


def test_bulk_assignment_with_a_nul_in_a_number_is_not_a_server_error(signed_in, world, cases):
    client = signed_in("manager")
    response = client.post(
        reverse("console_bulk_assign"),
        {"numbers": ["SR\x00", cases["open"].number], "assignee": world["engineer"].pk},
    )
    assert response.status_code in {302, 400}
    assert Case.objects.get(pk=cases["open"].pk).assigned_to == world["engineer"]


# --- Phone intake. ---


@pytest.fixture
def verifications(world, later):
    from cases.services import intake

    engineer, admin = world["engineer"], world[TenantRole.GLOBAL_ADMIN]
    pending = intake.intake_start(actor=engineer, tenant=world.contoso, admin=admin)
    verified = intake.intake_start(
        actor=engineer, tenant=world.contoso, admin=world[TenantRole.SERVICE_SUPPORT_ADMIN]
    )
    IntakeVerification.objects.filter(pk=verified.pk).update(
        status=IntakeVerification.Status.VERIFIED, verified_at=world.now
    )
    return {"pending": pending, "verified": verified}


@given(data=st.data())
@BOUNDED
def test_phone_intake_forms_never_fail_and_never_half_write(
    signed_in, world, verifications, problem_type, product, data
):
    client = signed_in("engineer")
    fields = _wizard_fields(problem_type, product)
    page = data.draw(st.sampled_from(["start", "verify", "file"]), label="page")
    if page == "start":
        url = reverse("intake_start")
        schema = form(
            tenant=[str(world.contoso.pk), str(world.fabrikam.pk)],
            admin=[str(world[TenantRole.GLOBAL_ADMIN].pk), str(world["outsider"].pk)],
        )
    elif page == "verify":
        url = reverse("intake_verify", args=[verifications["pending"].pk])
        schema = form(code=["123456", "123 456", "000000"])
    else:
        url = reverse("intake_file", args=[verifications["verified"].pk])
        schema = form(
            **{
                f"{step}-{name}": values
                for step in ("classify", "details", "impact", "contact")
                for name, values in fields[step].items()
            }
        )
    payload = data.draw(schema, label="form")
    before = snapshot()
    # A wrong code counts a try on its verification row: deliberate, and not a tracked change.
    response = post(client, url, payload, data.draw(ENCODING, label="encoding"))
    check(response, before)


# --- Partner relationships, both sides. ---


@given(data=st.data())
@BOUNDED
def test_relationship_forms_never_fail_and_never_half_write(signed_in, world, data):
    page = data.draw(st.sampled_from(["new", "detail", "tenant"]), label="page")
    active = world.relationships["partner_active"]
    pending = world.relationships["partner_pending"]
    if page == "new":
        client = signed_in("partner_admin_agent")
        url = reverse("partner_relationship_new")
        schema = form(
            customer_domain=["contoso.example", "fabrikam.example", "nowhere.example"],
            name=["Helpdesk cover"],
            roles=[TenantRole.SERVICE_SUPPORT_ADMIN, TenantRole.GLOBAL_READER],
            duration_days=["1", "90", "730", "731"],
            auto_extend=["on"],
        )
    elif page == "detail":
        client = signed_in("partner_admin_agent")
        relationship = data.draw(st.sampled_from([active, pending]), label="relationship")
        url = reverse("partner_relationship_detail", args=[relationship.pk])
        schema = form(
            action=["assign", "terminate"],
            **{
                "assign-user": [str(world["partner_pending"].pk)],
                "assign-roles": [TenantRole.SERVICE_SUPPORT_ADMIN],
            },
        )
    else:
        client = signed_in(TenantRole.GLOBAL_ADMIN)
        relationship = data.draw(st.sampled_from([active, pending]), label="relationship")
        action = data.draw(st.sampled_from(["approve", "reject", "remove", "x"]), label="do")
        url = reverse("tenant_relationship_action", args=[DOMAIN, relationship.pk, action])
        schema = form()
    payload = data.draw(schema, label="form")
    before = snapshot()
    response = post(client, url, payload, data.draw(ENCODING, label="encoding"))
    check(response, before)


# --- Profile: personal API tokens; and the sign-in form. ---


@given(data=st.data())
@BOUNDED
def test_token_forms_never_fail_and_never_half_write(signed_in, world, data):
    from accounts.tokens import api_token_create

    user = world[TenantRole.GLOBAL_ADMIN]
    client = signed_in(TenantRole.GLOBAL_ADMIN)
    if not ApiToken.objects.filter(user=user).exists():
        api_token_create(actor=user, name="existing")
    token = ApiToken.objects.filter(user=user).first()
    other = (
        ApiToken.objects.filter(user=world["outsider"]).first()
        or api_token_create(actor=world["outsider"], name="someone else's")[0]
    )
    if data.draw(st.booleans(), label="revoke"):
        target = data.draw(st.sampled_from([token.pk, other.pk, 999_999]), label="token")
        url = reverse("profile_token_revoke", args=[target])
        schema = form()
    else:
        url = reverse("profile")
        schema = form(name=["Ticket sync"])
    before = snapshot()
    response = post(client, url, data.draw(schema), data.draw(ENCODING, label="encoding"))
    check(response, before)


@given(data=st.data())
@BOUNDED
def test_the_sign_in_form_never_fails(client, world, data):
    payload = data.draw(
        form(username=[world[TenantRole.GLOBAL_ADMIN].email], password=["wrong", "x"])
    )
    response = post(client, reverse("login"), payload, data.draw(ENCODING, label="encoding"))
    assert response.status_code < 500


# --- The API's writes: no partial write behind a 4xx. ---

JSON_JUNK = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        TEXT,
        NASTY,
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(TEXT, children, max_size=3)
    ),
    max_leaves=6,
)


def json_field(valid=()) -> st.SearchStrategy:
    options = [JSON_JUNK, st.just(MISSING)]
    if valid:
        options = [st.sampled_from(list(valid))] * 2 + options
    return st.one_of(*options)


def json_body(**fields) -> st.SearchStrategy:
    return st.one_of(
        st.fixed_dictionaries({name: json_field(valid) for name, valid in fields.items()}).map(
            lambda body: {name: value for name, value in body.items() if value is not MISSING}
        ),
        JSON_JUNK,
    )


IMPACT = {"service": "impaired", "users": "several", "workaround": False}
API_WRITES = {
    "cases": (
        TenantRole.GLOBAL_ADMIN,
        "/api/v1/cases/",
        {
            "category": ["technical", "billing"],
            "problem_type": ["test-mail-flow"],
            "title": ["Stuck"],
            "description": ["Since 9:00."],
            "impact": [IMPACT, {**IMPACT, "service": "down"}],
            "severity": ["A", "B"],
            "contact": [{"name": "Dana", "email": "dana@contoso.example"}],
            "related_case": [],
        },
    ),
    "messages": (TenantRole.GLOBAL_ADMIN, "/api/v1/cases/{number}/messages/", {"body": ["Hi"]}),
    "close": (TenantRole.GLOBAL_ADMIN, "/api/v1/cases/{number}/close/", {"summary": ["Done"]}),
    "reopen": (TenantRole.GLOBAL_ADMIN, "/api/v1/cases/{closed}/reopen/", {}),
    "survey": (
        TenantRole.GLOBAL_ADMIN,
        "/api/v1/cases/{closed}/survey/",
        {"rating": [1, 5], "comment": ["Good"]},
    ),
    "assign": ("engineer", "/api/v1/cases/{number}/assign/", {"assignee": ["me", None]}),
    "severity": (
        "engineer",
        "/api/v1/cases/{number}/severity/",
        {"severity": ["A", "C"], "reason": ["Called"]},
    ),
    "status": ("engineer", "/api/v1/cases/{number}/status/", {"status": ["waiting"]}),
    "calls": ("engineer", "/api/v1/cases/{number}/calls/", {"summary": ["Called back"]}),
    "relationships": (
        "partner_admin_agent",
        "/api/v1/relationships/",
        {
            "customer": ["contoso.example"],
            "name": ["Cover"],
            "roles": [[TenantRole.SERVICE_SUPPORT_ADMIN]],
            "duration_days": [90, 0, 10_000],
            "auto_extend": [True],
        },
    ),
    "relationship_assign": (
        "partner_admin_agent",
        "/api/v1/relationships/{active}/assign/",
        {"user": ["partner_pending@adatum.example"], "roles": [["service_support_admin"]]},
    ),
    "relationship_approve": (
        TenantRole.GLOBAL_ADMIN,
        "/api/v1/relationships/{pending}/approve/",
        {},
    ),
}


@given(data=st.data())
@BOUNDED
def test_api_writes_with_junk_bodies_never_fail_and_never_half_write(world, cases, data):
    name = data.draw(st.sampled_from(sorted(API_WRITES)), label="endpoint")
    persona, path, fields = API_WRITES[name]
    path = path.format(
        number=cases["open"].number,
        closed=cases["closed"].number,
        active=world.relationships["partner_active"].pk,
        pending=world.relationships["partner_pending"].pk,
    )
    body = data.draw(json_body(**fields), label="body")
    api = APIClient()
    api.force_authenticate(user=world[persona])
    headers = {}
    if name == "cases":
        headers["HTTP_IDEMPOTENCY_KEY"] = data.draw(
            st.sampled_from(["k-1", "k-2", ""]), label="key"
        )
    before = snapshot()
    response = api.post(path, body, format="json", **headers)
    check(response, before)
    if response.status_code >= 400:
        assert set(response.json()) >= {"code", "message"}


def test_the_wizard_fixture_data_is_valid(signed_in, world, problem_type, product):
    """The valid values the generators fall back on do file a request; without this the
    wizard property could pass by never getting past a step."""
    client = signed_in(TenantRole.GLOBAL_ADMIN)
    fields = _wizard_fields(problem_type, product)
    client.get(reverse("request_new", args=[DOMAIN]))
    for step in WIZARD:
        response = client.post(
            reverse("request_new_step", args=[DOMAIN, step]), _valid(step, fields)
        )
    assert response.status_code == 302
    assert Case.objects.count() == 1
