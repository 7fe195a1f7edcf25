"""R-API-1, R-AD-1, R-PUSH-1: the eligibility API, the app's device registration and the push queue."""

import json
import re
import uuid
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.test import override_settings

from accounts.models import Account, Plan, Profile
from consent import policy, push, selectors, services
from consent.choices import REGISTRY, Choice, ChoiceSpec, Page, Scope, Source
from consent.models import ConsentEvent, Device, Platform, PushMessage
from tests.factories import PASSWORD, AccountFactory
from tests.helpers import actor, profile_named

TOKEN = "test-service-token-0123456789"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


def _get(client, profile, device=None, **headers):
    params = {"profile": str(profile)} | ({"device": str(device)} if device else {})
    return client.get("/api/v1/eligibility", params, **(headers or AUTH))


def _batch(client, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/api/v1/eligibility/batch", data, content_type="application/json", **(headers or AUTH))


def _device(account, *, limited=False, notifications=True) -> Device:
    return services.device_register(
        account=account,
        platform=Platform.IOS,
        advertising_id="AEBE52E7-03EE-455A-B3C4-E57283966239",
        limit_ad_tracking=limited,
        notifications=notifications,
        acting_user=account,
    )


# Eligibility ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_eligibility_answers_ba_mic_and_every_page_choice__R_API_1(client, ads_account):
    alex = profile_named(ads_account, "Alex")
    response = _get(client, alex.pk)
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "profile": str(alex.pk),
        "device": None,
        "behavioral_advertising": True,
        "mic": True,
        "choices": {
            "mic": True,
            "ba": True,
            "email_new_arrivals": True,
            "email_recommendations": True,
            "email_offers": True,
            "email_surveys": True,
            "email_service": True,
            "sms_alerts": False,  # no phone on file (R-SMS-2)
            "sms_offers": False,
            "sms_surveys": False,
        },
    }


@pytest.mark.django_db
def test_text_categories_are_eligible_only_with_a_phone_on_file__R_API_1_R_SMS_2(client, ads_account):
    alex = profile_named(ads_account, "Alex")
    from accounts.models import PhoneNumber

    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    services.choices_set(account=ads_account, values={Choice.SMS_SURVEYS: False}, actor=actor())
    texts = {"sms_alerts": True, "sms_offers": True, "sms_surveys": False}
    body = _get(client, alex.pk).json()
    assert {key: body["choices"][key] for key in texts} == texts
    no_phone = AccountFactory().profiles.get()
    batch = _batch(client, {"profiles": [str(alex.pk), str(no_phone.pk)]}).json()["results"]
    assert [{key: each["choices"][key] for key in texts} for each in batch] == [texts, dict.fromkeys(texts, False)]


@pytest.mark.django_db
def test_kids_profile_never_answers_yes_for_ba__R_API_1_R_PDS_2(client, ads_account):
    kids = profile_named(ads_account, "Kids")
    body = _get(client, kids.pk).json()
    assert body["behavioral_advertising"] is False
    assert body["choices"]["ba"] is False
    assert body["mic"] is True


@pytest.mark.django_db
def test_opted_out_profile_answers_no__R_API_1(client, ads_account):
    sam = profile_named(ads_account, "Sam")
    services.profile_opt_out_of_all(profile=sam, actor=actor())
    body = _get(client, sam.pk).json()
    assert (body["behavioral_advertising"], body["mic"]) == (False, False)


@pytest.mark.django_db
def test_limited_device_answers_no_for_ba_whatever_the_profile__R_AD_1(client, ads_account):
    alex = profile_named(ads_account, "Alex")
    limited, open_ = _device(ads_account, limited=True), _device(ads_account, limited=False)
    assert _get(client, alex.pk, limited.pk).json()["behavioral_advertising"] is False
    assert _get(client, alex.pk, limited.pk).json()["choices"]["ba"] is False
    assert _get(client, alex.pk, limited.pk).json()["mic"] is True
    assert _get(client, alex.pk, open_.pk).json()["behavioral_advertising"] is True
    assert values_of_profile(alex)[Choice.BA] is True  # the profile's own choice is untouched


