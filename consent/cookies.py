"""The browser's cookie choice (R-CK-2) and enforcement of it on every response (R-CK-3).

The choice lives in one first-party cookie, `privacy_consent`: signed with the site's secret, versioned, small.
Anything else in it (tampered, oversized, another version, garbage) reads as "no choice", never an error.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import HttpResponse

from accounts.browsers import KNOWN_BROWSER_COOKIE
from consent import policy

CONSENT_COOKIE = "privacy_consent"
VERSION = 1
MAX_LENGTH = 512
MAX_AGE = timedelta(days=365)
_SALT = "consent.privacy_consent"

# Cookies the framework needs to work at all: allowed whatever the registry in the admin says.
MESSAGES_COOKIE = "messages"


def necessary_cookie_names() -> frozenset[str]:
    return frozenset(
        {
            settings.SESSION_COOKIE_NAME,
            settings.CSRF_COOKIE_NAME,
            settings.LANGUAGE_COOKIE_NAME,
            MESSAGES_COOKIE,
            CONSENT_COOKIE,
            KNOWN_BROWSER_COOKIE,
        }
    )


@dataclass(frozen=True)
class CookieChoice:
    """Allowed or not, per non-essential category. `by_visitor` is false when the record was made for the
    visitor (an honoured signal turning advertising off, R-GPC-4): the banner still asks about the rest."""

    categories: Mapping[str, bool]
    by_visitor: bool = True


def read_choice(raw: str | None) -> CookieChoice | None:
    """The browser's recorded choice, or None when it has none we can trust."""
    if not raw or len(raw) > MAX_LENGTH:
        return None
    try:
        payload = signing.loads(raw, salt=_SALT, max_age=MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict) or payload.get("v") != VERSION:
        return None
    values = {category: payload.get(category[0]) for category in policy.NON_ESSENTIAL}
    by_visitor = payload.get("c")
    if not all(isinstance(value, bool) for value in (*values.values(), by_visitor)):
        return None
    return CookieChoice(categories={key: bool(value) for key, value in values.items()}, by_visitor=bool(by_visitor))


def encode_choice(choice: CookieChoice) -> str:
    payload: dict[str, object] = {"v": VERSION, "c": choice.by_visitor}
    payload.update({category[0]: bool(choice.categories.get(category)) for category in policy.NON_ESSENTIAL})
    return signing.dumps(payload, salt=_SALT, compress=False)


def set_choice_cookie(response: HttpResponse, choice: CookieChoice) -> None:
    response.set_cookie(
        CONSENT_COOKIE,
        encode_choice(choice),
        max_age=int(MAX_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def enforce(
    response: HttpResponse,
    *,
    allowed: Callable[[], frozenset[str]],
    browser_cookies: Mapping[str, str],
    category_of: Callable[[str], str],
) -> list[str]:
    """R-CK-3: drop every cookie this response sets whose category the browser has not allowed, whichever view
    set it, and expire any such cookie the browser still holds. A cookie missing from the registry counts as
    advertising, the strictest category. `allowed` is asked only when a cookie that is not strictly necessary
    is in play, so the common response costs no lookup. Returns the names removed."""
    necessary = necessary_cookie_names()

    def refused(name: str) -> bool:
        return name not in necessary and category_of(name) not in allowed()

    removed = [name for name in list(response.cookies) if refused(name) and response.cookies[name]["max-age"] != 0]
    for name in removed:
        del response.cookies[name]
    for name in browser_cookies:
        if refused(name) and name not in response.cookies:
            response.delete_cookie(name, samesite="Lax")
            removed.append(name)
    return removed
