"""The inbound STOP webhook (R-SMS-3): an opt-out text from a number turns every text category off on every
account with that number, whatever its case, spaces and punctuation; only signed, fresh, unreplayed requests
count, and whatever is posted the answer is never a server error. Time is frozen: the signature's timestamp
and the webhook's clock are the same instant."""

import json
import time
from datetime import UTC, datetime
from http import HTTPStatus

import pytest
from django.core.cache import cache, caches
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import PhoneNumber
from consent import selectors, services, webhooks
from consent.choices import Choice, Source
from tests.factories import AccountFactory
from tests.helpers import actor, events_since, last_event_id, phone_like, post_inbound

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(datetime(2027, 4, 1, 12, 0, tzinfo=UTC), tick=False)]

SECRET = "test-webhook-secret-0123456789"  # netflix_privacy.settings.test
TEXTS = (Choice.SMS_ALERTS, Choice.SMS_OFFERS, Choice.SMS_SURVEYS)


def inbound(number: str, text: str) -> bytes:
    return json.dumps({"from": number, "text": text}).encode()


@pytest.fixture
def two_accounts_one_number(ads_account):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    other = AccountFactory(phone="+14155550123")
    third = AccountFactory(phone="+14155550999")
    return ads_account, other, third


def texts_of(account) -> list[bool]:
    values = selectors.account_values(account=account)
    return [values[key] for key in TEXTS]


def test_stop_turns_every_text_category_off_on_every_account_with_the_number__R_SMS_3(two_accounts_one_number):
    first, second, third = two_accounts_one_number
    mark = last_event_id()

    response = post_inbound(inbound("+14155550123", " stop "))

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"reply": webhooks.STOP_REPLY}
    assert texts_of(first) == texts_of(second) == [False, False, False]
    assert texts_of(third) == [True, True, True]
    assert sorted(events_since(mark)) == sorted(
        (None, key, True, False, Source.SMS_STOP, None) for _ in (first, second) for key in TEXTS
    )
    assert post_inbound(inbound("+14155550123", "STOP")).status_code == HTTPStatus.OK
    assert len(events_since(mark)) == 6, "a second STOP writes nothing"


@pytest.mark.parametrize(
    "text",
    ["Stop.", "STOP!", "stop!!", "\uff33\uff34\uff2f\uff30", "STOP\u200b", "\u00abstop\u00bb", "\u201cStop\u201d"],
)
def test_stop_with_punctuation_or_in_another_form_still_stops__R_SMS_3(text):
    """ "Stop." or "STOP!", and a fullwidth or zero-width-joined STOP from some keyboards, are a member's clear
    opt-out like "STOP"."""
    member = AccountFactory(phone="+14155550123")
    services.choices_set(account=member, values=dict.fromkeys(TEXTS, True), actor=actor())
    response = post_inbound(inbound("+14155550123", text))
    assert response.status_code == HTTPStatus.OK
    assert response.json()["reply"] == webhooks.STOP_REPLY
    assert texts_of(member) == [False, False, False]


@pytest.mark.parametrize(
    ("text", "reply"), [("START", webhooks.START_REPLY), ("help", webhooks.HELP_REPLY), ("hello", None)]
)
def test_start_and_help_are_answered_and_change_nothing__R_SMS_3(two_accounts_one_number, text, reply):
    mark = last_event_id()
    response = post_inbound(inbound("+14155550123", text))
    assert response.json() == {"reply": reply}
    assert events_since(mark) == []


def test_wrong_secret_tampered_body_and_missing_headers_are_refused__R_SMS_3(two_accounts_one_number):
    body = inbound("+14155550123", "STOP")
    mark = last_event_id()
    assert post_inbound(body, secret="another-secret").status_code == HTTPStatus.FORBIDDEN
    signature = webhooks.sign(body=body, timestamp=int(time.time()), secret=SECRET)
    tampered = inbound("+14155550999", "STOP")
    assert post_inbound(tampered, signature=signature).status_code == HTTPStatus.FORBIDDEN
    no_headers = Client().post(reverse("sms_inbound"), body, content_type="application/json")
    assert no_headers.status_code == HTTPStatus.FORBIDDEN
    assert events_since(mark) == []


def test_old_timestamps_and_replays_are_refused__R_SMS_3(two_accounts_one_number):
    body = inbound("+14155550123", "STOP")
    mark = last_event_id()
    assert post_inbound(body, timestamp=int(time.time()) - 301).status_code == HTTPStatus.FORBIDDEN
    assert post_inbound(body, timestamp=int(time.time()) + 301).status_code == HTTPStatus.FORBIDDEN
    assert events_since(mark) == []
    now = int(time.time())
    assert post_inbound(body, timestamp=now).status_code == HTTPStatus.OK
    assert post_inbound(body, timestamp=now).status_code == HTTPStatus.FORBIDDEN, "the same request again"


@override_settings(SMS_WEBHOOK_SECRET="")
def test_without_a_configured_secret_everything_is_refused__R_SMS_3(two_accounts_one_number):
    assert post_inbound(inbound("+14155550123", "STOP"), secret="").status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize(
    "body", [b"", b"not json", b"[]", b'{"from": 1, "text": "STOP"}', inbound("12ab", "STOP"), inbound("+1" * 40, "x")]
)
def test_signed_but_malformed_bodies_are_a_bad_request__R_SMS_3(body):
    assert post_inbound(body).status_code == HTTPStatus.BAD_REQUEST


any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60)