def values_of_profile(profile):
    return selectors.profile_facts(profile=profile, account=profile.account).values


@pytest.mark.django_db
def test_unknown_profile_or_device_is_404__R_API_1(client, ads_account):
    alex = profile_named(ads_account, "Alex")
    other_device = _device(AccountFactory(email="other@example.com"))
    assert _get(client, uuid.uuid4()).status_code == HTTPStatus.NOT_FOUND
    assert _get(client, alex.pk, uuid.uuid4()).status_code == HTTPStatus.NOT_FOUND
    assert _get(client, alex.pk, other_device.pk).status_code == HTTPStatus.NOT_FOUND  # another account's


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer wrong"},
        {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}x"},
        {"HTTP_AUTHORIZATION": f"Basic {TOKEN}"},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_AUTHORIZATION": "Bearer tökén"},
        {"HTTP_AUTHORIZATION": TOKEN},
    ],
)
def test_missing_or_wrong_token_is_401_without_detail__R_API_1(client, ads_account, headers):
    alex = profile_named(ads_account, "Alex")
    for response in (
        client.get("/api/v1/eligibility", {"profile": str(alex.pk)}, **headers),
        client.get("/api/v1/eligibility", {"profile": "nonsense"}, **headers),
        client.post("/api/v1/eligibility/batch", "{}", content_type="application/json", **headers),
    ):
        assert response.status_code == HTTPStatus.UNAUTHORIZED
        assert response.content == b""


@pytest.mark.django_db
@override_settings(PRIVACY_API_TOKEN="")
def test_no_configured_token_refuses_everyone__R_API_1(client, ads_account):
    alex = profile_named(ads_account, "Alex")
    assert _get(client, alex.pk, HTTP_AUTHORIZATION="Bearer ").status_code == HTTPStatus.UNAUTHORIZED
    assert _get(client, alex.pk).status_code == HTTPStatus.UNAUTHORIZED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [{}, {"profile": ""}, {"profile": "not-a-uuid"}, {"profile": "1"}, {"profile": "\x00"}, {"device": "x"}],
)
def test_malformed_parameters_are_400__R_API_1(client, ads_account, params):
    if "device" in params:
        params = {"profile": str(profile_named(ads_account, "Alex").pk), **params}
    response = client.get("/api/v1/eligibility", params, **AUTH)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "\x00" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    ["", "not json", "[]", "{}", '{"profiles": []}', '{"profiles": "x"}', '{"profiles": ["x"]}', '{"profiles": [1]}'],
)
def test_malformed_batch_is_400__R_API_1(client, body):
    assert _batch(client, body).status_code == HTTPStatus.BAD_REQUEST


@pytest.mark.django_db
def test_batch_of_more_than_1000_profiles_is_400__R_API_1(client):
    assert _batch(client, {"profiles": [str(uuid.uuid4()) for _ in range(1001)]}).status_code == 400
    assert _batch(client, {"profiles": [str(uuid.uuid4()) for _ in range(1000)]}).status_code == 200


@pytest.mark.django_db
def test_batch_answers_like_single_requests_in_two_queries__R_API_1(client, ads_account, count_queries):
    basic = AccountFactory(email="b@example.com", plan=Plan.STANDARD)
    profiles = [*Profile.objects.filter(account__in=[ads_account, basic])]
    services.profile_opt_out_of_all(profile=profile_named(ads_account, "Sam"), actor=actor())
    missing = uuid.uuid4()
    wanted = [str(p.pk) for p in profiles] + [str(missing)]
    with count_queries() as queries:
        response = _batch(client, {"profiles": wanted})
    assert response.status_code == HTTPStatus.OK
    assert len(queries) == 2, str(queries)
    body = response.json()
    assert body["unknown"] == [str(missing)]
    assert [r["profile"] for r in body["results"]] == [str(p.pk) for p in profiles]
    for result in body["results"]:
        assert result == _get(client, result["profile"]).json()


