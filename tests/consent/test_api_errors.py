"""Every error the API answers is JSON in one shape, `{"detail": "...", "errors": [...]}` (401 with
`WWW-Authenticate: Bearer`, 429 and 503 with Retry-After), and each operation's OpenAPI description lists exactly
the error statuses it can answer (R-API-1)."""

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from http import HTTPStatus
from typing import cast

import pytest
from django.conf import settings
from django.db import OperationalError, connections
from django.test import override_settings

from accounts.models import Account
from consent import services
from consent.models import Device, EligibilityFeedHorizon, Platform
from tests.factories import PASSWORD, AccountFactory

pytestmark = pytest.mark.django_db

SERVICE = {"HTTP_AUTHORIZATION": "Bearer test-service-token-0123456789"}
DEVICE = {"platform": "ios", "advertising_id": "", "limit_ad_tracking": False, "notifications": True}
TOO_BIG = json.dumps({"profiles": ["0" * 36] * 7000})


class Api:
    """A member with an app token and a device, and one of each way to call the API."""

    def __init__(self, client) -> None:
        self.client = client
        self.account = cast(Account, AccountFactory())
        self.token = services.app_token_issue(account=self.account)
        self.app = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}
        self.device = self.register()
        self.profile = self.account.profiles.get()

    def register(self) -> Device:
        return services.device_register(
            account=self.account,
            platform=Platform.IOS,
            advertising_id="",
            limit_ad_tracking=False,
            notifications=True,
            acting_user=self.account,
        )

    def json(self, method: str, path: str, body, content_type: str = "application/json", **headers):
        data = body if isinstance(body, str) else json.dumps(body)
        return getattr(self.client, method)(path, data, content_type=content_type, **headers)

    def sign_in(self, password: str = PASSWORD, **kwargs):
        return self.json("post", "/api/v1/app/tokens", {"email": self.account.email, "password": password}, **kwargs)

    def locked_out(self):
        for _ in range(5):
            response = self.sign_in("wrong-password")
        return response

    def at_device_limit(self):
        for _ in range(9):
            self.register()
        return self.json("post", "/api/v1/devices", DEVICE, **self.app)

    def put_device(self, body, device=None, **kwargs):
        return self.json("put", f"/api/v1/devices/{device or self.device.pk}", body, **kwargs)

    def feed_busy(self, path: str):
        with override_settings(PRIVACY_FEED_PAGES_PER_SECOND=0):
            return self.client.get(path, **SERVICE)

    def feed_purged(self):
        EligibilityFeedHorizon.objects.create(txid=0, change_id=1)
        return self.client.get(CHANGES[1], {"after": "0.0"}, **SERVICE)


Call = Callable[[Api], object]
ELIGIBILITY = ("get", "/api/v1/eligibility")
BATCH = ("post", "/api/v1/eligibility/batch")
TOKENS = ("post", "/api/v1/app/tokens")
REVOKE_ALL = ("delete", "/api/v1/app/tokens")
REVOKE_CURRENT = ("delete", "/api/v1/app/tokens/current")
REGISTER = ("post", "/api/v1/devices")
UPDATE = ("put", "/api/v1/devices/{device_id}")
CHANGES = ("get", "/api/v1/changes")
CURSOR = ("get", "/api/v1/changes/cursor")