bodies = st.one_of(
    st.binary(max_size=200),
    any_text.map(str.encode),
    st.builds(
        lambda number, text: json.dumps({"from": number, "text": text}).encode(),
        phone_like,
        st.one_of(st.sampled_from(["STOP", "start", "HELP", " Stop please"]), any_text),
    ),
    st.dictionaries(any_text, st.one_of(any_text, st.integers(), st.none()), max_size=3).map(
        lambda d: json.dumps(d).encode()
    ),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    body=bodies,
    signed=st.sampled_from(["good", "bad", "none", "stale"]),
    garbage=st.one_of(any_text, st.just("")),
)
def test_stop_webhook_never_answers_a_server_error__R_SMS_3(ads_account, body, signed, garbage):
    cache.clear()
    now = int(time.time())
    headers = {}
    if signed == "good":
        headers = {
            webhooks.TIMESTAMP_HEADER: str(now),
            webhooks.SIGNATURE_HEADER: webhooks.sign(body=body, timestamp=now, secret=SECRET),
        }
    elif signed == "stale":
        old = now - 10_000
        headers = {
            webhooks.TIMESTAMP_HEADER: str(old),
            webhooks.SIGNATURE_HEADER: webhooks.sign(body=body, timestamp=old, secret=SECRET),
        }
    elif signed == "bad":
        headers = {
            webhooks.TIMESTAMP_HEADER: garbage.encode("ascii", "ignore").decode()[:20],
            webhooks.SIGNATURE_HEADER: garbage.encode("ascii", "ignore").decode()[:80],
        }
    response = Client().post(reverse("sms_inbound"), body, content_type="application/json", headers=headers)
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.BAD_REQUEST, HTTPStatus.FORBIDDEN}
    if signed != "good":
        assert response.status_code == HTTPStatus.FORBIDDEN


def test_a_body_too_large_is_refused_with_413_in_the_webhooks_json_unread__R_SMS_3(ads_account):
    """Past webhooks.BODY_MAX_BYTES (far above any text message) and past Django's own upload limit alike."""
    padding = "x" * webhooks.BODY_MAX_BYTES
    for body in (inbound("+14155550123", "STOP " + padding), b" " * (3 * 1024 * 1024)):
        response = post_inbound(body)
        assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) == {"error"}


UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_an_unavailable_cache_or_database_is_a_503_in_the_webhooks_json__R_SMS_3(two_accounts_one_number, monkeypatch):
    """The provider retries a 503 (Retry-After); it reads JSON, never Django's HTML error page."""
    with override_settings(CACHES=UNREACHABLE_CACHE):
        caches.close_all()
        response = post_inbound(inbound("+14155550123", "STOP"))
    caches.close_all()
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE

    def database_gone(**kwargs: object) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "texts_stop", database_gone)
    second = post_inbound(inbound("+14155550123", "STOP"))
    for answer in (response, second):
        assert answer.status_code == HTTPStatus.SERVICE_UNAVAILABLE
        assert answer["Content-Type"] == "application/json"
        assert set(answer.json()) == {"error"}
        assert answer["Retry-After"]


@settings(deadline=None, max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.integers(min_value=-64, max_value=64), declared=st.sampled_from(["true", "short", "huge", "junk"]))
def test_bodies_around_the_size_limit_are_answered_in_json_never_a_server_error__R_SMS_3(ads_account, extra, declared):
    """Whatever the body's size and its declared Content-Length, the webhook answers JSON: 413 past the limit."""
    cache.clear()
    body = inbound("+14155550123", "x" * max(0, webhooks.BODY_MAX_BYTES + extra - 40))
    length = {"true": str(len(body)), "short": "10", "huge": str(10**12), "junk": "a lot"}[declared]
    now = int(time.time())
    response = Client().post(
        reverse("sms_inbound"),
        body,
        content_type="application/json",
        headers={
            webhooks.TIMESTAMP_HEADER: str(now),
            webhooks.SIGNATURE_HEADER: webhooks.sign(body=body, timestamp=now, secret=SECRET),
        },
        CONTENT_LENGTH=length,
    )
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.BAD_REQUEST, HTTPStatus.FORBIDDEN, 413}
    assert response["Content-Type"] == "application/json"
    if declared == "huge" or (declared == "true" and len(body) > webhooks.BODY_MAX_BYTES):
        assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    if declared == "junk":
        assert response.status_code == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize(
    ("member", "provider", "keyword", "reply"),
    [
        ("es", "en", "STOP", "Privacy Center: ya no recibirás alertas, ofertas ni encuestas por mensaje de texto."),
        ("es", "en", "HELP", "Privacy Center: administra los mensajes de texto en la configuración de tu cuenta."),
        ("es", "en", "START", "Privacy Center: puedes volver a recibir nuestros mensajes de texto."),
        ("en", "es", "STOP", "Privacy Center: you will get no more alerts, offers or surveys by text."),
    ],
)
def test_replies_go_out_in_the_language_of_the_member_with_the_number__R_I18N_1_R_SMS_3(
    ads_account, member, provider, keyword, reply
):
    """R-I18N-1: the reply is a text to the member, so the account's language decides, not the provider's
    request; the keywords to send back stay the carriers' (START, STOP)."""
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    ads_account.language = member
    ads_account.save(update_fields=["language"])
    body = inbound("+14155550123", keyword)
    timestamp = int(time.time())
    response = Client().post(
        reverse("sms_inbound"),
        body,
        content_type="application/json",
        headers={
            webhooks.TIMESTAMP_HEADER: str(timestamp),
            webhooks.SIGNATURE_HEADER: webhooks.sign(body=body, timestamp=timestamp, secret=SECRET),
            "Accept-Language": provider,
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json()["reply"].startswith(reply)


def test_a_reply_to_a_number_on_no_account_is_in_the_sites_language__R_I18N_1_R_SMS_3():
    response = post_inbound(inbound("+14155550777", "HELP"))
    assert response.json() == {"reply": str(webhooks.HELP_REPLY)}
    assert response.json()["reply"].startswith("Privacy Center: manage texts")