@pytest.mark.django_db
def test_new_registry_choice_appears_in_the_api_by_itself__R_API_1(client, ads_account):
    spec = ChoiceSpec(
        key="example_new_choice",
        label="An example choice",
        help_text="",
        scope=Scope.PROFILE,
        default=True,
        page=REGISTRY[Choice.MIC].page,
        opt_out_of_all=True,
        signal=False,
    )
    REGISTRY.register(spec)
    try:
        body = _get(client, profile_named(ads_account, "Alex").pk).json()
    finally:
        REGISTRY.unregister(spec.key)
    assert body["choices"]["example_new_choice"] is True


def _switches_on(html: str) -> dict[str, bool]:
    """The page's switches as the member sees them: name → checked (a switch the page does not show is absent)."""
    return {
        match["name"]: " checked" in match[0]
        for match in re.finditer(r'<input type="checkbox" name="(?P<name>\w+)"[^>]* role="switch"[^>]*>', html)
    }


@pytest.mark.django_db
def test_api_and_pages_agree_on_every_demo_profile__R_API_1(client):
    call_command("seed_demo", verbosity=0)
    compared = 0
    for account in Account.objects.filter(profiles__isnull=False).distinct():
        page_client = client.__class__()
        page_client.force_login(account)
        for profile in account.profiles.all():
            page = page_client.get(profile.get_absolute_url())
            assert page.status_code == HTTPStatus.OK
            switched_on = _switches_on(page.content.decode())
            assert "mic" in switched_on, profile
            body = _get(client, profile.pk).json()
            assert body["mic"] == switched_on.get("mic", False), profile
            assert body["behavioral_advertising"] == switched_on.get("ba", False), profile
            on_page = [key for key in body["choices"] if REGISTRY[key].page == Page.PRIVACY]
            assert {key: body["choices"][key] for key in on_page} == {
                key: switched_on.get(key, False) for key in on_page
            }
            compared += 1
    assert compared == 6


@pytest.mark.django_db
def test_openapi_description_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == HTTPStatus.OK
    paths = response.json()["paths"]
    assert {"/api/v1/eligibility", "/api/v1/eligibility/batch", "/api/v1/devices"} <= set(paths)
    assert client.get("/api/v1/docs").status_code == HTTPStatus.OK


# Devices from the app (R-AD-1, R-PUSH-1) ----------------------------------------------------------------------


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
    theirs = _device(other)
    assert _app_token(client, ads_account.email, "wrong-password").status_code == HTTPStatus.UNAUTHORIZED
    assert client.post("/api/v1/devices", "{}", content_type="application/json").status_code == 401
    token = _app_token(client, ads_account.email).json()["token"]
    member = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = json.dumps({"platform": "ios", "limit_ad_tracking": False, "notifications": True})
    response = client.put(f"/api/v1/devices/{theirs.pk}", body, content_type="application/json", **member)
    assert response.status_code == HTTPStatus.NOT_FOUND
    bad = json.dumps({"platform": "windows", "limit_ad_tracking": False, "notifications": True})
    assert client.post("/api/v1/devices", bad, content_type="application/json", **member).status_code == 400
    # The service token is not a member token, nor the other way round.
    assert client.post("/api/v1/devices", body, content_type="application/json", **AUTH).status_code == 401
    assert _get(client, profile_named(ads_account, "Alex").pk, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


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
    off, on = _device(ads_account, notifications=False), _device(ads_account, notifications=True)
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
    _device(ads_account, limited=False, notifications=True)
    assert Choice.DEVICE_NOTIFICATIONS not in selectors.account_values(account=ads_account)
    assert selectors.stored_values(account=ads_account).get(None, {}).get(Choice.DEVICE_NOTIFICATIONS) is None
    services.choices_set(account=ads_account, values={Choice.COOKIES_ADVERTISING: False}, actor=actor())
    assert selectors.account_values(account=ads_account)[Choice.COOKIES_ADVERTISING] is False


@pytest.mark.django_db
def test_device_choices_only_on_the_accounts_own_devices_through_the_one_writer(ads_account):
    alex = profile_named(ads_account, "Alex")
    theirs = _device(AccountFactory(email="other@example.com"))
    mine = _device(ads_account, notifications=False)
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
