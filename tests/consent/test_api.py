"""R-API-1: downstream systems ask one read-only, token-authenticated endpoint what a profile (on a device) may
get, answered by the function the pages use; whatever a caller sends, never a server error."""

import json
import uuid
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account, PhoneNumber, Plan, Profile
from consent import eligibility, selectors, services
from consent.api import BATCH_MAX
from consent.choices import REGISTRY, Choice, ChoiceSpec, Page, Scope
from tests.factories import AccountFactory, ProfileFactory
from tests.helpers import (
    ReadQueryCounter,
    actor,
    any_text,
    header_text,
    json_values,
    profile_named,
    register_device,
    switches,
    uuid_like,
    values_of,
)

TOKEN = "test-service-token-0123456789"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


def _get(client, profile, device=None, **headers):
    params = {"profile": str(profile)} | ({"device": str(device)} if device else {})
    return client.get("/api/v1/eligibility", params, **(headers or AUTH))


def _batch(client, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/api/v1/eligibility/batch", data, content_type="application/json", **(headers or AUTH))


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
        # R-API-2: notices given, not opted out of sale, sharing or targeted advertising, no signal.
        "gpp": "DBABLA~CVQqAAAAAACA.QA",
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
    limited, open_ = register_device(ads_account, limited=True), register_device(ads_account, limited=False)
    assert _get(client, alex.pk, limited.pk).json()["behavioral_advertising"] is False
    assert _get(client, alex.pk, limited.pk).json()["choices"]["ba"] is False
    assert _get(client, alex.pk, limited.pk).json()["mic"] is True
    assert _get(client, alex.pk, open_.pk).json()["behavioral_advertising"] is True
    assert values_of(alex)[Choice.BA] is True  # the profile's own choice is untouched


@pytest.mark.django_db
def test_unknown_profile_or_device_is_404__R_API_1(client, ads_account):
    alex = profile_named(ads_account, "Alex")
    other_device = register_device(AccountFactory(email="other@example.com"))
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
def test_missing_or_wrong_token_is_401_without_saying_why__R_API_1(client, ads_account, headers):
    alex = profile_named(ads_account, "Alex")
    for response in (
        client.get("/api/v1/eligibility", {"profile": str(alex.pk)}, **headers),
        client.get("/api/v1/eligibility", {"profile": "nonsense"}, **headers),
        client.post("/api/v1/eligibility/batch", "{}", content_type="application/json", **headers),
    ):
        assert response.status_code == HTTPStatus.UNAUTHORIZED
        assert response.json() == {"detail": "not authenticated", "errors": []}


@pytest.mark.django_db
@pytest.mark.parametrize("token", [" ", "\t"])
def test_a_whitespace_only_service_token_authorises_no_one__R_API_1(client, ads_account, token):
    """A stray space in an env file (`PRIVACY_API_TOKEN= `) is no token: `Bearer ` and some spaces read nothing."""
    alex = profile_named(ads_account, "Alex")
    with override_settings(PRIVACY_API_TOKEN=token):
        for header in ("Bearer  ", "Bearer   ", "Bearer \t", f"Bearer {token}"):
            response = client.get("/api/v1/eligibility", {"profile": str(alex.pk)}, HTTP_AUTHORIZATION=header)
            assert response.status_code == HTTPStatus.UNAUTHORIZED
            assert response.json() == {"detail": "not authenticated", "errors": []}


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
    assert _batch(client, {"profiles": [str(uuid.uuid4()) for _ in range(1001)]}).status_code == HTTPStatus.BAD_REQUEST
    assert _batch(client, {"profiles": [str(uuid.uuid4()) for _ in range(1000)]}).status_code == HTTPStatus.OK


def batch_queries() -> int:
    """The batch read's pinned query count: one on PostgreSQL (stored values as arrays), two elsewhere."""
    return 1 if connection.vendor == "postgresql" else 2


@pytest.mark.django_db
def test_batch_answers_like_single_requests_in_a_pinned_number_of_queries__R_API_1(client, ads_account):
    basic = AccountFactory(email="b@example.com", plan=Plan.STANDARD)
    PhoneNumber.objects.create(account=basic, number="+14155550199")
    services.choices_set(account=basic, values={Choice.SMS_OFFERS: False}, actor=actor())
    profiles = [*Profile.objects.filter(account__in=[ads_account, basic])]
    services.profile_opt_out_of_all(profile=profile_named(ads_account, "Sam"), actor=actor())
    missing = uuid.uuid4()
    wanted = [str(p.pk) for p in profiles] + [str(missing)]
    with ReadQueryCounter() as queries:
        response = _batch(client, {"profiles": wanted})
    assert response.status_code == HTTPStatus.OK
    assert len(queries) == batch_queries(), str(queries)
    body = response.json()
    assert body["unknown"] == [str(missing)]
    assert [r["profile"] for r in body["results"]] == [str(p.pk) for p in profiles]
    for result in body["results"]:
        assert result == _get(client, result["profile"]).json()


@pytest.mark.django_db
def test_a_batch_of_1000_profiles_of_500_accounts_is_still_the_pinned_queries__R_API_1(client):
    accounts = AccountFactory.create_batch(500, plan=Plan.STANDARD_WITH_ADS)
    for account in accounts:
        ProfileFactory(account=account)
    services.profile_opt_out_of_all(profile=accounts[0].profiles.get(is_primary=True), actor=actor())
    wanted = [str(pk) for pk in Profile.objects.values_list("pk", flat=True)]
    assert len(wanted) == BATCH_MAX
    with ReadQueryCounter() as queries:
        response = _batch(client, {"profiles": wanted})
    assert response.status_code == HTTPStatus.OK
    assert len(queries) == batch_queries(), str(queries)
    results = response.json()["results"]
    assert [r["profile"] for r in results] == wanted
    assert sum(not r["mic"] for r in results) == 1


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
            switched_on = switches(page.content.decode())
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


# Whatever a caller sends (parameters, bodies, tokens), the answer is 200, 400, 401 or 404, never a server error.

ANSWERS = {HTTPStatus.OK, HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND}


authorization = st.one_of(
    st.just(f"Bearer {TOKEN}"),
    st.just(f"bearer {TOKEN}"),
    st.just(f"Bearer  {TOKEN}"),
    st.none(),
    header_text,
    header_text.map(lambda t: f"Bearer {t}"),
)


def _headers(value: str | None) -> dict[str, str]:
    return {} if value is None else {"HTTP_AUTHORIZATION": value}


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    data=st.data(),
    profile=st.one_of(st.none(), uuid_like),
    device=st.one_of(st.none(), uuid_like),
    extra=st.dictionaries(any_text, any_text, max_size=3),
    auth=authorization,
)
def test_eligibility_never_answers_a_server_error__R_API_1(ads_account, data, profile, device, extra, auth):
    if data.draw(st.booleans()):
        profile = str(profile_named(ads_account, data.draw(st.sampled_from(["Alex", "Sam", "Kids"]))).pk)
    params = {**extra} | ({"profile": profile} if profile is not None else {})
    params |= {"device": device} if device is not None else {}
    response = Client().get("/api/v1/eligibility", params, **_headers(auth))
    assert response.status_code in ANSWERS
    if response.status_code == HTTPStatus.UNAUTHORIZED:
        assert response.json() == {"detail": "not authenticated", "errors": []}


