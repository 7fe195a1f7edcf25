"""The sign-in lock-out (django-axes) for the sign-in page and the API's token exchange: the username it counts
failures against (AXES_USERNAME_CALLABLE), and one check at a time per identity.

django-axes reads the failures so far, then the password is checked, then a failure is counted: three steps, not
one. Attempts sent at once for the same identity would all read "not locked" before any failure is counted, and
each would get its password checked, past AXES_FAILURE_LIMIT. So a check holds a slot in the shared cache
(`add` in common.throttle's store, atomic on every shared cache) for its identity, the normalised email and the
client (AXES_LOCKOUT_PARAMETERS), from the lock-out's read until its failure is counted; an attempt for the same
identity meanwhile is refused (SignInBusy: the form's error, the API's 429) without its password being checked.
"""

import contextlib
import hashlib
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest

from accounts.normalize import normalize_email
from common import throttle
from common.http import client_ip

# AccessAttempt.username is a 255-character column.
_USERNAME_COLUMN_LENGTH = 255
# The longest one check may hold its identity's slot: far above the database's bound on a request, so only a
# process that died mid-check leaves the slot to expire.
SIGN_IN_CHECK_SECONDS = 30


class SignInBusy(Exception):
    """Another sign-in for the same email from the same client is being checked."""


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials and credentials.get(field) is not None:
        raw = credentials[field]
    else:
        raw = getattr(request, "POST", {}).get(field, "")
    return normalize_email(str(raw)).replace("\x00", "")[:_USERNAME_COLUMN_LENGTH]


@contextlib.contextmanager
def one_check_at_a_time(request: HttpRequest, username: str) -> Iterator[None]:
    """Around `authenticate()`: the block runs only while no other check for this identity does, else SignInBusy.
    The key is a hash: no email or address is a cache key."""
    identity = f"{lockout_username(request, {settings.AXES_USERNAME_FORM_FIELD: username})}\x00{client_ip(request)}"
    key = f"sign-in-check:{hashlib.sha256(identity.encode()).hexdigest()}"
    slots = throttle.store()
    if not slots.add(key, 1, timeout=SIGN_IN_CHECK_SECONDS):
        raise SignInBusy
    try:
        yield
    finally:
        slots.delete(key)
