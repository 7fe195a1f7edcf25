"""Outside review (attack 3) of the newest surfaces: the eligibility API, reset by text, the STOP webhook.

Each test is named after the defect it found and the rule it broke; it failed before its fix."""

import json
import re
import time

import pytest
from django.test import Client, override_settings

from accounts import reset
from common.sms import backends
from consent import services, webhooks
from consent.choices import Choice
from tests.factories import AccountFactory
from tests.helpers import actor, profile_named

pytestmark = pytest.mark.django_db

EMAIL, NUMBER = "texts@example.com", "+14155550123"
SECRET = "attack3-webhook-secret"
NEW = "a-new-long-passphrase-42"


@pytest.fixture
def member(db):
    backends.outbox.clear()
    yield AccountFactory(email=EMAIL, phone=NUMBER)
    backends.outbox.clear()


def _sent_code() -> str:
    [message] = backends.outbox
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found is not None
    return found.group(1)


# Reset by text ---------------------------------------------------------------------------------------------------


# Eligibility API -------------------------------------------------------------------------------------------------


@override_settings(PRIVACY_API_TOKEN=" ")
def test_a_whitespace_only_service_token_authorises_no_one__R_API_1(client, ads_account):
    """PRIVACY_API_TOKEN set to a stray space (an env file's `PRIVACY_API_TOKEN= `) counted as configured:
    `Authorization: Bearer  ` (two spaces) then read every profile's eligibility."""
    alex = profile_named(ads_account, "Alex")
    for header in ("Bearer  ", "Bearer   ", "Bearer \t"):
        response = client.get("/api/v1/eligibility", {"profile": str(alex.pk)}, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401
        assert response.content == b""


# STOP webhook ----------------------------------------------------------------------------------------------------


def _post_inbound(number: str, text: str):
    body = json.dumps({"from": number, "text": text}).encode()
    timestamp = int(time.time())
    return Client(enforce_csrf_checks=True).post(
        "/webhooks/sms/inbound/",
        body,
        content_type="application/json",
        headers={
            webhooks.TIMESTAMP_HEADER: str(timestamp),
            webhooks.SIGNATURE_HEADER: webhooks.sign(body=body, timestamp=timestamp, secret=SECRET),
        },
    )


@override_settings(SMS_WEBHOOK_SECRET=SECRET)
@pytest.mark.parametrize(
    "text",
    ["Stop.", "STOP!", "stop!!", "\uff33\uff34\uff2f\uff30", "STOP\u200b", "\u00abstop\u00bb", "\u201cStop\u201d"],
)
def test_stop_with_punctuation_or_in_another_form_still_stops__R_SMS_3(member, text):
    """ "Stop." or "STOP!" (and fullwidth or zero-width-joined STOP from some keyboards) got no reply and changed
    nothing, while "stop please" stopped: a member's clear opt-out was ignored."""
    for key in (Choice.SMS_ALERTS, Choice.SMS_OFFERS, Choice.SMS_SURVEYS):
        services.choices_set(account=member, values={key: True}, actor=actor())
    response = _post_inbound(NUMBER, text)
    assert response.status_code == 200
    assert response.json()["reply"] == webhooks.STOP_REPLY
    from consent import selectors

    values = selectors.account_values(account=member)
    assert not any(values[key] for key in (Choice.SMS_ALERTS, Choice.SMS_OFFERS, Choice.SMS_SURVEYS))


# Sending ---------------------------------------------------------------------------------------------------------


def test_a_profile_deleted_while_its_batch_is_read_does_not_fail_the_batch__R_EM_1(ads_account, monkeypatch):
    """The email task reads the facts and then the profiles in a second query: a profile deleted in between raised
    KeyError, so the whole batch failed and every other profile of it got nothing."""
    from django.core import mail

    from consent import selectors, tasks

    sam, alex = profile_named(ads_account, "Sam"), profile_named(ads_account, "Alex")
    read_facts = selectors.facts_by_profile_id

    def facts_then_sam_is_deleted(profile_ids):
        facts = read_facts(profile_ids)
        sam.delete()
        return facts

    monkeypatch.setattr(selectors, "facts_by_profile_id", facts_then_sam_is_deleted)
    sent = tasks.send_marketing_emails.call(
        profile_ids=[str(sam.pk), str(alex.pk)], category=Choice.EMAIL_NEW_ARRIVALS, subject="New", body="New"
    )
    assert sent == 1
    assert len(mail.outbox) == 1


# App tokens ------------------------------------------------------------------------------------------------------


def test_app_tokens_stop_working_after_a_password_reset(member, client):
    """A stolen app token kept registering devices (and so changing limit-ad-tracking choices) after the member
    reset the password, whereas their browser sessions elsewhere are signed out by the same reset."""
    token = services.app_token_issue(account=member)
    reset_id = reset.reset_text_request(email=EMAIL, number=NUMBER)
    reset.reset_text_complete(reset_id=str(reset_id), code=_sent_code(), password=NEW)
    body = {"platform": "ios", "advertising_id": "", "limit_ad_tracking": False, "notifications": True}
    response = client.post(
        "/api/v1/devices", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 401
