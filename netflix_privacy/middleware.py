"""Site-wide middleware."""

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

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
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
