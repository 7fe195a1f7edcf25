"""Database sessions (Django's own backend), with the per-request read compiled once.

Every signed-in request loads its session row. Django's `SessionStore` builds and compiles the same query each
time (~0.2 ms, more than the rest of a bare view's session work); this store sends the SQL compiled once by
`netflix_privacy.prepared` and otherwise is Django's: same table, same expiry rule, same handling of a missing
or expired key, same writes. One difference: a key Django could not have issued (its 32 characters from
`VALID_KEY_CHARS`; 8 to 40, the column's length, accepted) is refused before the database is asked, so a cookie
like `sessionid="abcdefgh\\000"` (a NUL after Django's cookie parsing) cannot make PostgreSQL fail the request.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.models import Session
from django.utils import timezone

from netflix_privacy.prepared import PreparedRead

_unexpired_session = PreparedRead(
    lambda session_key, now: Session.objects.filter(session_key=session_key, expire_date__gt=now),
    session_key=Session._meta.get_field("session_key"),
    now=Session._meta.get_field("expire_date"),
)


_KEY_CHARACTERS = frozenset(VALID_KEY_CHARS)


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        if not key:
            return False
        return 8 <= len(key) <= 40 and set(key) <= _KEY_CHARACTERS

    def _get_session_from_db(self) -> Session | None:
        found = _unexpired_session(session_key=self.session_key, now=timezone.now()) if self.session_key else []
        if found:
            return found[0]
        self._session_key = None  # as Django's store: an unknown or expired key gets a new one when saved
        return None