# Per operation, each error status it can answer and a request that gets it.
ERRORS: dict[tuple[str, str], dict[HTTPStatus, Call]] = {
    ELIGIBILITY: {
        HTTPStatus.BAD_REQUEST: lambda api: api.client.get("/api/v1/eligibility", {"profile": "x"}, **SERVICE),
        HTTPStatus.UNAUTHORIZED: lambda api: api.client.get("/api/v1/eligibility", {"profile": str(api.profile.pk)}),
        HTTPStatus.NOT_FOUND: lambda api: api.client.get(
            "/api/v1/eligibility", {"profile": str(uuid.uuid4())}, **SERVICE
        ),
        HTTPStatus.SERVICE_UNAVAILABLE: lambda api: api.client.get(
            "/api/v1/eligibility", {"profile": str(api.profile.pk)}, **SERVICE
        ),
    },
    BATCH: {
        HTTPStatus.BAD_REQUEST: lambda api: api.json("post", BATCH[1], {"profiles": []}, **SERVICE),
        HTTPStatus.UNAUTHORIZED: lambda api: api.json("post", BATCH[1], {"profiles": [str(api.profile.pk)]}),
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE: lambda api: api.json("post", BATCH[1], TOO_BIG, **SERVICE),
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE: lambda api: api.json("post", BATCH[1], "{}", "text/plain", **SERVICE),
        HTTPStatus.SERVICE_UNAVAILABLE: lambda api: api.json(
            "post", BATCH[1], {"profiles": [str(api.profile.pk)]}, **SERVICE
        ),
    },
    TOKENS: {
        HTTPStatus.BAD_REQUEST: lambda api: api.json("post", TOKENS[1], {"email": 1}),
        HTTPStatus.UNAUTHORIZED: lambda api: api.sign_in("wrong-password"),
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE: lambda api: api.json("post", TOKENS[1], TOO_BIG),
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE: lambda api: api.sign_in(content_type="text/plain"),
        HTTPStatus.TOO_MANY_REQUESTS: Api.locked_out,
        HTTPStatus.SERVICE_UNAVAILABLE: lambda api: api.sign_in(),
    },
    REVOKE_ALL: {
        HTTPStatus.UNAUTHORIZED: lambda api: api.client.delete(REVOKE_ALL[1], **SERVICE),
        HTTPStatus.SERVICE_UNAVAILABLE: lambda api: api.client.delete(REVOKE_ALL[1], **api.app),
    },
    REVOKE_CURRENT: {
        HTTPStatus.UNAUTHORIZED: lambda api: api.client.delete(REVOKE_CURRENT[1], HTTP_AUTHORIZATION="Bearer x"),
        HTTPStatus.SERVICE_UNAVAILABLE: lambda api: api.client.delete(REVOKE_CURRENT[1], **api.app),
    },
    REGISTER: {
        HTTPStatus.BAD_REQUEST: lambda api: api.json("post", REGISTER[1], {**DEVICE, "platform": "palm"}, **api.app),
        HTTPStatus.UNAUTHORIZED: lambda api: api.json("post", REGISTER[1], DEVICE, **SERVICE),
        HTTPStatus.CONFLICT: Api.at_device_limit,
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE: lambda api: api.json("post", REGISTER[1], TOO_BIG, **api.app),
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE: lambda api: api.json("post", REGISTER[1], DEVICE, "text/plain", **api.app),
        HTTPStatus.SERVICE_UNAVAILABLE: lambda api: api.json("post", REGISTER[1], DEVICE, **api.app),
    },
    UPDATE: {
        HTTPStatus.BAD_REQUEST: lambda api: api.put_device({**DEVICE, "notifications": "maybe"}, **api.app),
        HTTPStatus.UNAUTHORIZED: lambda api: api.put_device(DEVICE),
        HTTPStatus.NOT_FOUND: lambda api: api.put_device(DEVICE, device=uuid.uuid4(), **api.app),
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE: lambda api: api.put_device(TOO_BIG, **api.app),
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE: lambda api: api.put_device(DEVICE, content_type="text/plain", **api.app),
        HTTPStatus.SERVICE_UNAVAILABLE: lambda api: api.put_device(DEVICE, **api.app),
    },
    CHANGES: {
        HTTPStatus.BAD_REQUEST: lambda api: api.client.get(CHANGES[1], {"after": "x"}, **SERVICE),
        HTTPStatus.UNAUTHORIZED: lambda api: api.client.get(CHANGES[1]),
        HTTPStatus.GONE: lambda api: api.feed_purged(),
        HTTPStatus.TOO_MANY_REQUESTS: lambda api: api.feed_busy(CHANGES[1]),
        HTTPStatus.SERVICE_UNAVAILABLE: lambda api: api.client.get(CHANGES[1], **SERVICE),
    },
    CURSOR: {
        HTTPStatus.UNAUTHORIZED: lambda api: api.client.get(CURSOR[1]),
        HTTPStatus.TOO_MANY_REQUESTS: lambda api: api.feed_busy(CURSOR[1]),
        HTTPStatus.SERVICE_UNAVAILABLE: lambda api: api.client.get(CURSOR[1], **SERVICE),
    },
}


