"""Project-wide response policies that belong to no single app."""

import logging
from collections.abc import Callable
from http import HTTPStatus

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date

logger = logging.getLogger("netflix_privacy.database")


NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


class NoStoreForSignedInMiddleware:
    """Responses to a signed-in member show personal data: `Cache-Control: no-store, private`, so neither the
    browser's history cache nor a shared proxy keeps a copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        if "Cache-Control" in response.headers or "Expires" in response.headers:
            add_never_cache_headers(response)  # merged with what the view set (Django's never_cache, for one)
        else:  # what add_never_cache_headers() writes on a bare response, without parsing and re-joining it
            response.headers["Expires"] = http_date()
            response.headers["Cache-Control"] = NEVER_CACHE
        return response


class DatabaseUnavailableMiddleware:
    """A view stopped by the database (lock or statement timeout, lost connection) answers 503 with the
    friendly error page and a Retry-After, within the configured timeouts; the error is still logged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError):
            return None
        logger.error("Database unavailable during %s %r", request.method, request.path, exc_info=exception)
        response = HttpResponse(
            render_to_string("500.html"), status=HTTPStatus.SERVICE_UNAVAILABLE, content_type="text/html"
        )
        response["Retry-After"] = "5"
        add_never_cache_headers(response)
        return response


# What django-csp's decorators set on a response; any of them means this response has its own policy.
_PER_RESPONSE_POLICY = tuple(
    f"_csp_{kind}{suffix}" for kind in ("exempt", "config", "update", "replace") for suffix in ("", "_ro")
)


class StaticPolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, building the header once rather than on every response.

    The site's policy has no nonce, no report-only part, no excluded paths and no per-view decorator, so every
    response carries the same header; django-csp rebuilt it from settings twice per response. Anything else (a
    nonce used, a decorated view, report-only or excluded paths configured, DEBUG) goes through django-csp as is.
    """

    _cached: tuple[object, str] | None = None

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        if (
            settings.DEBUG
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or policy.get("EXCLUDE_URL_PREFIXES")
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_RESPONSE_POLICY)
        ):
            return super().process_response(request, response)
        if self._cached is None or self._cached[0] is not policy:
            self._cached = (policy, build_policy())
        if self._cached[1] and HEADER not in response:
            response[HEADER] = self._cached[1]
        # As django-csp does: a nonce asked for after the header is written is an error, not a silent no-op.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
