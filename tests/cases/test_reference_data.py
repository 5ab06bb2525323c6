"""The reference data seeded by migration: taxonomy, help articles, matrix and calendars."""

import importlib

import pytest
from django.apps import apps

from cases.models import (
    BusinessCalendar,
    Category,
    HelpArticle,
    ProblemType,
    Product,
    ResponseTargetCell,
)

pytestmark = pytest.mark.django_db

seed_migration = importlib.import_module("cases.migrations.0003_seed_reference_data")

# Spec section 5, written out again so a change to the code's constant cannot pass unnoticed.
SPEC_TABLE = {
    ("business", "A"): ("24x7", 60, "1 hour"),
    ("business", "B"): ("business_hours", None, "No commitment"),
    ("business", "C"): ("business_hours", None, "No commitment"),
    ("enterprise", "A"): ("24x7", 60, "1 hour"),
    ("enterprise", "B"): ("24x7", 1440, "Next day"),
    ("enterprise", "C"): ("24x7", None, "No commitment"),
    ("frontline", "A"): ("24x7", 60, "1 hour"),
    ("frontline", "B"): ("24x7", 1440, "Next day"),
    ("frontline", "C"): ("24x7", None, "No commitment"),
    ("elevated", "A"): ("24x7", 60, "1 hour"),
    ("elevated", "B"): ("24x7", 120, "2 hours"),
    ("elevated", "C"): ("24x7", 240, "4 hours"),
}

# Every example of spec section 3, by the problem type that covers it.
SPEC_EXAMPLES = {
    "pre_sales": [
        "plan-features",
        "pricing",
        "licensing",
        "finding-a-partner",
        "buying",
        "trial-sign-up",
    ],
    "billing": [
        "purchase-problem",
        "trial-to-paid",
        "understanding-a-bill",
        "renewal",
        "licence-changes",
        "cancelling",
    ],
    "technical": [
        "mailbox-migration",
        "recipients",
        "autodiscover",
        "site-permissions",
        "external-users",
        "client-apps-installation",
        "service-configuration-error",
        "domain-setup",
        "single-sign-on",
        "directory-sync",
    ],
}

OUT_OF_SCOPE = {
    "customer-network": "networking team",
    "third-party-add-ins": "community forums",
    "custom-scripts": "community forums",
}


def snapshot():
    return {
        "categories": sorted(Category.objects.values_list("code", "name", "position")),
        "products": sorted(Product.objects.values_list("code", "name")),
        "problem_types": sorted(
            ProblemType.objects.values_list(
                "code", "category_id", "product__code", "default_severity", "is_out_of_scope"
            )
        ),
        "articles": sorted(
            HelpArticle.objects.values_list("slug", "language", "problem_types__code")
        ),
        "cells": sorted(
            ResponseTargetCell.objects.values_list(
                "tier", "severity", "availability", "minutes", "label"
            ),
            key=str,
        ),
        "calendars": sorted(BusinessCalendar.objects.values_list("country", "weekly_hours")),
    }


def test_the_three_categories_of_the_spec_are_seeded_in_order():
    assert list(Category.objects.values_list("code", "name")) == [
        ("pre_sales", "Pre-sales"),
        ("billing", "Billing and subscription"),
        ("technical", "Technical"),
    ]


def test_the_products_named_by_the_spec_are_seeded():
    codes = set(Product.objects.filter(is_active=True).values_list("code", flat=True))
    assert codes >= {
        "mail",
        "sites",
        "meetings-chat",
        "client-apps",
        "identity",
        "domains",
        "subscriptions",
    }


@pytest.mark.parametrize("category", SPEC_EXAMPLES)
def test_every_example_of_a_category_is_a_problem_type_in_that_category(category):
    seeded = ProblemType.objects.filter(category_id=category, is_out_of_scope=False)
    assert set(SPEC_EXAMPLES[category]) <= set(seeded.values_list("code", flat=True))


