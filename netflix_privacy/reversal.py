"""`reverse()` done once per route instead of once per link.

A member page links to the same routes on every request (the header's and footer's fixed links, each profile's
settings pages); `reverse()` walks the URL resolver every time, ~20 µs a link, 8 links on /account/
(bench/README.md). Routes without arguments are reversed once; the routes of a profile (`<uuid:profile>`) are
reversed once with a stand-in id, which each link then replaces with its profile's. Both remember the result per
URL configuration and script prefix, which is all reverse() reads besides its arguments.
"""

from functools import cache
from uuid import UUID

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# A version-4 UUID with a recognisable tail; its text appears in no route, so replacing it touches only the id.
_STAND_IN = UUID("00000000-0000-4000-8000-0000000c0ffe")
_STAND_IN_TEXT = str(_STAND_IN)


@cache
def _fixed(name: str, urlconf: str, prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


@cache
def _fixed_set(names: tuple[str, ...], urlconf: str, prefix: str) -> dict[str, str]:
    return {name: reverse(name, urlconf=urlconf) for name in names}


@cache
def _with_stand_in(name: str, urlconf: str, prefix: str) -> str:
    return reverse(name, kwargs={"profile": _STAND_IN}, urlconf=urlconf)


def _current() -> tuple[str, str]:
    return get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()


def fixed_url(name: str) -> str:
    """reverse(name) for a route without arguments."""
    return _fixed(name, *_current())


def fixed_urls(names: tuple[str, ...]) -> dict[str, str]:
    """{name: reverse(name)} for routes without arguments, one lookup of the current configuration for all."""
    return _fixed_set(names, *_current())


def profile_url(name: str, profile: UUID | str) -> str:
    """reverse(name, kwargs={"profile": profile}) for a route taking a profile's id."""
    text = str(profile) if isinstance(profile, UUID) else str(UUID(str(profile)))  # a str must be an id
    return _with_stand_in(name, *_current()).replace(_STAND_IN_TEXT, text)