def _database_down(execute, sql, params, many, context):
    raise OperationalError("canceling statement due to statement timeout")


@contextmanager
def databases_down() -> Iterator[None]:
    """Every database stops answering: the primary and, with DATABASE_REPLICA_URL set, the replica the API reads
    (common.replica), which has no fallback to the primary: its reads answer 503 too."""
    with ExitStack() as stack:
        for alias in settings.DATABASES:
            stack.enter_context(connections[alias].execute_wrapper(_database_down))
        yield


@pytest.fixture(scope="module")
def documented(django_db_blocker) -> dict[tuple[str, str], set[int]]:
    from consent.api import api

    paths = api.get_openapi_schema()["paths"]
    return {
        (method, path.removeprefix("/api/v1")): {int(status) for status in operation["responses"]}
        for path, operations in paths.items()
        for method, operation in operations.items()
    }


@pytest.mark.parametrize(
    ("operation", "status"), [(operation, status) for operation, calls in ERRORS.items() for status in calls]
)
def test_every_api_error_is_json_in_the_one_shape_and_documented__R_API_1(client, documented, operation, status):
    api = Api(client)
    if status == HTTPStatus.SERVICE_UNAVAILABLE:
        with databases_down():
            response = ERRORS[operation][status](api)
    else:
        response = ERRORS[operation][status](api)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert all(set(error) == {"loc", "msg"} for error in body["errors"])
    assert status in documented[(operation[0], operation[1].removeprefix("/api/v1"))]
    if status == HTTPStatus.UNAUTHORIZED:
        assert response["WWW-Authenticate"] == "Bearer"
    if status in {HTTPStatus.TOO_MANY_REQUESTS, HTTPStatus.SERVICE_UNAVAILABLE}:
        assert int(response["Retry-After"]) > 0


def test_each_operation_documents_exactly_the_errors_it_can_answer__R_API_1(documented):
    assert set(documented) == {(method, path.removeprefix("/api/v1")) for method, path in ERRORS}
    for (method, path), statuses in ERRORS.items():
        errors = {status for status in documented[(method, path.removeprefix("/api/v1"))] if status >= 400}
        assert errors == set(statuses), (method, path)


def test_errors_never_say_why_a_credential_failed__R_API_1(client):
    api = Api(client)
    unknown = api.json("post", "/api/v1/app/tokens", {"email": "nobody@example.com", "password": PASSWORD})
    assert api.sign_in("wrong-password").json() == unknown.json() == {"detail": "not authenticated", "errors": []}
    revoked = services.app_token_issue(account=api.account)
    services.app_token_revoke_all(account=api.account)
    assert api.json("post", "/api/v1/devices", DEVICE, HTTP_AUTHORIZATION=f"Bearer {revoked}").json() == unknown.json()


def test_the_sign_in_lock_out_answers_the_api_in_json_and_the_page_in_html(client):
    api = Api(client)
    locked = api.locked_out()
    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert locked.json() == {"detail": "Too many failed sign-in attempts from here; try again later.", "errors": []}
    assert locked["Retry-After"] == "900"  # AXES_COOLOFF_HOURS = 0.25
    assert api.account.email not in locked.content.decode()
    assert api.sign_in().status_code == HTTPStatus.TOO_MANY_REQUESTS  # the right password waits too
    page = client.post("/login/", {"username": api.account.email, "password": PASSWORD})
    assert page.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert page["Content-Type"].startswith("text/html")
    assert "Too many sign-in attempts" in page.content.decode()


def test_a_database_that_does_not_answer_is_a_logged_json_503_without_the_token__R_API_1(client, caplog):
    api = Api(client)
    with databases_down():
        response = api.put_device(DEVICE, **api.app)
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert [r.getMessage() for r in caplog.records if r.name == "consent.api"] == [
        "Database unavailable during PUT api/v1/devices/<device_id>"
    ]
    assert api.token not in caplog.text
    assert Device.objects.count() == 1
