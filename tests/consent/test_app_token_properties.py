"""Whatever a caller sends to the app token operations (bodies, content types, tokens), the answer is one they
document, in the one error shape, never a server error; a body not declared JSON never reaches the sign-in
check (Hypothesis, as many examples as the profile runs; R-API-1, R-DEV-1)."""

import json
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent import services
from tests.factories import PASSWORD
from tests.helpers import any_text, header_text, json_values

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PROBLEM_KEYS = {"detail", "errors"}

content_types = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "",
        ]
    ),
    header_text,
)


def _is_problem(response) -> bool:
    return response["Content-Type"].startswith("application/json") and set(response.json()) == PROBLEM_KEYS


@PROPERTY
@given(data=st.data(), content_type=content_types)
def test_token_exchange_answers_only_what_it_documents__R_API_1(ads_account, data, content_type):
    credentials = st.fixed_dictionaries(
        {},
        optional={
            "email": st.one_of(st.just(ads_account.email), st.emails().map(str), json_values),
            "password": st.one_of(st.just(PASSWORD), any_text, json_values),
        },
    )
    body = data.draw(
        st.one_of(credentials.map(json.dumps), json_values.map(json.dumps), any_text, st.binary(max_size=60))
    )
    attempts = AccessAttempt.objects.count()
    response = Client().post("/api/v1/app/tokens", body, content_type=content_type)
    assert response.status_code in {201, 400, 401, 413, 415, 429}
    if response.status_code == HTTPStatus.CREATED:
        assert set(response.json()) == {"token", "idle_lifetime_days"}
    else:
        assert _is_problem(response)
    declared_json = content_type.split(";")[0].strip().lower() == "application/json"
    if body and not declared_json:
        assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
        assert AccessAttempt.objects.count() == attempts  # refused before the sign-in check


@PROPERTY
@given(
    data=st.data(),
    path=st.sampled_from(["/api/v1/app/tokens", "/api/v1/app/tokens/current"]),
    body=st.one_of(st.none(), any_text, json_values.map(json.dumps)),
    content_type=content_types,
)
def test_token_revocation_answers_only_what_it_documents__R_DEV_1(ads_account, data, path, body, content_type):
    valid = services.app_token_issue(account=ads_account)
    token = data.draw(st.one_of(st.just(valid), header_text, st.just(valid + "x"), st.just("")))
    scheme = data.draw(st.sampled_from(["Bearer ", "bearer ", "Basic ", ""]))
    headers = {"HTTP_AUTHORIZATION": scheme + token} if data.draw(st.booleans()) else {}
    extra = {} if body is None else {"data": body, "content_type": content_type}
    response = Client().delete(path, **extra, **headers)
    assert response.status_code in {HTTPStatus.NO_CONTENT, HTTPStatus.UNAUTHORIZED}
    if response.status_code == HTTPStatus.NO_CONTENT:
        assert response.content == b""
        assert services.app_token_use(secret=valid) is None
    else:
        assert _is_problem(response)
        assert response["WWW-Authenticate"] == "Bearer"
