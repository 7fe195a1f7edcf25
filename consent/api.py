"""The JSON API, served under /api/v1/ with its OpenAPI description at /api/v1/openapi.json (docs: /api/v1/docs).

- Downstream systems (R-API-1): read-only eligibility, one profile (optionally on one device) or up to 1,000
  profiles per request, authenticated with the service token from PRIVACY_API_TOKEN (compared in constant time).
  Every answer comes from consent.selectors (the facts the pages read) and consent.policy (the rules the pages
  apply), so the API and the pages cannot disagree.
- The mobile app (R-AD-1, R-PUSH-1, R-DEV-1): a member exchanges email and password for an app token (throttled
  by django-axes like the sign-in page), then registers or updates a device with that token, and can revoke the
  token or every token of the account. A token stops working after PRIVACY_APP_TOKEN_IDLE_DAYS (90) days
  without use; an account holds at most PRIVACY_APP_TOKENS_PER_ACCOUNT (10) tokens (a new one retires the least
  recently used) and PRIVACY_DEVICES_PER_ACCOUNT (10) devices (one more is refused with 409).

Errors never reveal why: a missing or wrong token is 401 with an empty body, malformed input is 400, an unknown
(or someone else's) profile or device is 404.
"""

import hmac
from http import HTTPStatus
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, ValidationError
from ninja.responses import Status
from ninja.security import HttpBearer

from accounts import selectors as account_selectors
from accounts.models import Account, Profile
from consent import policy, selectors, services
from consent.choices import Choice
from consent.models import AppToken, Device, Platform

BATCH_MAX = 1000


class ServiceToken(HttpBearer):
    """`Authorization: Bearer <PRIVACY_API_TOKEN>`. With no token (or only whitespace) configured, nothing is
    authorised."""

    def authenticate(self, request: HttpRequest, token: str) -> str | None:
        # A token of only whitespace (a stray space in an env file) is no token: it would match `Bearer  `.
        expected = settings.PRIVACY_API_TOKEN.strip()
        if expected and hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8")):
            return "service"
        return None


class MemberToken(HttpBearer):
    """`Authorization: Bearer <app token>`: the token (and through it the member) while it still works
    (consent.services.app_token_use)."""

    def authenticate(self, request: HttpRequest, token: str) -> AppToken | None:
        return services.app_token_use(secret=token)


def _app_token(request: HttpRequest) -> AppToken:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's auth to MemberToken's result


api = NinjaAPI(
    title="Privacy Center API",
    version="1",
    description=__doc__ or "",
    urls_namespace="api-v1",
    docs_url="/docs",
)


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = HttpResponse(status=HTTPStatus.UNAUTHORIZED)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(ValidationError)
def _malformed(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # Where and what, never the submitted values back.
    problems = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))} for error in exc.errors
    ]
    return api.create_response(request, {"detail": "malformed request", "errors": problems}, status=400)


@api.exception_handler(services.DeviceLimitReached)
def _device_limit(request: HttpRequest, exc: services.DeviceLimitReached) -> HttpResponse:
    detail = (
        f"this account has registered {exc.limit} devices, the most it may: sign one of them out first, or "
        "update one with PUT /api/v1/devices/{device_id}"
    )
    return api.create_response(request, {"detail": detail, "errors": []}, status=HTTPStatus.CONFLICT)


# Eligibility (R-API-1) -----------------------------------------------------------------------------------------


class Eligibility(Schema):
    profile: UUID
    device: UUID | None = None
    behavioral_advertising: bool = Field(description="May this profile (on this device) get behavioral ads.")
    mic: bool = Field(description="May this profile's account identifiers be used for MIC.")
    choices: dict[str, bool] = Field(
        description="Every choice a member sets on their pages, by registry key, answered by the same rules "
        "(email and text categories appear here as soon as they are registered)."
    )


class BatchIn(Schema):
    profiles: list[UUID] = Field(min_length=1, max_length=BATCH_MAX)


class BatchOut(Schema):
    results: list[Eligibility]
    unknown: list[UUID] = Field(description="Requested profiles that do not exist.")


class Problem(Schema):
    detail: str


def _answer(
    profile_id: UUID,
    facts: policy.ProfileFacts,
    device_id: UUID | None = None,
    device: policy.DeviceFacts | None = None,
    *,
    has_phone: bool,
) -> dict[str, Any]:
    choices = policy.eligibility(facts, device, has_phone=has_phone)
    return {
        "profile": profile_id,
        "device": device_id,
        "behavioral_advertising": policy.behavioral_ads_allowed(facts, device),
        "mic": policy.mic_allowed(facts),
        "choices": choices,
    }


