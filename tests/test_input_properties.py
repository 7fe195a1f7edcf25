"""Issue 6: whatever a browser sends to the sign-in form, the profile name or "Who's watching?"'s next, the
answer is a page or a 4xx, never a 500 or an exception (Hypothesis, 500 examples each)."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import events_since, last_event_id, profile_named

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any text a form can carry (surrogates cannot be encoded in a request), plus the shapes that matter here.
any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300)


privacy_fields = st.sampled_from(
    ["action", "shown", "mic", "ba", "all_profiles_opt_out", "extra", "csrfmiddlewaretoken"]
)
privacy_values = st.one_of(
    st.sampled_from(["save", "opt_out_all", "opt_all_profiles", "on", "off", "", "mic ba", "mic", "ba mic"]),
    any_text,
)


@PROPERTY
@given(form=st.dictionaries(privacy_fields, st.lists(privacy_values, min_size=1, max_size=3), max_size=6))
def test_privacy_form_never_answers_a_server_error_and_a_refused_post_changes_nothing(member_client, ads_account, form):
    """Whatever is posted to Privacy and data settings: a redirect after a change, or the page itself with a
    message (400, 403, 409) and no change at all."""
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    response = member_client.post(sam.get_absolute_url(), form)
    assert response.status_code in {
        HTTPStatus.FOUND,
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.FORBIDDEN,
        HTTPStatus.CONFLICT,
    }
    if response.status_code != HTTPStatus.FOUND:
        assert response["Content-Type"].startswith("text/html")
        assert events_since(mark) == []


cookie_fields = st.sampled_from(["action", "next", "cookies_performance", "cookies_advertising", "extra"])
cookie_values = st.one_of(
    st.sampled_from(["save", "accept_all", "reject_non_essential", "advertising_off", "on", "/", "//x", ""]),
    any_text,
)


@PROPERTY
@given(form=st.dictionaries(cookie_fields, st.lists(cookie_values, min_size=1, max_size=3), max_size=5))
def test_cookie_tool_never_answers_a_server_error__R_CK_4(db, form):
    response = Client().post(reverse("cookies"), form)
    assert response.status_code in {HTTPStatus.FOUND, HTTPStatus.BAD_REQUEST}
    if response.status_code == HTTPStatus.FOUND:
        assert response["Location"].startswith("/")
        assert not response["Location"].startswith("//")


header_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=100)


@PROPERTY
@given(
    consent_cookie=st.one_of(header_text, any_text.map(lambda t: t.encode("utf-8", "ignore").hex())), gpc=header_text
)
def test_any_consent_cookie_or_signal_header_is_answered_without_a_server_error__R_CK_2_R_GPC_1(
    db, consent_cookie, gpc
):
    client = Client(HTTP_SEC_GPC=gpc)
    client.cookies["privacy_consent"] = consent_cookie
    for url in (reverse("home"), reverse("cookies")):
        assert client.get(url).status_code == HTTPStatus.OK
