"""Template variables every page uses."""

from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

# The fixed links of the header, footer and cookie banner: reversed once per URL configuration instead of
# eleven `{% url %}` tags on every page (bench/README.md, "Where the time goes").
SITE_URL_NAMES = ("home", "profiles", "account", "login", "logout", "cookies", "privacy_statement", "do_not_sell")


@cache
def _site_urls(urlconf: str, prefix: str) -> dict[str, str]:
    return {name: reverse(name, urlconf=urlconf) for name in SITE_URL_NAMES}


def site_urls(request: HttpRequest) -> dict[str, object]:
    return {"site_urls": _site_urls(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())}
