from django.urls import path

from .views import auth, mfa, partners, profile, relationships

urlpatterns = [
    path("", auth.home, name="home"),
    path("sign-in/", auth.SignInView.as_view(), name="login"),
    path("sign-out/", auth.SignOutView.as_view(), name="logout"),
    # Two-step sign-in: the code after the password, and setting up the authenticator app.
    path("sign-in/two-step/", mfa.verify, name="mfa_verify"),
    path("sign-in/two-step/set-up/", mfa.enrol, name="mfa_enrol"),
    # Customer side: the tenant's global admin approves, rejects and removes partner relationships.
    path(
        "t/<str:domain>/partners/", relationships.tenant_relationships, name="tenant_relationships"
    ),
    path(
        "t/<str:domain>/partners/<int:pk>/<str:action>/",
        relationships.tenant_relationship_action,
        name="tenant_relationship_action",
    ),
    # Partner side.
    path("partner/", partners.partner_centre, name="partner_centre"),
    path("partner/relationships/", partners.relationship_list, name="partner_relationships"),
    path("partner/relationships/new/", partners.relationship_new, name="partner_relationship_new"),
    path(
        "partner/relationships/<int:pk>/",
        partners.relationship_detail,
        name="partner_relationship_detail",
    ),
    # The signed-in user's own page: identity and personal API tokens.
    path("profile/", profile.profile, name="profile"),
    path(
        "profile/tokens/<int:pk>/revoke/",
        profile.profile_token_revoke,
        name="profile_token_revoke",
    ),
    path("profile/two-step/recovery-codes/", mfa.recovery_codes, name="mfa_recovery_codes"),
    path("profile/two-step/turn-off/", mfa.turn_off, name="mfa_turn_off"),
]
