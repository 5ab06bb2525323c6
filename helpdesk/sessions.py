"""Sessions in the database, as Django keeps them, read with a statement compiled once per
process: every signed-in request reads its session (see helpdesk.prepared)."""

from datetime import UTC, datetime

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from .prepared import PreparedQuery

_LIVE_SESSION = PreparedQuery(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now),
    samples=(
        ("prepared-sample-key-one", datetime(1901, 1, 1, tzinfo=UTC)),
        ("prepared-sample-key-two", datetime(1902, 2, 2, tzinfo=UTC)),
    ),
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        session = _LIVE_SESSION.first(self.session_key, timezone.now())
        if session is None:
            self._session_key = None
        return session
