from celery import shared_task

from . import services


@shared_task(name="accounts.tasks.expire_relationships")
def expire_relationships() -> dict[str, int]:
    """Hourly: expire or extend relationships at their end, expire stale pending requests, and
    remind both sides 30, 7 and 1 days before the end and on expiry."""
    result = services.relationships_expire()
    return {
        "extended": result.extended,
        "expired": result.expired,
        "pending_expired": result.pending_expired,
        "reminded": result.reminded,
    }
