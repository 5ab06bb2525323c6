"""Model signals that keep shared caches honest. Connected in `CasesConfig.ready`."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from accounts.models import SupportProfile, User

from .models import Category, Product
from .queue_choices import forget_filter_choices


def _forget_queue_choices(sender, instance, update_fields=None, **kwargs) -> None:
    if sender is User and update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a sign-in; nothing the lists show
    forget_filter_choices()
    # Again once the change is visible to others: a page that read the lists between the two
    # stored them under the generation this leaves behind.
    transaction.on_commit(forget_filter_choices)


def connect() -> None:
    for model in (Category, Product, User, SupportProfile):
        post_save.connect(_forget_queue_choices, sender=model, dispatch_uid=f"queue-{model}")
        post_delete.connect(_forget_queue_choices, sender=model, dispatch_uid=f"queue-{model}-d")
