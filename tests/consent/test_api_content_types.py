"""The API reads a body only as JSON sent with `Content-Type: application/json`, at most 256 KiB and 32 levels
deep; anything else is refused before authentication, changing nothing, so a form on another site cannot drive
the sign-in lock-out (R-API-1; docs/rules.md, Qualities: login throttling and bad input)."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from axes.models import AccessAttempt

from consent import services
from consent.models import AppToken, ConsentEvent, Device, Platform
from tests.factories import PASSWORD, AccountFactory

pytestmark = pytest.mark.django_db

SERVICE = {"HTTP_AUTHORIZATION": "Bearer test-service-token-0123456789"}
DEVICE = {"platform": "ios", "advertising_id": "", "limit_ad_tracking": False, "notifications": True}
NOT_JSON = [
    "text/plain",
    "text/plain; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/xml",
    "application/merge-patch+json",
    "application/jsonx",
    "",
]


@pytest.fixture
def member():
    account = AccountFactory()
    return account, services.app_token_issue(account=account)


def _body_endpoints(member) -> list[tuple[str, str, dict, dict]]:
    """(method, path, a valid body, the headers that authorise it) for every API operation that reads a body."""
    account, token = member
    device = Device.objects.filter(account=account).first() or services.device_register(
        account=account,
        platform=Platform.IOS,
        advertising_id="",
        limit_ad_tracking=False,
        notifications=True,
        acting_user=account,
    )
    app = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    return [
        ("post", "/api/v1/eligibility/batch", {"profiles": [str(account.profiles.get().pk)]}, SERVICE),
        ("post", "/api/v1/app/tokens", {"email": account.email, "password": PASSWORD}, {}),
        ("post", "/api/v1/devices", DEVICE, app),
        ("put", f"/api/v1/devices/{device.pk}", DEVICE, app),
    ]


def _send(client, method: str, path: str, body: bytes | str, content_type: str, headers: dict):
    return getattr(client, method)(path, body, content_type=content_type, **headers)


def _state() -> tuple:
    return (
        AppToken.objects.count(),
        Device.objects.count(),
        ConsentEvent.objects.count(),
        AccessAttempt.objects.count(),
        sorted(AppToken.objects.values_list("last_used_at", flat=True)),
    )


@pytest.mark.parametrize("content_type", NOT_JSON)
def test_a_body_that_is_not_declared_json_is_415_and_changes_nothing__R_API_1(client, member, content_type):
    for method, path, body, headers in _body_endpoints(member):
        before = _state()
        for auth in (headers, {}):  # refused before authentication: the same answer with or without a token
            response = _send(client, method, path, json.dumps(body), content_type, auth)
            assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE, (path, response.content)
            assert response.json() == {
                "detail": "send the body as JSON, with Content-Type: application/json",
                "errors": [],
            }
        assert _state() == before, path


def test_a_cross_site_form_cannot_drive_the_sign_in_lock_out__R_API_1(client):
    """What a form on another site can send: text/plain, form-encoded or multipart, never application/json."""
    account = AccountFactory()
    wrong = {"email": account.email, "password": "wrong-password"}
    for _ in range(10):
        assert client.post("/api/v1/app/tokens", json.dumps(wrong), content_type="text/plain").status_code == 415
        assert client.post("/api/v1/app/tokens", wrong).status_code == 415  # multipart, as the test client sends
        urlencoded = f"email={account.email}&password=wrong-password"
        response = client.post("/api/v1/app/tokens", urlencoded, content_type="application/x-www-form-urlencoded")
        assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    assert not AccessAttempt.objects.exists()
    right = json.dumps({"email": account.email, "password": PASSWORD})
    assert client.post("/api/v1/app/tokens", right, content_type="application/json").status_code == 201


def test_a_refused_body_does_not_even_record_the_tokens_use__R_API_1(client):
    account = AccountFactory()
    start = datetime(2027, 5, 1, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        token = services.app_token_issue(account=account)
        traveller.shift(timedelta(days=3))
        body = json.dumps(DEVICE)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        assert client.post("/api/v1/devices", body, content_type="text/plain", **headers).status_code == 415
    assert AppToken.objects.get().last_used_at == start


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"])
def test_json_is_accepted_with_a_charset_and_in_any_case__R_API_1(client, member, content_type):
    _, token = member
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.post("/api/v1/devices", json.dumps(DEVICE), content_type=content_type, **headers)
    assert response.status_code == HTTPStatus.CREATED


def test_an_empty_body_is_a_400_whatever_its_type__R_API_1(client, member):
    for method, path, _, headers in _body_endpoints(member):
        for content_type in ("application/json", "text/plain"):
            response = _send(client, method, path, b"", content_type, headers)
            assert response.status_code == HTTPStatus.BAD_REQUEST, path
            assert set(response.json()) == {"detail", "errors"}


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_nesting_past_32_is_a_400_on_every_json_endpoint__R_API_1(client, member):
    for method, path, body, headers in _body_endpoints(member):
        # An unknown key is ignored, so 32 levels of it are accepted and the request succeeds.
        accepted = _send(client, method, path, json.dumps({**body, "extra": _nested(31)}), "application/json", headers)
        assert accepted.status_code in {HTTPStatus.OK, HTTPStatus.CREATED}, (path, accepted.content)
        for depth in (32, 1000, 100_000):  # inside the body's own object: 33 levels and more
            deep = json.dumps({**body, "extra": _nested(depth)}) if depth < 1000 else "[" * depth + "]" * depth
            refused = _send(client, method, path, deep, "application/json", headers)
            assert refused.status_code == HTTPStatus.BAD_REQUEST, (path, depth)
            assert refused.json() == {
                "detail": "malformed request",
                "errors": [{"loc": ["body"], "msg": "arrays and objects nested deeper than 32"}],
            }


def test_a_body_over_256_kib_is_413_and_one_not_utf8_is_400__R_API_1(client, member):
    for method, path, _, headers in _body_endpoints(member):
        big = json.dumps({"profiles": [str(uuid.uuid4()) for _ in range(7000)]})
        assert len(big) > 256 * 1024
        response = _send(client, method, path, big, "application/json", headers)
        assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE, path
        assert response.json() == {"detail": "the body may be at most 262144 bytes", "errors": []}
        declared = getattr(client, method)(
            path, "{}", content_type="application/json", headers={"Content-Length": str(10**9)}, **headers
        )
        assert declared.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE, path  # refused without reading it
        latin1 = '{"email": "caf\xe9"}'.encode("latin-1")
        response = _send(client, method, path, latin1, "application/json", headers)
        assert response.status_code == HTTPStatus.BAD_REQUEST, path
        assert response.json()["errors"] == [{"loc": ["body"], "msg": "the body is not UTF-8"}]
