"""Seed the plan catalogue named by the support description (spec section 2)."""

from django.db import migrations

PLANS = [
    # code, name, support tier, standalone
    ("business-basic", "Business Basic", "business", False),
    ("apps-for-business", "Apps for business", "business", False),
    ("business-standard", "Business Standard", "business", False),
    ("business-premium", "Business Premium", "business", False),
    ("enterprise-e1", "Enterprise E1", "enterprise", False),
    ("enterprise-e3", "Enterprise E3", "enterprise", False),
    ("government-g2", "Government G2", "enterprise", False),
    ("us-government-e3", "US Government E3", "enterprise", False),
    ("education", "Education", "enterprise", False),
    ("enterprise-f1", "Enterprise F1", "frontline", False),
    ("us-government-k1", "US Government K1", "frontline", False),
    # Every paid standalone plan gets enterprise support.
    ("mail-plan-1", "Mail Plan 1 (standalone)", "enterprise", True),
    ("sites-plan-1", "Sites Plan 1 (standalone)", "enterprise", True),
    ("meetings-chat-standalone", "Meetings and Chat (standalone)", "enterprise", True),
]


def seed(apps, schema_editor):
    Plan = apps.get_model("accounts", "Plan")
    for code, name, tier, standalone in PLANS:
        Plan.objects.update_or_create(
            code=code, defaults={"name": name, "support_tier": tier, "is_standalone": standalone}
        )


def unseed(apps, schema_editor):
    apps.get_model("accounts", "Plan").objects.filter(code__in=[p[0] for p in PLANS]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
