"""The mobile app's devices (R-AD-1, R-PUSH-1, R-DEV-1): a member's app token registers devices and reports their
advertising-tracking and notification settings through the one writer, audited; a device that limits ad
tracking gets no tailored ads, one with notifications off no push; a token stops working when the password is
reset."""

import json
from http import HTTPStatus

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import reset
from consent import policy, push, selectors, services
from consent.choices import Choice, Source
from consent.models import ConsentEvent, Device, Platform, PushMessage
from tests.factories import PASSWORD, AccountFactory
from tests.helpers import (
    actor,
    any_text,
    json_values,
    profile_named,
    register_device,
    sent_code,
    uuid_like,
)

SERVICE = {"HTTP_AUTHORIZATION": "Bearer test-service-token-0123456789"}
REQUESTER = reset.Requester(address="192.0.2.1")


def _app_token(client, email, password=PASSWORD):
    return client.post(
        "/api/v1/app/tokens", json.dumps({"email": email, "password": password}), content_type="application/json"
    )


@pytest.mark.django_db
def test_member_registers_a_device_with_an_app_token__R_AD_1_R_PUSH_1(client, ads_account):
    issued = _app_token(client, ads_account.email)
    assert issued.status_code == HTTPStatus.CREATED
    member = {"HTTP_AUTHORIZATION": f"Bearer {issued.json()['token']}"}
    body = {"platform": "android", "advertising_id": "38400000-8cf0-11bd-b23e-10b96e40000d"}
    created = client.post(
        "/api/v1/devices",
        json.dumps({**body, "limit_ad_tracking": False, "notifications": False}),
        content_type="application/json",
        **member,
    )
    assert created.status_code == HTTPStatus.CREATED
    device = Device.objects.get(pk=created.json()["id"], account=ads_account)
    assert device.advertising_id == body["advertising_id"]
    assert created.json()["notifications"] is False

    updated = client.put(
        f"/api/v1/devices/{device.pk}",
        json.dumps({**body, "limit_ad_tracking": True, "notifications": True}),
        content_type="application/json",
        **member,
    )
    assert updated.status_code == HTTPStatus.OK
    device.refresh_from_db()
    assert device.advertising_id == ""  # not kept while tracking is limited
    assert selectors.device_facts(device=device).values == {
        Choice.DEVICE_LIMIT_AD_TRACKING: True,
        Choice.DEVICE_NOTIFICATIONS: True,
    }
    events = list(
        ConsentEvent.objects.filter(choice__startswith="device_")
        .order_by("id")
        .values_list("choice", "old_value", "new_value", "source", "acting_user", "context")
    )
    ref = {"device": f"device-{device.pk.hex}"}
    assert events == [
        ("device_limit_ad_tracking", True, False, Source.APP, ads_account.pk, ref),
        ("device_limit_ad_tracking", False, True, Source.APP, ads_account.pk, ref),
        ("device_notifications", False, True, Source.APP, ads_account.pk, ref),
    ]


