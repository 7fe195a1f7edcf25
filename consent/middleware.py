"""Reads privacy facts from the request and annotates it; never writes (services do that)."""

from collections.abc import Callable
from functools import cached_property

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from consent import policy, selectors
from consent.choices import Choice


class RequestPrivacy:
    """What the request says about privacy, each fact computed on first use (no query when unused)."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    @cached_property
    def jurisdiction(self) -> str:
        """R-GPC-2: the trusted proxy's header, else the signed-in account's billing region, else unknown."""
        header = settings.PRIVACY_REGION_HEADER
        proxy_value = self._request.headers.get(header) if header else None
        user = getattr(self._request, "user", None)
        account_region = getattr(user, "region", None) if user and user.is_authenticated else None
        return policy.resolve_jurisdiction(proxy_value=proxy_value, account_region=account_region)

    @cached_property
    def account_values(self) -> dict[str, bool]:
        """The signed-in account's account-scoped choices; empty for a visitor."""
        user = getattr(self._request, "user", None)
        if user is None or not user.is_authenticated:
            return {}
        return selectors.account_values(account=user)

    @property
    def all_profiles_opted_out(self) -> bool:
        """R-PDS-4: "Opt all profiles out of all" is in force for the signed-in account."""
        return self.account_values.get(Choice.ALL_PROFILES_OPT_OUT, False)


class PrivacyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.privacy = RequestPrivacy(request)  # type: ignore[attr-defined]  # HttpRequest has no such slot
        return self.get_response(request)
