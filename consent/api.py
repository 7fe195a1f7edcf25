"""The JSON API, served under /api/v1/ with its OpenAPI description at /api/v1/openapi.json (docs: /api/v1/docs).

- Downstream systems (R-API-1): read-only eligibility, one profile (optionally on one device) or up to 1,000
  profiles per request, authenticated with the service token from PRIVACY_API_TOKEN (compared in constant time).
  Every answer comes from consent.selectors (the facts the pages read) and consent.policy (the rules the pages
  apply), so the API and the pages cannot disagree. With DATABASE_REPLICA_URL set, these reads (and the feed's)
  go to the replica (common/replica.py).
- The change feed (R-API-3): every change of a profile's answer, followed with a cursor (`GET /changes?after=`),
  never skipping one that committed late; its head at `GET /changes/cursor`. Same service token; at most
  PRIVACY_FEED_PAGES_PER_SECOND pages a second (429); a cursor older than the retention (R-AU-3) is 410 Gone.
- The mobile app (R-AD-1, R-PUSH-1, R-DEV-1): a member exchanges email and password for an app token (throttled
  by django-axes like the sign-in page), then registers or updates a device with that token, and can revoke the
  token or every token of the account. A token stops working after PRIVACY_APP_TOKEN_IDLE_DAYS (90) days
  without use; an account holds at most PRIVACY_APP_TOKENS_PER_ACCOUNT (10) tokens (a new one retires the least
  recently used) and PRIVACY_DEVICES_PER_ACCOUNT (10) devices (one more is refused with 409).

Requests: a body (POST, PUT) is JSON sent with `Content-Type: application/json`, at most 256 KiB and nested at
most 32 arrays or objects deep. Anything else is refused before authentication runs (415, 413, 400) and changes
nothing, so a form on another site (which can send only text/plain, form-encoded or multipart bodies) cannot
drive the sign-in lock-out.

Errors: every error is JSON in one shape, `{"detail": "<in words>", "errors": [{"loc": [...], "msg": "..."}]}`,
where `errors` lists problems with the input (where and what, never the value sent back) and is empty otherwise,
and each operation lists the statuses it can answer. They never reveal why a credential failed: a missing, wrong
or expired token, or a wrong password, is 401 with `WWW-Authenticate: Bearer`; malformed input is 400; an unknown
(or someone else's) profile or device is 404; a feed cursor older than the retention is 410; too many
failed sign-ins or feed pages is 429 with Retry-After; a database or shared cache that does not answer in
time is 503 with Retry-After.
"""

import functools
import hmac
import json
import logging
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from http import HTTPStatus
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.responses import Status
from ninja.security import HttpBearer

from accounts import axes
from accounts import selectors as account_selectors
from accounts.models import Account, Profile
from common import json as json_bodies
from common import replica, throttle
from common.middleware import RETRY_AFTER_S, UNAVAILABLE
from common.problems import problem
from consent import eligibility as answers
from consent import selectors, services
from consent.choices import Choice
from consent.models import AppToken, Device, Platform

logger = logging.getLogger(__name__)

BATCH_MAX = 1000
# A batch of 1,000 profile ids is about 40 KiB; pretty-printed, under 100.
BODY_MAX_BYTES = 256 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
JSON = "application/json"


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


# Requests and errors --------------------------------------------------------------------------------------------


def _malformed(msg: str) -> HttpResponse:
    return problem(HTTPStatus.BAD_REQUEST, "malformed request", errors=[{"loc": ["body"], "msg": msg}])


def _too_big() -> HttpResponse:
    return problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body may be at most {BODY_MAX_BYTES} bytes")


