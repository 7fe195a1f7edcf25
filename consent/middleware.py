"""Reads privacy signals from the request and annotates it; never writes (services do that)."""

from collections.abc import Callable
from functools import cached_property

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from consent import policy


class RequestPrivacy:
    """What the request says about privacy: for now its jurisdiction (R-GPC-2), computed on first use."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    @cached_property
    def jurisdiction(self) -> str:
        header = settings.PRIVACY_REGION_HEADER
        proxy_value = self._request.headers.get(header) if header else None
        user = getattr(self._request, "user", None)
        account_region = getattr(user, "region", None) if user and user.is_authenticated else None
        return policy.resolve_jurisdiction(proxy_value=proxy_value, account_region=account_region)


class PrivacyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.privacy = RequestPrivacy(request)  # type: ignore[attr-defined]
        return self.get_response(request)
