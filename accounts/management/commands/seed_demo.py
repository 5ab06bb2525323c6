"""Load the demo organisations and accounts; safe to run again (`make run` calls it every time)."""

from base64 import b32decode
from datetime import UTC, datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import (
    DelegatedAdminRelationship,
    ElevatedSupportContract,
    PartnerMembership,
    PartnerOrganization,
    Plan,
    RelationshipStatus,
    RoleAssignment,
    Subscription,
    SupportProfile,
    SupportRole,
    Tenant,
    TenantRole,
    User,
)
from cases.demo import seed_demo_cases

DEMO_PASSWORD = "demo-password"  # noqa: S105 - published demo credential, demo data only
SINCE = datetime(2025, 1, 1, tzinfo=UTC)

# The one authenticator secret (base32, as apps take it) of every demo account that must sign in
# with a second factor: published with the demo logins so a new user can try every role. Demo
# data only; real users set up their own app on the two-step set-up page.
DEMO_TOTP_SECRET = "HELPDESKDEMOTOTPSECRETKEY2345677"  # noqa: S105 - published demo credential
DEMO_TOTP_ACCOUNTS = ["agent@adatum.example", "engineer@support.example", "manager@support.example"]
DEMO_AUTHENTICATOR_NAME = "Demo authenticator"
# How to get the current code without a phone (any authenticator app works too).
DEMO_CODE_PROGRAM = (
    "from base64 import b32decode; from django_otp.oath import totp; "
    f"print('%06d' % totp(b32decode('{DEMO_TOTP_SECRET}')))"
)
DEMO_CODE_COMMAND = f'.venv/bin/python -c "{DEMO_CODE_PROGRAM}"'

TENANTS = {
    "contoso.example": ("Contoso", "US", "America/New_York", "en"),
    "fabrikam.example": ("Fabrikam", "KR", "Asia/Seoul", "ko"),
    "northwind.example": ("Northwind Traders", "GB", "Europe/London", "en"),
    "tailspin.example": ("Tailspin Toys", "AU", "Australia/Sydney", "en"),
}

# email -> (display name, tenant domain, role, phone, language, time zone)
TENANT_USERS = {
    "admin@contoso.example": (
        "Dana Whitfield",
        "contoso.example",
        TenantRole.GLOBAL_ADMIN,
        "+1 212 555 0100",
        "en",
        "America/New_York",
    ),
    "support@contoso.example": (
        "Sam Ortega",
        "contoso.example",
        TenantRole.SERVICE_SUPPORT_ADMIN,
        "+1 212 555 0101",
        "en",
        "America/New_York",
    ),
    "reader@contoso.example": (
        "Riley Chen",
        "contoso.example",
        TenantRole.GLOBAL_READER,
        "",
        "en",
        "America/New_York",
    ),
    "admin@fabrikam.example": (
        "김민준",
        "fabrikam.example",
        TenantRole.GLOBAL_ADMIN,
        "+82 2 555 0100",
        "ko",
        "Asia/Seoul",
    ),
    "admin@northwind.example": (
        "Oliver Hughes",
        "northwind.example",
        TenantRole.GLOBAL_ADMIN,
        "+44 20 7946 0100",
        "en",
        "Europe/London",
    ),
    "admin@tailspin.example": (
        "Mia Nguyen",
        "tailspin.example",
        TenantRole.GLOBAL_ADMIN,
        "+61 2 5550 0100",
        "en",
        "Australia/Sydney",
    ),
}

LOGINS = [
    ("admin@contoso.example", "global admin, Contoso (enterprise E3, US)"),
    ("support@contoso.example", "service support admin, Contoso"),
    ("reader@contoso.example", "global reader, Contoso (may not file requests)"),
    ("admin@fabrikam.example", "global admin, Fabrikam (business tier, KR, Korean)"),
    ("admin@northwind.example", "global admin, Northwind (elevated support, GB)"),
    ("admin@tailspin.example", "global admin, Tailspin Toys (frontline F1, AU)"),
    ("agent@adatum.example", "partner Adatum, admin agent acting for Contoso"),
    ("engineer@support.example", "support engineer"),
    ("manager@support.example", "support manager"),
    ("backoffice@support.example", "back-office staff (Django admin at /back-office/)"),
]


def _user(email: str, display_name: str, **fields) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"display_name": display_name, **fields}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


