"""R-API-1: whatever a caller sends to the API (parameters, bodies, tokens), the answer is 200, 201, 400, 401 or
404, never a server error (Hypothesis, 500 examples each)."""

import json
import uuid
from http import HTTPStatus

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent import services
from tests.helpers import profile_named

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TOKEN = "test-service-token-0123456789"
ANSWERS = {HTTPStatus.OK, HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND}

any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=80)
header_text = st.text(alphabet=st.characters(codec="latin-1", exclude_categories=["Cc"]), max_size=60)
uuid_like = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: u.hex),
    st.uuids().map(lambda u: str(u).upper()),
    st.uuids().map(lambda u: f"{{{u}}}"),
    st.uuids().map(lambda u: f" {u} "),
    st.uuids().map(lambda u: f"urn:uuid:{u}"),
    any_text,
)
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


@PROPERTY
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
        assert response.content == b""


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4),
    max_leaves=12,
)
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


@PROPERTY
@given(body=bodies, auth=authorization)
def test_eligibility_batch_never_answers_a_server_error__R_API_1(ads_account, body, auth):
    response = Client().post("/api/v1/eligibility/batch", body, content_type="application/json", **_headers(auth))
    assert response.status_code in ANSWERS - {HTTPStatus.NOT_FOUND}


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


@PROPERTY
@given(body=device_bodies, device=st.one_of(st.none(), uuid_like))
def test_device_registration_never_answers_a_server_error__R_AD_1(ads_account, app_token, body, device):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {app_token}"}
    client = Client()
    if device is None:
        response = client.post("/api/v1/devices", body, content_type="application/json", **headers)
    else:
        response = client.put(f"/api/v1/devices/{device}", body, content_type="application/json", **headers)
    assert response.status_code in {HTTPStatus.CREATED} | ANSWERS


@pytest.fixture
def app_token(ads_account):
    return services.app_token_issue(account=ads_account)
