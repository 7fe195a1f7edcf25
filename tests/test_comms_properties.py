"""Issue 8: whatever is posted to the phone page or the inbound-text webhook, the answer is a page or a 4xx,
never a 500, and nothing changes unless the input was valid (Hypothesis, 500 examples each)."""

import json
import time
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent import webhooks

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60)


phone_like = st.one_of(
    any_text,
    st.from_regex(r"\+?[0-9 ()\-.]{0,25}", fullmatch=True),
    st.text(alphabet=st.characters(categories=["Nd"]), max_size=15).map(lambda d: "+1" + d),
    st.sampled_from(["+14155550199", "+1 (415) 555-0199", "+33 1 23 45 67 89", "+14155550123 ext. 5"]),
)
SECRET = "test-webhook-secret-0123456789"
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


@PROPERTY
@given(
    body=bodies,
    signed=st.sampled_from(["good", "bad", "none", "stale"]),
    garbage=st.one_of(any_text, st.just("")),
)
def test_stop_webhook_never_answers_a_server_error(ads_account, body, signed, garbage):
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
