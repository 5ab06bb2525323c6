"""Severity from the impact answers, the problem type's default, the category cap and the A rule."""

import pytest

from cases.severity import decide_severity, severity_from_impact


@pytest.mark.parametrize(
    ("service", "users", "workaround", "severity"),
    [
        ("unusable", "organisation", False, "A"),
        ("unusable", "several", False, "A"),
        ("unusable", "one", False, "B"),
        ("unusable", "several", True, "B"),
        ("unusable", "several", None, "B"),
        ("impaired", "organisation", False, "B"),
        ("impaired", "one", True, "C"),
        ("unusable", "one", True, "C"),
        ("working", "organisation", False, "C"),
        ("working", "", None, "C"),
        ("", "", None, None),
    ],
)
def test_impact_answers_give_the_severity(service, users, workaround, severity):
    assert severity_from_impact(service, users, workaround) == severity


@pytest.mark.parametrize(
    ("arguments", "severity", "reasons"),
    [
        ({"default_severity": "C"}, "C", ("default",)),
        ({"default_severity": None}, "B", ("default",)),
        ({"default_severity": "A", "category": "billing"}, "B", ("default", "category_cap")),
        (
            {
                "impact_service": "unusable",
                "impact_users": "organisation",
                "impact_workaround": False,
                "category": "pre_sales",
                "phone": "1",
                "available_24x7": True,
            },
            "B",
            ("impact", "category_cap"),
        ),
        (
            {
                "impact_service": "unusable",
                "impact_users": "organisation",
                "impact_workaround": False,
                "phone": "1",
                "available_24x7": True,
            },
            "A",
            ("impact",),
        ),
        (
            {
                "impact_service": "unusable",
                "impact_users": "organisation",
                "impact_workaround": False,
                "phone": " ",
                "available_24x7": True,
            },
            "B",
            ("impact", "needs_phone_and_24x7"),
        ),
        (
            {"chosen": "A", "may_choose": True, "phone": "1", "available_24x7": True},
            "A",
            ("chosen",),
        ),
        ({"chosen": "A", "may_choose": True}, "B", ("chosen", "needs_phone_and_24x7")),
        ({"chosen": "C", "may_choose": False, "default_severity": "B"}, "B", ("default",)),
        ({"chosen": "Z", "may_choose": True, "default_severity": "C"}, "C", ("default",)),
    ],
)
def test_the_decision_applies_the_rules_in_order(arguments, severity, reasons):
    decision = decide_severity(**{"category": "technical", "default_severity": None, **arguments})
    assert (decision.severity, decision.reasons) == (severity, reasons)
