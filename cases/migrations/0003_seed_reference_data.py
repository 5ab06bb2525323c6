"""Seed the reference data of spec sections 3 and 5: the issue taxonomy (with the out-of-scope
kinds), a few help articles, the response-target matrix and the business calendars.

Idempotent: every row is matched on its natural key and updated in place, so running the seed
again changes nothing. The reverse removes exactly the rows seeded here.
"""

from django.db import migrations

from cases.response_targets import DEFAULT_MATRIX

CATEGORIES = [
    # code, name, position
    ("pre_sales", "Pre-sales", 1),
    ("billing", "Billing and subscription", 2),
    ("technical", "Technical", 3),
]

PRODUCTS = [
    # code, name
    ("mail", "Mail"),
    ("sites", "Sites"),
    ("meetings-chat", "Meetings and chat"),
    ("client-apps", "Client apps"),
    ("identity", "Identity and sign-in"),
    ("domains", "Domains"),
    ("subscriptions", "Subscriptions and billing"),
]

# code, category, product (or None), name, default severity. Severity A is never a default: it
# needs a phone number and a 24x7 commitment, which only the person filing can give.
PROBLEM_TYPES = [
    ("plan-features", "pre_sales", None, "Plan features and comparison", "C"),
    ("pricing", "pre_sales", None, "Pricing", "C"),
    ("licensing", "pre_sales", None, "Licensing", "C"),
    ("finding-a-partner", "pre_sales", None, "Finding a partner", "C"),
    ("buying", "pre_sales", None, "Buying a subscription", "C"),
    ("trial-sign-up", "pre_sales", None, "Signing up for a trial", "C"),
    ("purchase-problem", "billing", "subscriptions", "Trial sign-up or purchase", "C"),
    ("trial-to-paid", "billing", "subscriptions", "Moving from a trial to a paid plan", "C"),
    ("understanding-a-bill", "billing", "subscriptions", "Understanding a bill", "C"),
    ("renewal", "billing", "subscriptions", "Renewal", "B"),
    ("licence-changes", "billing", "subscriptions", "Adding or removing licences", "B"),
    ("cancelling", "billing", "subscriptions", "Cancelling a subscription", "C"),
    # Technical: installation and setup.
    ("mailbox-migration", "technical", "mail", "Mailbox migration", "B"),
    # "A contact cannot be deleted" is the spec's own example of severity C.
    ("recipients", "technical", "mail", "Recipients: mailboxes, contacts and groups", "C"),
    ("autodiscover", "technical", "mail", "Autodiscover", "B"),
    ("site-permissions", "technical", "sites", "Site permissions and groups", "B"),
    ("external-users", "technical", "sites", "External users and sharing", "B"),
    ("client-apps-installation", "technical", "client-apps", "Installing client apps", "C"),
    # Technical: configuration.
    ("service-configuration-error", "technical", None, "Service configuration error", "B"),
    ("domain-setup", "technical", "domains", "Domain setup and redelegation", "B"),
    ("single-sign-on", "technical", "identity", "Single sign-on", "B"),
    ("directory-sync", "technical", "identity", "Directory synchronisation", "B"),
    ("sign-in-how-to", "technical", "identity", "Passwords and sign-in settings (how-to)", "C"),
    ("meetings-chat-problem", "technical", "meetings-chat", "Meetings or chat not working", "B"),
    ("service-unavailable", "technical", None, "Service unavailable or outage", "B"),
]

# code, name, where to go instead (spec section 3: shown before anything is filed).
OUT_OF_SCOPE = [
    (
        "customer-network",
        "Problems in your own network",
        "Problems that start in your organisation's own network (firewalls, proxies, routers, "
        "internal DNS) are outside our support. Please contact your networking team.",
    ),
    (
        "third-party-add-ins",
        "Third-party services and add-ins",
        "Services and add-ins made by other companies are supported by their makers. Please ask "
        "the vendor, or the community forums.",
    ),
    (
        "custom-scripts",
        "Scripts (JavaScript, VBScript, VBA)",
        "We do not write or debug scripts in JavaScript, VBScript or VBA. The community forums and "
        "the developer documentation are the places to ask.",
    ),
]

