"""Browsers that have signed in to an account before: a signed cookie, `known_browser`, set on sign-in.

It holds keyed digests of the accounts' email addresses (never an address), at most a few, and serves one
purpose: a member asking for a password reset from their own browser is not held back by the limit strangers
share for that address (accounts.reset). Strictly necessary, for the account's security: it is never shared and
reveals nothing without the site's secret.
"""

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from accounts.normalize import normalize_email
from accounts.reset import Requester
from common.http import client_ip

KNOWN_BROWSER_COOKIE = "known_browser"
MAX_ACCOUNTS = 5
MAX_AGE_SECONDS = 365 * 24 * 3600
_SALT = "accounts.browsers"


def _mark(email: str) -> str:
    return salted_hmac(_SALT, normalize_email(email), algorithm="sha256").hexdigest()[:32]


def _marks(request: HttpRequest) -> list[str]:
    raw = request.COOKIES.get(KNOWN_BROWSER_COOKIE)
    if not raw or len(raw) > 1024:
        return []
    try:
        marks = signing.loads(raw, salt=_SALT, max_age=MAX_AGE_SECONDS)
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError):
        return []
    if not isinstance(marks, list) or not all(isinstance(mark, str) for mark in marks):
        return []
    return marks[:MAX_ACCOUNTS]


def is_known(request: HttpRequest, email: str) -> bool:
    """This browser has signed in to the account with this address."""
    return _mark(email) in _marks(request)


def remember(request: HttpRequest, response: HttpResponse, email: str) -> None:
    """After a sign-in: this browser knows the account from now on (the most recent few accounts are kept)."""
    mark = _mark(email)
    marks = [mark, *(each for each in _marks(request) if each != mark)][:MAX_ACCOUNTS]
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        signing.dumps(marks, salt=_SALT),
        max_age=MAX_AGE_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def reset_requester(request: HttpRequest, email: str) -> Requester:
    """Who asks for a password reset for `email`: the client's address, and whether it is the member (signed in
    as that account, or on a browser that signed in to it)."""
    user = getattr(request, "user", None)
    signed_in_as = user is not None and user.is_authenticated and normalize_email(user.email) == normalize_email(email)
    return Requester(address=client_ip(request), is_member=signed_in_as or is_known(request, email))
