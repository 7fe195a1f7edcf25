"""Nothing secret or personal reaches a log (docs/rules.md, Qualities). tests/log_guard.py checks the log of every
test's flow; these tests prove it recognises what it looks for, and walk the flows that handle secrets with every logger
at DEBUG."""

import json
import logging
import time
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from common.sms import backends
from consent import email, webhooks
from tests.factories import PASSWORD, AccountFactory, StaffFactory
from tests.helpers import profile_named
from tests.log_guard import leaks

pytestmark = pytest.mark.django_db


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("test", logging.WARNING, __file__, 1, message, None, None)


@pytest.mark.parametrize(
    "message",
    [
        "sent to ads@example.com",
        "SMS to +14155550123: hello",
        "Your Privacy Center password reset code is 587873.",
        "session 0nq5bg9oq3kxyzd6ms1u3u2c7yl2ur4v",
        "token 9-2TmYbS3vH0mZ0d1gQx7k3aBcDeFgHiJkLmNoPqRsT",
        "Bad Request: /unsubscribe/eyJwIjoiYWJjIn0:1tKz9X:AbCdEfGhIjKlMnOpQrStUvWxYz012345/",
    ],
)
def test_the_log_guard_recognises_personal_and_secret_data(message):
    assert leaks(record(message))


@pytest.mark.parametrize(
    "message",
    [
        "Bad Request: /api/v1/devices/e3e70682c2094cac629f6fbed82c07cd",
        "Not Found: /account/profiles/7446eeaf-c598-4db0-9a90-b5734b8603e8/privacy/",
        "Database unavailable during GET /account/: OperationalError",
        "Too Many Requests: /password-reset/text/",
    ],
)
def test_the_log_guard_lets_opaque_ids_and_paths_through(message):
    assert not leaks(record(message))


def test_the_flows_that_handle_secrets_log_none_of_them(caplog, ads_account):
    backends.outbox.clear()
    AccountFactory(email="texts@example.com", phone="+14155550123")
    staff = StaffFactory()
    with caplog.at_level(logging.DEBUG):
        visitor = Client()
        visitor.post(reverse("login"), {"username": "texts@example.com", "password": "wrong-password"})
        visitor.post(reverse("login"), {"username": "texts@example.com", "password": PASSWORD})
        Client().post(reverse("password_reset"), {"email": "texts@example.com"})
        asker = Client()
        asker.post(reverse("password_reset_text"), {"email": "texts@example.com", "number": "+14155550123"})
        code = backends.outbox[-1].body.split("code is ")[1][:6]
        asker.post(
            reverse("password_reset_text_code"),
            {"code": code, "new_password1": "a-new-long-passphrase-42", "new_password2": "a-new-long-passphrase-42"},
        )
        sam = profile_named(ads_account, "Sam")
        link = email.unsubscribe_url(profile=sam, category="email_offers")
        Client().post(link.removeprefix("http://127.0.0.1:8000"))
        Client().get(f"{reverse('unsubscribe')}?t=forged-{'x' * 40}")
        body = json.dumps({"from": "+14155550123", "text": "STOP"}).encode()
        now = int(time.time())
        signature = webhooks.sign(body=body, timestamp=now, secret="test-webhook-secret-0123456789")
        for _ in range(2):  # the second is a replay: refused
            Client().post(
                reverse("sms_inbound"),
                body,
                content_type="application/json",
                headers={webhooks.TIMESTAMP_HEADER: str(now), webhooks.SIGNATURE_HEADER: signature},
            )
        admin = Client()
        admin.force_login(staff)
        assert admin.get("/admin/accounts/account/", {"q": "texts@example.com"}).status_code == HTTPStatus.OK
    assert len(backends.outbox) == 1
    found = [(r.name, r.getMessage()) for r in caplog.records if leaks(r)]
    assert found == []