WORKING_WEEK = {str(weekday): ["09:00", "17:00"] for weekday in range(5)}
CALENDAR_COUNTRIES = ["US", "KR", "GB", "DE", "JP", "AU"]

# slug, language, title, problem type codes, body (Markdown)
HELP_ARTICLES = [
    (
        "mailbox-migration",
        "en",
        "Preparing a mailbox migration",
        ["mailbox-migration"],
        """Moving mailboxes goes smoothly when the groundwork is done first.

1. **Verify your domain** in the admin centre before creating any mailbox.
2. **Create the users and assign licences**; a mailbox exists only once a licence is assigned.
3. **Pick a method**: a cutover moves every mailbox at once (small organisations), a staged
   migration moves them in batches, and IMAP moves mail only (no calendars or contacts).
4. **Run a test batch** with one or two mailboxes and check mail, calendar and contacts.
5. **Switch your MX record** only after the final synchronisation has finished.

Large mailboxes can take a day or more to copy. Keep the old system running until the last
batch is complete.
""",
    ),
    (
        "mailbox-migration",
        "ko",
        "사서함 마이그레이션 준비하기",
        ["mailbox-migration"],
        """사서함을 옮기기 전에 다음을 먼저 준비하면 마이그레이션이 순조롭습니다.

1. 관리 센터에서 **도메인을 확인**합니다.
2. **사용자를 만들고 라이선스를 할당**합니다. 라이선스가 있어야 사서함이 만들어집니다.
3. **방법을 고릅니다**: 한꺼번에 옮기는 일괄 전환, 여러 번에 나누어 옮기는 단계적
   마이그레이션, 메일만 옮기는 IMAP 마이그레이션이 있습니다.
4. 사서함 한두 개로 **시험 배치**를 실행하고 메일, 일정, 연락처를 확인합니다.
5. 마지막 동기화가 끝난 뒤에 **MX 레코드**를 바꿉니다.

큰 사서함은 복사에 하루 이상 걸릴 수 있습니다. 마지막 배치가 끝날 때까지 기존 시스템을
유지하세요.
""",
    ),
    (
        "autodiscover",
        "en",
        "Setting up Autodiscover",
        ["autodiscover"],
        """Mail apps find their server settings through **Autodiscover**. When an app keeps asking
for a server name, the DNS record is usually missing or points to an old server.

- Add a `CNAME` record named `autodiscover` in your domain's DNS, with the target shown on the
  domain setup page of the admin centre.
- Remove any older `autodiscover` records (`A`, `SRV` or `CNAME`) that point elsewhere.
- DNS changes can take up to 48 hours to reach everyone; restart the app afterwards.

If the record is correct and apps still cannot connect, file a request and say which app and
version you use.
""",
    ),
    (
        "domain-setup",
        "en",
        "Adding or redelegating a domain",
        ["domain-setup"],
        """To use your own domain:

1. Add the domain in the admin centre and create the `TXT` record it shows, to prove you own it.
2. Add the mail and sign-in records listed on the same page.
3. To let the service manage DNS for you, **redelegate** the domain: change its name servers at
   your registrar to the ones the admin centre lists.

Changes at the registrar can take up to 48 hours to be seen everywhere. A domain can be verified
by one organisation only.
""",
    ),
    (
        "single-sign-on",
        "en",
        "Before you turn on single sign-on",
        ["single-sign-on", "directory-sync"],
        """Single sign-on lets people use their existing company password.

- Make sure **directory synchronisation** is working first, so every user exists on both sides.
- Keep **one cloud-only global admin** account that does not depend on single sign-on, so you can
  still sign in if the federation server is down.
- Note when the signing certificate expires; an expired certificate stops every sign-in.
- Try the setup with a test user before converting the whole domain.
""",
    ),
    (
        "understanding-your-bill",
        "en",
        "Understanding your bill",
        ["understanding-a-bill"],
        """Each bill lists, per subscription, the licences you had during the billing period.

- **Prorated charges** appear when licences were added or removed during the period.
- **Credits** show licences removed before the period ended.
- Taxes follow the billing address of your organisation.

Download past bills from the billing section of the admin centre. If a charge is still unclear,
file a billing request and quote the bill number.
""",
    ),
    (
        "understanding-your-bill",
        "ko",
        "청구서 이해하기",
        ["understanding-a-bill"],
        """청구서에는 구독별로 청구 기간 동안 사용한 라이선스가 표시됩니다.

- 기간 중에 라이선스를 추가하거나 제거하면 **일할 계산된 요금**이 나타납니다.
- 기간이 끝나기 전에 제거한 라이선스는 **크레딧**으로 표시됩니다.
- 세금은 조직의 청구 주소를 따릅니다.

지난 청구서는 관리 센터의 청구 메뉴에서 내려받을 수 있습니다. 그래도 이해되지 않는 요금이
있으면 청구서 번호와 함께 청구 문의를 접수하세요.
""",
    ),
]