@api.get(
    "/eligibility",
    auth=ServiceToken(),
    response={200: Eligibility, 404: Problem},
    summary="May this profile (on this device) get behavioral ads, MIC, each email and text category",
)
def eligibility(request: HttpRequest, profile: UUID, device: UUID | None = None) -> dict[str, Any]:
    found = Profile.objects.select_related("account__phone").filter(pk=profile).first()
    if found is None:
        raise Http404("unknown profile")
    device_facts = None
    if device is not None:
        the_device = Device.objects.filter(pk=device, account_id=found.account_id).first()
        if the_device is None:  # unknown, or another account's: the same answer
            raise Http404("unknown device")
        device_facts = selectors.device_facts(device=the_device)
    facts = selectors.profile_facts(profile=found, account=found.account)
    has_phone = account_selectors.account_phone(account=found.account) is not None
    return _answer(found.pk, facts, device, device_facts, has_phone=has_phone)


@api.post(
    "/eligibility/batch",
    auth=ServiceToken(),
    response=BatchOut,
    summary=f"Eligibility of up to {BATCH_MAX} profiles in one read-only request (two queries)",
)
def eligibility_batch(request: HttpRequest, payload: BatchIn) -> dict[str, Any]:
    wanted = list(dict.fromkeys(payload.profiles))
    found = selectors.facts_and_phone_by_profile_id(wanted)
    return {
        "results": [_answer(pk, found[pk][0], has_phone=found[pk][1]) for pk in wanted if pk in found],
        "unknown": [pk for pk in wanted if pk not in found],
    }


# The mobile app (R-AD-1, R-PUSH-1) ----------------------------------------------------------------------------


class Credentials(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=128)


class IssuedToken(Schema):
    token: str
    idle_lifetime_days: int = Field(description="The token stops working after this many days without use.")


@api.post(
    "/app/tokens",
    response={201: IssuedToken},
    summary="Exchange the member's email and password for an app token",
    description="An account holds at most PRIVACY_APP_TOKENS_PER_ACCOUNT tokens: a new one retires the least "
    "recently used.",
)
def app_token_create(request: HttpRequest, payload: Credentials) -> Status[dict[str, Any]]:
    account = authenticate(request, username=payload.email, password=payload.password)
    if not isinstance(account, Account):
        raise AuthenticationError
    token = services.app_token_issue(account=account)
    return Status(HTTPStatus.CREATED, {"token": token, "idle_lifetime_days": settings.PRIVACY_APP_TOKEN_IDLE_DAYS})


@api.delete(
    "/app/tokens/current",
    auth=MemberToken(),
    response={204: None},
    summary="Revoke the app token this request is made with (sign this app out)",
)
def app_token_delete_current(request: HttpRequest) -> Status[None]:
    token = _app_token(request)
    services.app_token_revoke(account=token.account, token_id=token.pk)
    return Status(HTTPStatus.NO_CONTENT, None)


@api.delete(
    "/app/tokens",
    auth=MemberToken(),
    response={204: None},
    summary="Revoke every app token of the member's account, this one included (sign the app out everywhere)",
)
def app_token_delete_all(request: HttpRequest) -> Status[None]:
    services.app_token_revoke_all(account=_app_token(request).account)
    return Status(HTTPStatus.NO_CONTENT, None)


class DeviceIn(Schema):
    platform: Platform
    advertising_id: str = Field(default="", max_length=64, pattern=r"^[A-Za-z0-9-]*$")
    limit_ad_tracking: bool
    notifications: bool


class DeviceOut(Schema):
    id: UUID
    platform: str
    limit_ad_tracking: bool
    notifications: bool


def _device_out(device: Device) -> dict[str, Any]:
    values = selectors.device_facts(device=device).values
    return {
        "id": device.pk,
        "platform": device.platform,
        "limit_ad_tracking": values[Choice.DEVICE_LIMIT_AD_TRACKING],
        "notifications": values[Choice.DEVICE_NOTIFICATIONS],
    }


def _register(request: HttpRequest, payload: DeviceIn, device: Device | None) -> Device:
    account = _app_token(request).account
    return services.device_register(
        account=account,
        device=device,
        platform=payload.platform,
        advertising_id=payload.advertising_id,
        limit_ad_tracking=payload.limit_ad_tracking,
        notifications=payload.notifications,
        acting_user=account,
    )


@api.post(
    "/devices",
    auth=MemberToken(),
    response={201: DeviceOut, 409: Problem},
    summary="Register the member's device",
    description="An account registers at most PRIVACY_DEVICES_PER_ACCOUNT devices: one more is refused with 409 "
    "(nothing is written) until one is signed out; updating a registered device is always possible.",
)
def device_create(request: HttpRequest, payload: DeviceIn) -> Status[dict[str, Any]]:
    return Status(HTTPStatus.CREATED, _device_out(_register(request, payload, None)))


@api.put(
    "/devices/{device_id}",
    auth=MemberToken(),
    response={200: DeviceOut, 404: Problem},
    summary="Update what the app reports about one of the member's devices",
)
def device_update(request: HttpRequest, device_id: UUID, payload: DeviceIn) -> dict[str, Any]:
    device = Device.objects.filter(pk=device_id, account=_app_token(request).account).first()
    if device is None:
        raise Http404("unknown device")
    return _device_out(_register(request, payload, device))
