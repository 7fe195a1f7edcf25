"""Template variables every page uses."""

from django.http import HttpRequest
from django.template.backends.utils import csrf_input as csrf_input_html
from django.utils.functional import SimpleLazyObject

from netflix_privacy.reversal import fixed_urls

# The fixed links of the header, footer and cookie banner, each reversed once (netflix_privacy.reversal).
SITE_URL_NAMES = ("home", "profiles", "account", "login", "logout", "cookies", "privacy_statement", "do_not_sell")


def site_urls(request: HttpRequest) -> dict[str, object]:
    return {"site_urls": fixed_urls(SITE_URL_NAMES)}


def csrf_input(request: HttpRequest) -> dict[str, object]:
    """`{{ csrf_input }}` of the Jinja2 templates, built once per page. Django's Jinja2 backend passes a lazy string
    that masks the token anew each time it is printed (five forms on the privacy page: 11% of the request,
    bench/README.md); the Django template language's `{% csrf_token %}` also masked it once per page."""
    return {"csrf_input": SimpleLazyObject(lambda: csrf_input_html(request))}