def test_billing_problem_types_are_about_subscriptions():
    products = ProblemType.objects.filter(category_id="billing").values_list(
        "product__code", flat=True
    )
    assert set(products) == {"subscriptions"}


def test_no_problem_type_defaults_to_severity_a():
    assert not ProblemType.objects.filter(default_severity="A").exists()


def test_pre_sales_and_billing_problem_types_default_to_at_most_severity_b():
    severities = ProblemType.objects.exclude(category_id="technical").values_list(
        "default_severity", flat=True
    )
    assert set(severities) <= {"B", "C"}
    assert set(
        ProblemType.objects.filter(category_id="pre_sales").values_list(
            "default_severity", flat=True
        )
    ) == {"C"}


@pytest.mark.parametrize(("code", "where_to_go"), OUT_OF_SCOPE.items())
def test_out_of_scope_kinds_say_where_to_go_instead(code, where_to_go):
    kind = ProblemType.objects.get(code=code)
    assert kind.is_out_of_scope
    assert kind.category_id == "technical"
    assert where_to_go in kind.out_of_scope_advice


def test_scripts_out_of_scope_names_the_script_languages():
    name = ProblemType.objects.get(code="custom-scripts").name
    for language in ("JavaScript", "VBScript", "VBA"):
        assert language in name


def test_only_the_three_spec_kinds_are_out_of_scope():
    out_of_scope = ProblemType.objects.filter(is_out_of_scope=True)
    assert set(out_of_scope.values_list("code", flat=True)) == set(OUT_OF_SCOPE)


def test_the_seeded_matrix_equals_the_spec_table():
    rows = ResponseTargetCell.objects.values_list(
        "tier", "severity", "availability", "minutes", "label"
    )
    assert {(tier, severity): rest for tier, severity, *rest in rows} == {
        key: list(value) for key, value in SPEC_TABLE.items()
    }


def test_business_calendars_open_monday_to_friday_nine_to_five():
    calendars = BusinessCalendar.objects.all()
    assert {calendar.country for calendar in calendars} == {"US", "KR", "GB", "DE", "JP", "AU"}
    for calendar in calendars:
        assert calendar.weekly_hours == {str(day): ["09:00", "17:00"] for day in range(5)}
        assert calendar.observe_public_holidays


def test_help_articles_exist_in_english_and_korean_and_link_problem_types():
    languages = set(HelpArticle.objects.values_list("language", flat=True))
    assert languages == {"en", "ko"}
    for code in ["mailbox-migration", "autodiscover", "domain-setup", "single-sign-on"]:
        assert HelpArticle.objects.filter(problem_types__code=code, language="en").exists()
    korean = HelpArticle.objects.filter(language="ko", problem_types__code="understanding-a-bill")
    assert korean.get().title == "청구서 이해하기"


def test_running_the_seed_again_changes_nothing():
    before = snapshot()
    seed_migration.seed(apps, schema_editor=None)
    assert snapshot() == before


def test_the_seed_restores_edited_rows_without_duplicating_them():
    ProblemType.objects.filter(code="pricing").update(name="Edited")
    seed_migration.seed(apps, schema_editor=None)
    assert ProblemType.objects.get(code="pricing").name == "Pricing"
    assert ProblemType.objects.filter(code="pricing").count() == 1


def test_unseeding_removes_the_seeded_rows_and_seeding_brings_them_back():
    before = snapshot()
    seed_migration.unseed(apps, schema_editor=None)
    assert not Category.objects.exists()
    assert not ProblemType.objects.exists()
    assert not ResponseTargetCell.objects.exists()
    assert not BusinessCalendar.objects.exists()
    assert not HelpArticle.objects.exists()
    seed_migration.seed(apps, schema_editor=None)
    assert snapshot() == before


def test_every_seeded_help_article_renders_to_html():
    from cases.markdown import render_markdown

    for article in HelpArticle.objects.all():
        html = render_markdown(article.body)
        assert html.startswith("<p>")
        assert "<ol>" in html or "<ul>" in html
