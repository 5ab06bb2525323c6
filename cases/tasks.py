"""Celery tasks of the cases domain. Each takes no arguments or ids, re-reads the database, and is
safe to run twice at once (the services lock rows with SKIP LOCKED and flag each once)."""

from celery import shared_task

from .services import notifications, sweeps, tier_changes


@shared_task(name="cases.tasks.flag_response_breaches")
def flag_response_breaches() -> dict[str, int]:
    result = sweeps.flag_response_breaches()
    return {"warned": result.warned, "breached": result.breached}


@shared_task(name="cases.tasks.close_reopen_windows")
def close_reopen_windows() -> int:
    return sweeps.close_reopen_windows()


@shared_task(name="cases.tasks.deliver_notifications")
def deliver_notifications() -> dict[str, int]:
    return notifications.deliver_due()


@shared_task(name="cases.tasks.retarget_tier_changes")
def retarget_tier_changes() -> int:
    return tier_changes.retarget_tier_changes()
