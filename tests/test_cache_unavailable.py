"""docs/rules.md, Qualities (faults): when the shared cache does not answer (Redis down or unreachable), a page answers
503 with Retry-After in bounded time, never a 500 and never a hang; it is back as soon as the cache is."""

import json
import time
from http import HTTPStatus

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

# A port nothing listens on: connecting is refused at once, as with Redis stopped.
UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_pages_answer_503_while_the_cache_is_unreachable():
    account = AccountFactory()
    client = Client(raise_request_exception=False)
    client.force_login(account)
    with override_settings(CACHES=UNREACHABLE, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        caches.close_all()
        started = time.monotonic()
        for path in ("/account/", "/cookies/", "/"):
            response = client.get(path)
            assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE, path
            assert response["Retry-After"]
        assert time.monotonic() - started < 10
    caches.close_all()
    assert client.get("/account/").status_code == HTTPStatus.OK


def test_the_api_answers_a_json_503_while_the_cache_is_unreachable():
    """The API's errors are JSON in its one shape (consent.api), the cache's outage included."""
    account = AccountFactory()
    client = Client(raise_request_exception=False)
    body = json.dumps({"email": account.email, "password": "any-password"})
    with override_settings(CACHES=UNREACHABLE):
        caches.close_all()
        response = client.post("/api/v1/app/tokens", body, content_type="application/json")
    caches.close_all()
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail", "errors"}
    assert response["Retry-After"]
