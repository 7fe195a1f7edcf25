"""Project-wide request and response policies that belong to no single app."""

import logging
import re
from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from common import db

logger = logging.getLogger("common.database")

# What Django's session backends issue: 32 characters from [a-z0-9] (django.contrib.sessions' VALID_KEY_CHARS).
SESSION_KEY_SHAPE = re.compile(r"[a-z0-9]{32}")


class SessionCookieShapeMiddleware:
    """A session cookie Django could not have issued is no session: dropped before SessionMiddleware reads it.

    Without this, a cookie such as `sessionid="abc\\000"` (a NUL after cookie parsing) reaches the session
    query, and PostgreSQL refuses a NUL in text with an error (a 500) instead of "no such session". Placed
    before django.contrib.sessions.middleware.SessionMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        value = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if value is not None and not SESSION_KEY_SHAPE.fullmatch(value):
            del request.COOKIES[settings.SESSION_COOKIE_NAME]
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Responses to a signed-in member show personal data: `Cache-Control: no-store, private`, so neither the
    browser's history cache nor a shared proxy keeps a copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class DatabaseDeadlineMiddleware:
    """Every query of the request waits at most DATABASE_QUERY_DEADLINE_S (common.db). Early in MIDDLEWARE, so
    the session's and the user's reads are bounded too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with db.bounded_waits():
            return self.get_response(request)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The friendly error page with 503 and a Retry-After: the database or the shared cache did not answer in time
    (a lock or statement timeout, a lost or cut connection). The browser may try again; nothing was changed."""
    response = HttpResponse(
        error_page("500.html", request), status=HTTPStatus.SERVICE_UNAVAILABLE, content_type="text/html"
    )
    response["Retry-After"] = str(RETRY_AFTER_S)
    add_never_cache_headers(response)
    return response


RETRY_AFTER_S = 5


def error_page(template_name: str, request: HttpRequest | None) -> str:
    """An error page that needs no template context (the database or the cache may be what failed), in the
    request's language (R-I18N-1): the chooser's cookie or Accept-Language, read from the request alone, so even a
    failure before LocaleMiddleware ran gets it; without a request, the language active now."""
    if request is None:
        return render_to_string(template_name)
    with translation.override(translation.get_language_from_request(request)):
        return render_to_string(template_name)


# What "the database or the shared cache did not answer in time" looks like: Django's OperationalError (timeouts,
# lost or cut connections; the database cache too), and Redis's own errors from Django's RedisCache.
UNAVAILABLE = (OperationalError, RedisConnectionError, RedisTimeoutError)


class DatabaseUnavailableMiddleware:
    """A view stopped by the database answers 503 (database_unavailable) within the configured bounds; the error
    is logged without the request's query string. Failures outside the view (a session saved as the response
    goes out) reach common.views.server_error, which answers the same."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, UNAVAILABLE):
            return None
        logger.error("Database unavailable during %s %s: %s", request.method, request.path, type(exception).__name__)
        return database_unavailable(request)