def seed(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    Product = apps.get_model("cases", "Product")
    ProblemType = apps.get_model("cases", "ProblemType")
    HelpArticle = apps.get_model("cases", "HelpArticle")
    ResponseTargetCell = apps.get_model("cases", "ResponseTargetCell")
    BusinessCalendar = apps.get_model("cases", "BusinessCalendar")

    categories = {}
    for code, name, position in CATEGORIES:
        categories[code], _ = Category.objects.update_or_create(
            code=code, defaults={"name": name, "position": position}
        )
    products = {}
    for code, name in PRODUCTS:
        products[code], _ = Product.objects.update_or_create(
            code=code, defaults={"name": name, "is_active": True}
        )
    for code, category, product, name, severity in PROBLEM_TYPES:
        ProblemType.objects.update_or_create(
            code=code,
            defaults={
                "category": categories[category],
                "product": products[product] if product else None,
                "name": name,
                "default_severity": severity,
                "is_out_of_scope": False,
                "out_of_scope_advice": "",
                "is_active": True,
            },
        )
    for code, name, advice in OUT_OF_SCOPE:
        ProblemType.objects.update_or_create(
            code=code,
            defaults={
                "category": categories["technical"],
                "product": None,
                "name": name,
                "default_severity": "C",
                "is_out_of_scope": True,
                "out_of_scope_advice": advice,
                "is_active": True,
            },
        )
    for slug, language, title, problem_types, body in HELP_ARTICLES:
        article, _ = HelpArticle.objects.update_or_create(
            slug=slug,
            language=language,
            defaults={"title": title, "body": body, "is_published": True},
        )
        article.problem_types.set(ProblemType.objects.filter(code__in=problem_types))
    for (tier, severity), cell in DEFAULT_MATRIX.items():
        ResponseTargetCell.objects.update_or_create(
            tier=tier,
            severity=severity,
            defaults={
                "availability": cell.availability.value,
                "minutes": cell.minutes,
                "label": cell.label,
            },
        )
    for country in CALENDAR_COUNTRIES:
        BusinessCalendar.objects.update_or_create(
            country=country,
            defaults={"weekly_hours": WORKING_WEEK, "observe_public_holidays": True},
        )


def unseed(apps, schema_editor):
    HelpArticle = apps.get_model("cases", "HelpArticle")
    for slug, language, *_ in HELP_ARTICLES:
        HelpArticle.objects.filter(slug=slug, language=language).delete()
    ResponseTargetCell = apps.get_model("cases", "ResponseTargetCell")
    for tier, severity in DEFAULT_MATRIX:
        ResponseTargetCell.objects.filter(tier=tier, severity=severity).delete()
    apps.get_model("cases", "BusinessCalendar").objects.filter(
        country__in=CALENDAR_COUNTRIES
    ).delete()
    problem_type_codes = [row[0] for row in PROBLEM_TYPES] + [row[0] for row in OUT_OF_SCOPE]
    apps.get_model("cases", "ProblemType").objects.filter(code__in=problem_type_codes).delete()
    apps.get_model("cases", "Product").objects.filter(code__in=[p[0] for p in PRODUCTS]).delete()
    apps.get_model("cases", "Category").objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_taxonomy_targets_cases")]

    operations = [migrations.RunPython(seed, unseed)]
