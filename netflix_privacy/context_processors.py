"""Template variables every page uses."""

from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.template.backends.utils import csrf_input as csrf_input_html
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject

# The fixed links of the header, footer and cookie banner: reversed once per URL configuration instead of
# eleven `{% url %}` tags on every page (bench/README.md, "Where the time goes").
SITE_URL_NAMES = ("home", "profiles", "account", "login", "logout", "cookies", "privacy_statement", "do_not_sell")


@cache
def _site_urls(urlconf: str, prefix: str) -> dict[str, str]:
    return {name: reverse(name, urlconf=urlconf) for name in SITE_URL_NAMES}


def site_urls(request: HttpRequest) -> dict[str, object]:
    return {"site_urls": _site_urls(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())}


def csrf_input(request: HttpRequest) -> dict[str, object]:
    """`{{ csrf_input }}` of the Jinja2 templates, built once per page. Django's Jinja2 backend passes a lazy string
    that masks the token anew each time it is printed (five forms on the privacy page: 11% of the request,
    bench/README.md); the Django template language's `{% csrf_token %}` also masked it once per page."""
    return {"csrf_input": SimpleLazyObject(lambda: csrf_input_html(request))}
