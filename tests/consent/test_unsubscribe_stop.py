"""One-click unsubscribe (R-EM-2), sending that asks the policy at send time (R-EM-1), and the inbound STOP
webhook (R-SMS-3)."""

import json
import time
from http import HTTPStatus
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import PhoneNumber
from consent import email, services, webhooks
from consent.choices import Choice, Source
from tests.factories import AccountFactory
from tests.helpers import actor, events_since, last_event_id, profile_named, values_of

pytestmark = pytest.mark.django_db

SECRET = "test-webhook-secret-0123456789"


def link_path(profile, category=Choice.EMAIL_OFFERS) -> str:
    return reverse("unsubscribe", kwargs={"token": email.unsubscribe_token(profile=profile, category=category)})


def test_every_marketing_email_carries_rfc_8058_one_click_headers__R_EM_2(ads_account):
    sam = profile_named(ads_account, "Sam")
    assert email.marketing_email_send(profile_id=sam.pk, category=Choice.EMAIL_OFFERS, subject="Hi", body="News")
    [message] = mail.outbox
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("http://127.0.0.1:8000/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body
    assert message.to == [ads_account.email]


def test_get_confirms_without_signing_in_and_changes_nothing__R_EM_2(ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    response = Client().get(link_path(sam))
    assert response.status_code == HTTPStatus.OK
    assert "Stop sending <strong>Offers and news</strong> emails to the profile Sam?" in response.content.decode()
    assert events_since(mark) == []


def test_one_click_post_unsubscribes_that_profile_from_that_category__R_EM_2(ads_account):
    sam, alex = profile_named(ads_account, "Sam"), profile_named(ads_account, "Alex")
    mark = last_event_id()
    client = Client(enforce_csrf_checks=True)  # a mail provider's POST has no session and no CSRF token

    response = client.post(link_path(sam), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == HTTPStatus.OK
    assert "will get no more" in response.content.decode()
    assert events_since(mark) == [("Sam", Choice.EMAIL_OFFERS, True, False, Source.UNSUBSCRIBE_LINK, None)]
    assert values_of(alex)[Choice.EMAIL_OFFERS] is True
    client.post(link_path(sam))
    assert len(events_since(mark)) == 1, "a second click writes nothing"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # tampered signature
        lambda token: "x" + token,  # tampered payload
        lambda token: "not-a-token",
        lambda token: ":" * 5,
    ],
)
def test_tampered_link_gets_a_clear_page_never_a_500__R_EM_2(ads_account, mangle):
    sam = profile_named(ads_account, "Sam")
    token = email.unsubscribe_token(profile=sam, category=Choice.EMAIL_OFFERS)
    mark = last_event_id()
    for method in ("get", "post"):
        response = getattr(Client(), method)(reverse("unsubscribe", kwargs={"token": mangle(token)}))
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert "This unsubscribe link is not valid any more" in response.content.decode()
    assert events_since(mark) == []


def test_expired_link_gets_the_clear_page__R_EM_2(ads_account):
    sam = profile_named(ads_account, "Sam")
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 61 * 24 * 3600):
        old = link_path(sam)
    mark = last_event_id()
    assert Client().post(old).status_code == HTTPStatus.BAD_REQUEST
    assert events_since(mark) == []


def test_a_signed_link_for_service_email_or_another_key_is_refused__R_EM_1(ads_account):
    sam = profile_named(ads_account, "Sam")
    for key in (Choice.EMAIL_SERVICE, Choice.MIC, "nope"):
        token = signing.dumps({"p": str(sam.pk), "c": key}, salt=email.UNSUBSCRIBE_SALT, compress=True)
        assert Client().post(reverse("unsubscribe", kwargs={"token": token})).status_code == HTTPStatus.BAD_REQUEST
    assert values_of(sam)[Choice.EMAIL_SERVICE] is True


def test_an_opt_out_between_enqueue_and_send_means_no_message__R_EM_1(ads_account):
    sam = profile_named(ads_account, "Sam")
    queued = {"profile_id": sam.pk, "category": Choice.EMAIL_SURVEYS, "subject": "Tell us", "body": "..."}
    services.profile_set_choices(profile=sam, values={Choice.EMAIL_SURVEYS: False}, actor=actor())
    assert email.marketing_email_send(**queued) is False
    assert mail.outbox == []


# Inbound STOP ---------------------------------------------------------------------------------------------------


def post_inbound(body: bytes, *, timestamp: int | None = None, signature: str | None = None, secret: str = SECRET):
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = signature or webhooks.sign(body=body, timestamp=timestamp, secret=secret)
    return Client(enforce_csrf_checks=True).post(
        reverse("sms_inbound"),
        body,
        content_type="application/json",
        headers={webhooks.TIMESTAMP_HEADER: str(timestamp), webhooks.SIGNATURE_HEADER: signature},
    )


def inbound(number: str, text: str) -> bytes:
    return json.dumps({"from": number, "text": text}).encode()


@pytest.fixture
def two_accounts_one_number(ads_account):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    other = AccountFactory(phone="+14155550123")
    third = AccountFactory(phone="+14155550999")
    return ads_account, other, third


def texts_of(account) -> list[bool]:
    from consent import selectors

    values = selectors.account_values(account=account)
    return [values[key] for key in (Choice.SMS_ALERTS, Choice.SMS_OFFERS, Choice.SMS_SURVEYS)]


def test_stop_turns_every_text_category_off_on_every_account_with_the_number__R_SMS_3(two_accounts_one_number):
    first, second, third = two_accounts_one_number
    mark = last_event_id()

    response = post_inbound(inbound("+14155550123", " stop "))

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"reply": webhooks.STOP_REPLY}
    assert texts_of(first) == texts_of(second) == [False, False, False]
    assert texts_of(third) == [True, True, True]
    assert sorted(events_since(mark)) == sorted(
        (None, key, True, False, Source.SMS_STOP, None)
        for _ in (first, second)
        for key in (Choice.SMS_ALERTS, Choice.SMS_OFFERS, Choice.SMS_SURVEYS)
    )
    assert post_inbound(inbound("+14155550123", "STOP")).status_code == HTTPStatus.OK
    assert len(events_since(mark)) == 6, "a second STOP writes nothing"


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
def test_signed_but_malformed_bodies_are_400(body):
    assert post_inbound(body).status_code == HTTPStatus.BAD_REQUEST
