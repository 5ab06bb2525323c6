"""Model signals of the accounts domain. Connected in `AccountsConfig.ready`."""

from django.db.models.signals import post_delete, post_save

from . import policy_memo
from .models import (
    DelegatedAdminRelationship,
    PartnerMembership,
    RelationshipAssignment,
    RoleAssignment,
)


def _forget_roles(**_kwargs) -> None:
    policy_memo.forget()


def connect() -> None:
    for model in (
        RoleAssignment,
        PartnerMembership,
        DelegatedAdminRelationship,
        RelationshipAssignment,
    ):
        post_save.connect(_forget_roles, sender=model, dispatch_uid=f"roles-{model}")
        post_delete.connect(_forget_roles, sender=model, dispatch_uid=f"roles-{model}-d")