def _body_refusal(request: HttpRequest) -> HttpResponse | None:
    """Why a request's body is refused before anything else runs (authentication included), or None. An empty
    body is left to the operation (one that needs a body answers 400)."""
    if request.method not in BODY_METHODS:
        return None  # no operation reads a body on GET or DELETE
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0  # as Django reads it: no body
    if declared > BODY_MAX_BYTES:
        return _too_big()  # without reading it
    try:
        body = request.body
    except RequestDataTooBig:  # DATA_UPLOAD_MAX_MEMORY_SIZE set below BODY_MAX_BYTES
        return _too_big()
    if not body:
        return None
    if request.content_type != JSON:
        return problem(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"send the body as JSON, with Content-Type: {JSON}")
    try:
        too_deep = json_bodies.deeper_than(body.decode("utf-8"))
    except UnicodeDecodeError:
        return _malformed("the body is not UTF-8")
    if too_deep:
        return _malformed(f"arrays and objects nested deeper than {json_bodies.MAX_DEPTH}")
    return None


def _json_bodies_only(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = _body_refusal(request)
        return refusal if refusal is not None else run(request, *args, **kwargs)

    return checked


# "view" mode: around the whole operation, before authentication, throttling and parsing.
api.add_decorator(_json_bodies_only, mode="view")


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = problem(HTTPStatus.UNAUTHORIZED, "not authenticated")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # Where and what, never the submitted values back.
    return problem(
        HTTPStatus.BAD_REQUEST,
        "malformed request",
        errors=[
            {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
            for error in exc.errors
        ],
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own refusals, e.g. a body that is not JSON ("Cannot parse request body", 400).
    return problem(HTTPStatus(exc.status_code), str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(HTTPStatus.NOT_FOUND, "not found")


@api.exception_handler(services.DeviceLimitReached)
def _device_limit(request: HttpRequest, exc: services.DeviceLimitReached) -> HttpResponse:
    return problem(
        HTTPStatus.CONFLICT,
        f"this account has registered {exc.limit} devices, the most it may: sign one of them out first, or "
        "update one with PUT /api/v1/devices/{device_id}",
    )


class FeedGone(Exception):
    """A cursor from before the feed's retention horizon: entries after it may have been purged (R-AU-3)."""


class FeedBusy(Exception):
    """More feed pages this second than PRIVACY_FEED_PAGES_PER_SECOND allows the token."""


@api.exception_handler(FeedGone)
def _feed_gone(request: HttpRequest, exc: FeedGone) -> HttpResponse:
    return problem(
        HTTPStatus.GONE,
        "this cursor is older than the feed keeps: rebuild your copy (POST /api/v1/eligibility/batch for the "
        "profiles you hold), then follow the feed from GET /api/v1/changes/cursor, taken before you rebuild",
    )


@api.exception_handler(FeedBusy)
def _feed_busy(request: HttpRequest, exc: FeedBusy) -> HttpResponse:
    response = problem(HTTPStatus.TOO_MANY_REQUESTS, "too many feed pages this second; try again in a second")
    response["Retry-After"] = "1"
    return response


def _unavailable(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
    # As common.middleware.DatabaseUnavailableMiddleware does for pages; the route, never ids or tokens.
    route = request.resolver_match.route if request.resolver_match else ""
    logger.error("Database unavailable during %s %s", request.method, route, exc_info=isinstance(exc, Exception))
    response = problem(HTTPStatus.SERVICE_UNAVAILABLE, "the service is unavailable for a moment; try again")
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response


# The database (Django's OperationalError) or the shared cache (Redis's errors) not answering in time.
for _failure in UNAVAILABLE:
    api.add_exception_handler(_failure, _unavailable)


class ProblemItem(Schema):
    loc: list[str] = Field(description='Where in the request, e.g. ["body", "profiles", "0"].')
    msg: str


class Problem(Schema):
    detail: str = Field(description="What went wrong, in words.")
    errors: list[ProblemItem] = Field(description="Problems with the input; empty when none is to blame.")


# Every operation can meet a database that does not answer in time; every one with a body can get a body it refuses.
ALWAYS = (HTTPStatus.SERVICE_UNAVAILABLE,)
BODY = (HTTPStatus.BAD_REQUEST, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, HTTPStatus.UNSUPPORTED_MEDIA_TYPE)


def _answers(success: dict[int, Any], *errors: HTTPStatus) -> dict[int, Any]:
    """An operation's documented answers: its success, and each error status it can answer, all as Problem."""
    return {**success, **{int(status): Problem for status in sorted({*errors, *ALWAYS})}}


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
    gpp: str = Field(
        description="R-API-2: the profile's IAB Global Privacy Platform string: the GPP header and the US National "
        "section (id 7, version 2) with its GPC sub-section, e.g. `DBABLA~CVQqAAAAAACA.QA`. SaleOptOut, "
        "SharingOptOut and TargetedAdvertisingOptOut are 1 (opted out) when behavioral advertising (where the "
        "plan has it) or MIC is off, else 2; the notice and MSPA fields are the business's declarations "
        "(PRIVACY_GPP_* settings); Gpc is set once an honoured Global Privacy Control signal has covered the "
        "profile. docs/downstream.md has the full table.",
        pattern=r"^DBABLA~[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
    )


class BatchIn(Schema):
    profiles: list[UUID] = Field(min_length=1, max_length=BATCH_MAX)


class BatchOut(Schema):
    results: list[Eligibility]
    unknown: list[UUID] = Field(description="Requested profiles that do not exist.")


@api.get(
    "/eligibility",
    auth=ServiceToken(),
    response=_answers({200: Eligibility}, HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND),
    summary="May this profile (on this device) get behavioral ads, MIC, each email and text category",
)
def eligibility(request: HttpRequest, profile: UUID, device: UUID | None = None) -> HttpResponse:
    with replica.reads():
        if device is None:
            found = answers.answers([profile]).get(profile)
            if found is None:
                raise Http404("unknown profile")
            return _json(found)
        the_profile = Profile.objects.select_related("account__phone").filter(pk=profile).first()
        if the_profile is None:
            raise Http404("unknown profile")
        the_device = Device.objects.filter(pk=device, account_id=the_profile.account_id).first()
        if the_device is None:  # unknown, or another account's: the same answer
            raise Http404("unknown device")
        facts = selectors.profile_facts(profile=the_profile, account=the_profile.account)
        has_phone = account_selectors.account_phone(account=the_profile.account) is not None
        return _json(
            answers.answer(
                the_profile.pk,
                facts,
                has_phone=has_phone,
                device_id=device,
                device=selectors.device_facts(device=the_device),
            )
        )


def _json(body: object) -> HttpResponse:
    """An answer already in JSON's types, written as is: the declared schema documents it, and validating a
    thousand answers again on the way out would cost more than deciding them."""
    return HttpResponse(json.dumps(body, separators=(",", ":")), content_type=JSON)


@api.post(
    "/eligibility/batch",
    auth=ServiceToken(),
    response=_answers({200: BatchOut}, *BODY, HTTPStatus.UNAUTHORIZED),
    summary=f"Eligibility of up to {BATCH_MAX} profiles in one read-only request (one query on PostgreSQL)",
)
def eligibility_batch(request: HttpRequest, payload: BatchIn) -> HttpResponse:
    with replica.reads():
        results, unknown = answers.answers_json(payload.profiles)
    body = f'{{"results":{results},"unknown":{json.dumps([str(pk) for pk in unknown])}}}'
    return HttpResponse(body, content_type=JSON)


# The change feed (R-API-3) ------------------------------------------------------------------------------------

FEED_LIMIT_MAX = 1000
FEED_LIMIT_DEFAULT = 100
CURSOR = re.compile(r"^([0-9]{1,19})\.([0-9]{1,19})$")  # ASCII digits: \d would take any script's
BIGINT_MAX = 2**63 - 1


def feed_answers(profile_ids: Iterable[UUID]) -> dict[UUID, dict[str, Any]]:
    """The answer of each profile that exists, as the eligibility API gives it: the feed's one source of answers."""
    return answers.answers(profile_ids)


def _cursor(position: selectors.FeedPosition) -> str:
    return f"{position[0]}.{position[1]}"


def _position(cursor: str | None) -> selectors.FeedPosition:
    """The parameter's position (its pattern already checked); FEED_START without one. 400 past the largest
    position."""
    if cursor is None:
        position = selectors.FEED_START
    else:
        match = CURSOR.match(cursor)
        if match is None:  # pragma: no cover - the parameter's pattern refuses it first
            raise HttpError(HTTPStatus.BAD_REQUEST, "malformed cursor")
        position = (int(match[1]), int(match[2]))
        if max(position) > BIGINT_MAX:
            raise ValidationError([{"loc": ["query", "after"], "msg": "not a cursor the feed gave"}])
    return position


def _still_kept(position: selectors.FeedPosition) -> None:
    """410 when `position` is older than the retention horizon (R-AU-3). Read after the page: the purge deletes
    entries and moves the horizon in one transaction, so a page read while a purge removed entries after
    `position` is refused here rather than served without them (a later read sees at least that horizon)."""
    if position < selectors.feed_horizon():
        raise FeedGone


def _feed_take(request: HttpRequest) -> None:
    # Per token: the service token is the one caller identity (request.auth); the throttle hashes it.
    if not throttle.take("feed", str(request.auth), limit=settings.PRIVACY_FEED_PAGES_PER_SECOND, window_seconds=1):  # type: ignore[attr-defined]
        raise FeedBusy


class FeedChange(Schema):
    cursor: str = Field(description="This entry's position: pass it as `after` to continue after it.")
    profile: UUID
    changed_at: datetime = Field(description="When the change was made.")
    answer: Eligibility | None = Field(
        description="The profile's answer as this page was read: the change's, or a later one's (which has an "
        "entry of its own further on). Null when the profile no longer exists: drop it."
    )


class FeedPage(Schema):
    changes: list[FeedChange] = Field(description="In feed order: apply them in this order.")
    next: str = Field(description="Pass as `after` for the next page (the last entry's cursor, or `after` again).")
    more: bool = Field(description="Whether more entries were ready: ask again at once rather than wait.")


class FeedCursor(Schema):
    cursor: str = Field(description="The feed's head: following from here gives every change made from now on.")


@api.get(
    "/changes",
    auth=ServiceToken(),
    response=_answers(
        {200: FeedPage},
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.GONE,
        HTTPStatus.TOO_MANY_REQUESTS,
    ),
    summary="Every change of a profile's eligibility, in an order to follow with a cursor",
    description="Entries of a transaction appear once it and every older transaction have ended, so one that "
    "commits late is never skipped: it comes after every cursor already given. A cursor older than the feed's "
    "retention (24 calendar months, R-AU-3), or none once anything was purged, is 410 Gone.",
)
def changes(
    request: HttpRequest,
    after: str | None = Query(
        None, pattern=CURSOR.pattern, max_length=39, description="A cursor the feed gave; none: the start."
    ),
    limit: int = Query(FEED_LIMIT_DEFAULT, ge=1, le=FEED_LIMIT_MAX),
) -> HttpResponse:
    _feed_take(request)
    with replica.reads():
        start = _position(after)
        entries = selectors.feed_page(after=start, limit=limit + 1)
        _still_kept(start)
        more, entries = len(entries) > limit, entries[:limit]
        answered = feed_answers({entry.profile_id for entry in entries})
    page = {
        "changes": [
            {
                "cursor": _cursor(entry.position),
                "profile": entry.profile_id,
                "changed_at": entry.changed_at,
                "answer": answered.get(entry.profile_id),
            }
            for entry in entries
        ],
        "next": _cursor(entries[-1].position if entries else start),
        "more": more,
    }
    # Up to 1,000 answers built from the schema's own fields: encoded directly, without validating each again on
    # the way out (the schema test holds the answer to FeedPage).
    return JsonResponse(page, encoder=DjangoJSONEncoder)


@api.get(
    "/changes/cursor",
    auth=ServiceToken(),
    response=_answers({200: FeedCursor}, HTTPStatus.UNAUTHORIZED, HTTPStatus.TOO_MANY_REQUESTS),
    summary="The change feed's head, to follow from once a copy is built",
)
def changes_cursor(request: HttpRequest) -> dict[str, Any]:
    _feed_take(request)
    with replica.reads():
        return {"cursor": _cursor(selectors.feed_head())}


# The mobile app (R-AD-1, R-PUSH-1, R-DEV-1) ---------------------------------------------------------------------


class Credentials(Schema):
    # No NUL character, as Django's form fields refuse it on the sign-in page: PostgreSQL cannot even compare one.
    email: str = Field(max_length=254, pattern=r"^[^\x00]*$")
    password: str = Field(max_length=128, pattern=r"^[^\x00]*$")


class IssuedToken(Schema):
    token: str
    idle_lifetime_days: int = Field(description="The token stops working after this many days without use.")


@api.post(
    "/app/tokens",
    response=_answers({201: IssuedToken}, *BODY, HTTPStatus.UNAUTHORIZED, HTTPStatus.TOO_MANY_REQUESTS),
    summary="Exchange the member's email and password for an app token",
    description="Failed attempts count towards the sign-in lock-out (django-axes), which answers 429; so does an "
    "attempt sent while another for the same email from the same client is being checked. An account "
    "holds at most PRIVACY_APP_TOKENS_PER_ACCOUNT tokens: a new one retires the least recently used.",
)
def app_token_create(request: HttpRequest, payload: Credentials) -> Status[dict[str, Any]] | HttpResponse:
    try:
        with axes.one_check_at_a_time(request, payload.email):
            account = authenticate(request, username=payload.email, password=payload.password)
    except axes.SignInBusy:
        response = problem(HTTPStatus.TOO_MANY_REQUESTS, "a sign-in for this email is already being checked")
        response["Retry-After"] = "1"
        return response
    if not isinstance(account, Account):
        raise AuthenticationError
    token = services.app_token_issue(account=account)
    return Status(HTTPStatus.CREATED, {"token": token, "idle_lifetime_days": settings.PRIVACY_APP_TOKEN_IDLE_DAYS})


@api.delete(
    "/app/tokens/current",
    auth=MemberToken(),
    response=_answers({204: None}, HTTPStatus.UNAUTHORIZED),
    summary="Revoke the app token this request is made with (sign this app out)",
)
def app_token_delete_current(request: HttpRequest) -> Status[None]:
    token = _app_token(request)
    services.app_token_revoke(account=token.account, token_id=token.pk)
    return Status(HTTPStatus.NO_CONTENT, None)


@api.delete(
    "/app/tokens",
    auth=MemberToken(),
    response=_answers({204: None}, HTTPStatus.UNAUTHORIZED),
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
    token = _app_token(request)
    account = token.account
    return services.device_register(
        account=account,
        device=device,
        platform=payload.platform,
        advertising_id=payload.advertising_id,
        limit_ad_tracking=payload.limit_ad_tracking,
        notifications=payload.notifications,
        acting_user=account,
        app_token=token,
    )


@api.post(
    "/devices",
    auth=MemberToken(),
    response=_answers({201: DeviceOut}, *BODY, HTTPStatus.UNAUTHORIZED, HTTPStatus.CONFLICT),
    summary="Register the member's device",
    description="An account registers at most PRIVACY_DEVICES_PER_ACCOUNT devices: one more is refused with 409 "
    "(nothing is written) until one is signed out; updating a registered device is always possible.",
)
def device_create(request: HttpRequest, payload: DeviceIn) -> Status[dict[str, Any]]:
    return Status(HTTPStatus.CREATED, _device_out(_register(request, payload, None)))


@api.put(
    "/devices/{device_id}",
    auth=MemberToken(),
    response=_answers({200: DeviceOut}, *BODY, HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND),
    summary="Update what the app reports about one of the member's devices",
)
def device_update(request: HttpRequest, device_id: UUID, payload: DeviceIn) -> dict[str, Any]:
    device = Device.objects.filter(pk=device_id, account=_app_token(request).account).first()
    if device is None:
        raise Http404("unknown device")
    return _device_out(_register(request, payload, device))