class Command(BaseCommand):
    help = "Create the demo tenants, partner and accounts (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options):
        tenants = self._tenants()
        users = {
            email: self._tenant_user(email, tenants, *spec) for email, spec in TENANT_USERS.items()
        }
        adatum = self._partner(tenants)
        self._relationship(adatum, tenants["contoso.example"], users["admin@contoso.example"])
        self._support_staff()
        self._demo_authenticators()
        filed = seed_demo_cases()
        if filed:
            self.stdout.write(f"Filed {filed} demo service requests.")
        self._print_logins()

    def _tenants(self) -> dict[str, Tenant]:
        tenants = {}
        for domain, (name, country, zone, language) in TENANTS.items():
            tenants[domain], _ = Tenant.objects.update_or_create(
                primary_domain=domain,
                defaults={
                    "name": name,
                    "country": country,
                    "time_zone": zone,
                    "preferred_language": language,
                },
            )
        self._subscribe(tenants["contoso.example"], "enterprise-e3")
        self._subscribe(tenants["fabrikam.example"], "business-standard")
        self._subscribe(tenants["northwind.example"], "enterprise-e1")
        self._subscribe(tenants["tailspin.example"], "enterprise-f1")
        ElevatedSupportContract.objects.get_or_create(
            tenant=tenants["northwind.example"],
            reference="ELEVATED-DEMO-1",
            defaults={"starts_at": SINCE, "ends_at": datetime(2035, 1, 1, tzinfo=UTC)},
        )
        return tenants

    def _subscribe(self, tenant: Tenant, plan_code: str) -> Subscription:
        subscription, _ = Subscription.objects.get_or_create(
            tenant=tenant,
            plan=Plan.objects.get(code=plan_code),
            defaults={"kind": "paid", "starts_at": SINCE},
        )
        return subscription

    def _tenant_user(self, email, tenants, name, domain, role, phone, language, zone) -> User:
        tenant = tenants[domain]
        user = _user(
            email,
            name,
            tenant=tenant,
            phone=phone,
            preferred_language=language,
            time_zone=zone,
        )
        RoleAssignment.objects.get_or_create(user=user, tenant=tenant, role=role)
        return user

    def _partner(self, tenants: dict[str, Tenant]) -> PartnerOrganization:
        adatum, _ = PartnerOrganization.objects.update_or_create(
            domain="adatum.example",
            defaults={
                "name": "Adatum",
                "support_email": "help@adatum.example",
                "support_phone": "+1 425 555 0199",
                "support_url": "https://adatum.example/support",
            },
        )
        agent = _user(
            "agent@adatum.example",
            "Avery Patel",
            phone="+1 425 555 0142",
            time_zone="America/Los_Angeles",
        )
        PartnerMembership.objects.update_or_create(
            user=agent, partner=adatum, defaults={"is_admin_agent": True}
        )
        # Adatum sold Fabrikam its subscription, so Fabrikam sees Adatum's contact first.
        Subscription.objects.filter(tenant=tenants["fabrikam.example"]).update(reseller=adatum)
        return adatum

    def _relationship(self, partner, tenant, approver) -> None:
        agent = User.objects.get(email="agent@adatum.example")
        live = DelegatedAdminRelationship.objects.filter(
            partner=partner, tenant=tenant, name="Adatum support", status=RelationshipStatus.ACTIVE
        ).first()
        if live is None:
            relationship = services.relationship_request(
                actor=agent,
                partner=partner,
                tenant=tenant,
                name="Adatum support",
                roles=[TenantRole.SERVICE_SUPPORT_ADMIN],
                duration_days=730,
                auto_extend=True,
            )
            live = services.relationship_approve(actor=approver, relationship=relationship)
        services.relationship_assign_user(
            actor=agent, relationship=live, user=agent, roles=[TenantRole.SERVICE_SUPPORT_ADMIN]
        )

    def _support_staff(self) -> None:
        for email, name, role, languages in [
            ("engineer@support.example", "Jordan Kim", SupportRole.ENGINEER, ["en", "ko"]),
            ("manager@support.example", "Morgan Lee", SupportRole.MANAGER, ["en"]),
        ]:
            user = _user(email, name, time_zone="UTC")
            SupportProfile.objects.update_or_create(
                user=user, defaults={"role": role, "languages": languages}
            )
        backoffice = _user("backoffice@support.example", "Back Office", is_staff=True)
        if not backoffice.is_superuser:
            backoffice.is_superuser = True
            backoffice.save(update_fields=["is_superuser"])

    def _demo_authenticators(self) -> None:
        """Give each demo account that must use a second factor the demo authenticator, unless
        it already has one (a visitor who set up their own app keeps it)."""
        key = b32decode(DEMO_TOTP_SECRET).hex()
        for email in DEMO_TOTP_ACCOUNTS:
            user = User.objects.get(email=email)
            if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                TOTPDevice.objects.create(
                    user=user, name=DEMO_AUTHENTICATOR_NAME, key=key, confirmed=True
                )

    def _print_logins(self) -> None:
        self.stdout.write(
            self.style.SUCCESS("Demo data is ready. Sign in at http://127.0.0.1:8000/")
        )
        self.stdout.write(f"Every demo account has the password: {DEMO_PASSWORD}")
        width = max(len(email) for email, _ in LOGINS)
        for email, what in LOGINS:
            second_step = "  (+ code)" if email in DEMO_TOTP_ACCOUNTS else ""
            self.stdout.write(f"  {email.ljust(width)}  {what}{second_step}")
        self.stdout.write(
            "Accounts marked (+ code) also ask for a six-digit code after the password. Add this "
            f"key to any authenticator app (time-based, 6 digits, 30 s): {DEMO_TOTP_SECRET}"
        )
        self.stdout.write(f"or print the current code with:\n  {DEMO_CODE_COMMAND}")
