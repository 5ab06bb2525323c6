"""Seed the support phone directory of spec section 10 for the countries with a business calendar.

The numbers are fictional (reserved drama ranges where the country has one). Idempotent: a
country that already has a row keeps it, so re-running never overwrites what back office edited.
The reverse removes a seeded row only while it still carries the seeded number.
"""

from django.db import migrations

TECHNICAL = "24x7 for severity A; Mon-Fri 09:00-17:00 local time for B and C"
BILLING = "Mon-Fri 09:00-17:00 local time"

CONTACTS = [
    # country, phone, technical hours, billing hours, languages, notes
    (
        "US",
        "+1 800 555 0199",
        TECHNICAL,
        BILLING,
        "English, Spanish",
        "Toll-free from US landlines and mobiles.",
    ),
    (
        "KR",
        "+82 80 555 0199",
        TECHNICAL,
        BILLING,
        "Korean, English",
        "Korean-speaking engineers answer severity A calls around the clock.",
    ),
    ("GB", "+44 20 7946 0199", TECHNICAL, BILLING, "English", ""),
    ("DE", "+49 30 23125 199", TECHNICAL, BILLING, "German, English", ""),
    (
        "JP",
        "+81 3 5550 0199",
        TECHNICAL,
        BILLING,
        "Japanese, English",
        "Outside business hours, severity A calls are answered in English.",
    ),
    (
        "AU",
        "+61 2 5550 0199",
        TECHNICAL,
        BILLING,
        "English",
        "Callers from New Zealand may use this number too.",
    ),
]


def seed(apps, schema_editor):
    SupportContact = apps.get_model("cases", "SupportContact")
    for country, phone, technical, billing, languages, notes in CONTACTS:
        SupportContact.objects.get_or_create(
            country=country,
            defaults={
                "phone": phone,
                "technical_hours": technical,
                "billing_hours": billing,
                "languages": languages,
                "notes": notes,
            },
        )


def unseed(apps, schema_editor):
    SupportContact = apps.get_model("cases", "SupportContact")
    for country, phone, *_rest in CONTACTS:
        SupportContact.objects.filter(country=country, phone=phone).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_support_contacts")]

    operations = [migrations.RunPython(seed, unseed)]