profile_lists = st.one_of(
    st.lists(st.one_of(uuid_like, json_values), max_size=20),
    st.integers(min_value=995, max_value=1005).map(lambda n: [str(uuid.uuid4()) for _ in range(n)]),
    json_values,
)


bodies = st.one_of(
    st.builds(lambda profiles: json.dumps({"profiles": profiles}), profile_lists),
    json_values.map(json.dumps),
    any_text,
    st.binary(max_size=60),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=bodies, auth=authorization)
def test_eligibility_batch_never_answers_a_server_error__R_API_1(ads_account, body, auth):
    response = Client().post("/api/v1/eligibility/batch", body, content_type="application/json", **_headers(auth))
    assert response.status_code in ANSWERS - {HTTPStatus.NOT_FOUND}


@pytest.mark.django_db
def test_the_batch_json_is_the_answers_of_the_one_eligibility_function__R_API_1(ads_account):
    missing = uuid.uuid4()
    wanted = [*Profile.objects.values_list("pk", flat=True), missing]
    results, unknown = eligibility.answers_json(wanted)
    assert json.loads(results) == list(eligibility.answers(wanted).values())
    assert unknown == [missing]
    assert len(json.loads(results)) == 3


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresqls_one_query_reads_the_same_facts_as_the_two_query_form__R_API_1(ads_account):
    basic = AccountFactory(email="b@example.com", plan=Plan.STANDARD)
    PhoneNumber.objects.create(account=basic, number="+14155550199")
    services.choices_set(account=basic, values={Choice.SMS_OFFERS: False}, actor=actor())
    services.profile_opt_out_of_all(profile=profile_named(ads_account, "Sam"), actor=actor())
    profiles = Profile.objects.order_by()
    one, two = selectors._batch_rows_one_query(profiles), selectors._batch_rows_two_queries(profiles)
    assert sorted(one) == sorted(two)
    assert len(one) == 4
