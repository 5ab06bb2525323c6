"""`seed_demo` gives a new user every role to try, and can run again without harm."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts import policies, selectors
from accounts.models import (
    DelegatedAdminRelationship,
    RelationshipAssignment,
    RoleAssignment,
    Subscription,
    Tenant,
    User,
)

pytestmark = pytest.mark.django_db

ACCOUNTS = [
    "admin@contoso.example",
    "support@contoso.example",
    "reader@contoso.example",
    "admin@fabrikam.example",
    "admin@northwind.example",
    "agent@adatum.example",
    "engineer@support.example",
    "manager@support.example",
]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return [
        model.objects.count()
        for model in (
            User,
            Tenant,
            Subscription,
            RoleAssignment,
            DelegatedAdminRelationship,
            RelationshipAssignment,
        )
    ]


def test_seed_demo_prints_every_login_and_the_password():
    output = seed()
    for email in ACCOUNTS:
        assert email in output
    assert "demo-password" in output


def test_seed_demo_is_idempotent():
    seed()
    first = counts()
    seed()
    assert counts() == first


def test_every_demo_account_has_the_demo_password():
    seed()
    for email in ACCOUNTS:
        assert User.objects.get(email=email).check_password("demo-password"), email


def test_demo_tenants_have_the_described_tiers_and_places():
    seed()
    contoso = Tenant.objects.get(primary_domain="contoso.example")
    fabrikam = Tenant.objects.get(primary_domain="fabrikam.example")
    northwind = Tenant.objects.get(primary_domain="northwind.example")
    assert selectors.tenant_support_tier(contoso) == "enterprise"
    assert selectors.tenant_support_tier(fabrikam) == "business"
    assert selectors.tenant_support_tier(northwind) == "elevated"
    assert (contoso.country, contoso.time_zone) == ("US", "America/New_York")
    assert (fabrikam.country, fabrikam.time_zone, fabrikam.preferred_language) == (
        "KR",
        "Asia/Seoul",
        "ko",
    )
    assert (northwind.country, northwind.time_zone) == ("GB", "Europe/London")


def test_demo_rights_match_the_described_roles():
    seed()
    contoso = Tenant.objects.get(primary_domain="contoso.example")
    user = {email: User.objects.get(email=email) for email in ACCOUNTS}
    assert policies.can_manage_partner_relationships(user["admin@contoso.example"], contoso)
    assert policies.can_manage_requests(user["support@contoso.example"], contoso)
    assert not policies.can_manage_requests(user["reader@contoso.example"], contoso)
    assert policies.delegated_roles(user["agent@adatum.example"], contoso) == {
        "service_support_admin"
    }
    assert not policies.can_manage_requests(user["admin@fabrikam.example"], contoso)
    assert policies.is_support_staff(user["engineer@support.example"])
    assert policies.is_support_manager(user["manager@support.example"])


def test_demo_cases_cover_every_status_tier_and_severity():
    from django.utils import timezone

    from cases.models import Case

    seed()
    cases = Case.objects.all()
    assert set(cases.values_list("status", flat=True)) == {
        "new",
        "in_progress",
        "waiting_on_customer",
        "closed",
    }
    assert set(cases.values_list("support_tier", flat=True)) == {
        "business",
        "enterprise",
        "frontline",
        "elevated",
    }
    assert set(cases.values_list("severity", flat=True)) == {"A", "B", "C"}
    assert cases.filter(breached_at__isnull=False).exists()
    assert cases.filter(
        status="closed", reopen_until__gt=timezone.now(), reopen_window_closed_at__isnull=True
    ).exists()
    assert cases.filter(acting_partner__name="Adatum").exists()
    before = cases.count()
    seed()
    assert Case.objects.count() == before


MFA_ACCOUNTS = ["agent@adatum.example", "engineer@support.example", "manager@support.example"]


def test_demo_partner_and_staff_accounts_have_the_demo_authenticator():
    from base64 import b32decode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.management.commands.seed_demo import DEMO_TOTP_SECRET

    output = seed()
    assert DEMO_TOTP_SECRET in output
    assert "from django_otp.oath import totp" in output
    for email in MFA_ACCOUNTS:
        device = TOTPDevice.objects.get(user__email=email)
        assert device.confirmed
        assert device.bin_key == b32decode(DEMO_TOTP_SECRET)
        assert policies.requires_second_factor(device.user)
    assert not TOTPDevice.objects.exclude(user__email__in=MFA_ACCOUNTS).exists()
    seed()
    assert TOTPDevice.objects.count() == len(MFA_ACCOUNTS)


def test_a_demo_user_who_set_up_their_own_app_keeps_it():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    seed()
    TOTPDevice.objects.filter(user__email="engineer@support.example").update(key="ab" * 20)
    seed()
    assert TOTPDevice.objects.get(user__email="engineer@support.example").key == "ab" * 20


def test_the_printed_one_liner_prints_the_current_code():
    import subprocess
    import sys
    from base64 import b32decode

    from django_otp.oath import totp

    from accounts.management.commands.seed_demo import (
        DEMO_CODE_COMMAND,
        DEMO_CODE_PROGRAM,
        DEMO_TOTP_SECRET,
    )

    assert DEMO_CODE_COMMAND in seed()
    key = b32decode(DEMO_TOTP_SECRET)
    before = f"{totp(key):06d}"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", DEMO_CODE_PROGRAM], capture_output=True, text=True, timeout=60
    )
    after = f"{totp(key):06d}"
    assert result.returncode == 0, result.stderr
    # The subprocess runs on the real clock: its code is the current step's (or the next's).
    assert result.stdout.strip() in {before, after}