@pytest.mark.django_db
def test_device_endpoints_refuse_bad_tokens_and_other_members_devices(client, ads_account):
    other = AccountFactory(email="other@example.com")
    theirs = register_device(other)
    assert _app_token(client, ads_account.email, "wrong-password").status_code == HTTPStatus.UNAUTHORIZED
    assert client.post("/api/v1/devices", "{}", content_type="application/json").status_code == HTTPStatus.UNAUTHORIZED
    token = _app_token(client, ads_account.email).json()["token"]
    member = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = json.dumps({"platform": "ios", "limit_ad_tracking": False, "notifications": True})
    response = client.put(f"/api/v1/devices/{theirs.pk}", body, content_type="application/json", **member)
    assert response.status_code == HTTPStatus.NOT_FOUND
    bad = json.dumps({"platform": "windows", "limit_ad_tracking": False, "notifications": True})
    assert (
        client.post("/api/v1/devices", bad, content_type="application/json", **member).status_code
        == HTTPStatus.BAD_REQUEST
    )
    # The service token is not a member token, nor the other way round.
    assert (
        client.post("/api/v1/devices", body, content_type="application/json", **SERVICE).status_code
        == HTTPStatus.UNAUTHORIZED
    )
    alex = profile_named(ads_account, "Alex")
    eligibility = client.get("/api/v1/eligibility", {"profile": str(alex.pk)}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert eligibility.status_code == HTTPStatus.UNAUTHORIZED


def test_device_limit_turns_ba_off_in_the_policy__R_AD_1():
    facts = policy.ProfileFacts(
        plan_has_ads=True, is_kids=False, is_primary=True, values={Choice.BA: True, Choice.MIC: True}
    )
    limited = policy.DeviceFacts(values={Choice.DEVICE_LIMIT_AD_TRACKING: True, Choice.DEVICE_NOTIFICATIONS: True})
    free = policy.DeviceFacts(values={Choice.DEVICE_LIMIT_AD_TRACKING: False, Choice.DEVICE_NOTIFICATIONS: False})
    assert policy.behavioral_ads_allowed(facts) is True
    assert policy.behavioral_ads_allowed(facts, limited) is False
    assert policy.behavioral_ads_allowed(facts, free) is True
    assert policy.mic_allowed(facts) is True
    assert policy.push_allowed(limited) is True
    assert policy.push_allowed(free) is False


@pytest.mark.django_db
def test_nothing_is_queued_for_push_to_a_device_with_notifications_off__R_PUSH_1(ads_account):
    off, on = register_device(ads_account, notifications=False), register_device(ads_account, notifications=True)
    assert push.push_enqueue(device=off, title="New episode", body="Watch now") is None
    queued = push.push_enqueue(device=on, title="New episode", body="Watch now")
    assert queued is not None
    assert list(PushMessage.objects.values_list("device", flat=True)) == [on.pk]
    services.device_register(
        account=ads_account,
        device=on,
        platform=Platform.IOS,
        advertising_id="",
        limit_ad_tracking=True,
        notifications=False,
        acting_user=ads_account,
    )
    assert push.push_enqueue(device=on, title="Again", body="x") is None
    assert PushMessage.objects.count() == 1


@pytest.mark.django_db
def test_unreported_device_defaults_to_limited_and_no_push__R_AD_1_R_PUSH_1(ads_account):
    bare = Device.objects.create(account=ads_account, platform=Platform.IOS)
    facts = selectors.device_facts(device=bare)
    assert facts.values == {Choice.DEVICE_LIMIT_AD_TRACKING: True, Choice.DEVICE_NOTIFICATIONS: False}
    assert push.push_enqueue(device=bare, title="t", body="b") is None


@pytest.mark.django_db
def test_device_rows_do_not_leak_into_account_or_profile_values(ads_account):
    register_device(ads_account, limited=False, notifications=True)
    assert Choice.DEVICE_NOTIFICATIONS not in selectors.account_values(account=ads_account)
    assert selectors.stored_values(account=ads_account).get(None, {}).get(Choice.DEVICE_NOTIFICATIONS) is None
    services.choices_set(account=ads_account, values={Choice.COOKIES_ADVERTISING: False}, actor=actor())
    assert selectors.account_values(account=ads_account)[Choice.COOKIES_ADVERTISING] is False


@pytest.mark.django_db
def test_device_choices_only_on_the_accounts_own_devices_through_the_one_writer(ads_account):
    alex = profile_named(ads_account, "Alex")
    theirs = register_device(AccountFactory(email="other@example.com"))
    mine = register_device(ads_account, notifications=False)
    with pytest.raises(services.WrongScope):
        services.choices_set(
            account=ads_account, profile=alex, values={Choice.DEVICE_NOTIFICATIONS: True}, actor=actor()
        )
    with pytest.raises(services.WrongScope):
        services.choices_set(account=ads_account, device=mine, values={Choice.MIC: False}, actor=actor())
    with pytest.raises(Device.DoesNotExist):
        services.choices_set(
            account=ads_account, device=theirs, values={Choice.DEVICE_NOTIFICATIONS: True}, actor=actor()
        )
    assert (
        services.choices_set(
            account=ads_account, device=mine, values={Choice.DEVICE_NOTIFICATIONS: False}, actor=actor()
        )
        == 0
    )


@pytest.mark.django_db
def test_app_tokens_stop_working_after_a_password_reset__R_DEV_1(client, sms_outbox):
    """A password reset signs the member's browsers out elsewhere; a stolen app token must stop too, or it keeps
    registering devices (and so changing limit-ad-tracking choices)."""
    member = AccountFactory(email="texts@example.com", phone="+14155550123")
    token = services.app_token_issue(account=member)
    reset_id = reset.reset_text_request(email="texts@example.com", number="+14155550123", requester=REQUESTER)
    reset.reset_text_complete(
        reset_id=str(reset_id), code=sent_code(), password="a-new-long-passphrase-42", requester=REQUESTER
    )
    body = {"platform": "ios", "advertising_id": "", "limit_ad_tracking": False, "notifications": True}
    response = client.post(
        "/api/v1/devices", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == HTTPStatus.UNAUTHORIZED


device_bodies = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "platform": st.one_of(st.sampled_from(["ios", "android"]), json_values),
            "advertising_id": st.one_of(st.uuids().map(str), json_values),
            "limit_ad_tracking": json_values,
            "notifications": json_values,
        },
    ).map(json.dumps),
    any_text,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=device_bodies, device=st.one_of(st.none(), uuid_like))
def test_device_registration_never_answers_a_server_error__R_AD_1(ads_account, app_token, body, device):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {app_token}"}
    client = Client()
    if device is None:
        response = client.post("/api/v1/devices", body, content_type="application/json", **headers)
    else:
        response = client.put(f"/api/v1/devices/{device}", body, content_type="application/json", **headers)
    assert response.status_code in {
        HTTPStatus.OK,
        HTTPStatus.CREATED,
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.NOT_FOUND,
    }


@pytest.fixture
def app_token(ads_account):
    return services.app_token_issue(account=ads_account)


credentials = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "email": st.one_of(st.just("member0@example.com"), st.emails(), json_values),
            "password": st.one_of(st.just(PASSWORD), json_values),
        },
    ).map(json.dumps),
    json_values.map(json.dumps),
    any_text,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=credentials)
def test_the_app_token_endpoint_never_answers_a_server_error__R_DEV_1(ads_account, body):
    response = Client().post("/api/v1/app/tokens", body, content_type="application/json")
    assert response.status_code in {HTTPStatus.CREATED, HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED}


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["email", "password"])
def test_a_nul_character_in_the_credentials_is_refused_as_malformed__R_DEV_1(ads_account, field):
    """As the sign-in page's form fields refuse it; PostgreSQL could not even look the email up."""
    credentials = {"email": ads_account.email, "password": PASSWORD, field: "member\x00@example.com"}
    response = Client().post("/api/v1/app/tokens", json.dumps(credentials), content_type="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["loc"] == ["body", "payload", field]
