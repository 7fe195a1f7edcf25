"""Links reversed once per route (netflix_privacy.reversal) are the links reverse() gives, under any script
prefix, for any profile id."""

import uuid

import pytest
from django.urls import reverse, set_script_prefix
from hypothesis import given, settings
from hypothesis import strategies as st

from netflix_privacy.context_processors import SITE_URL_NAMES, site_urls
from netflix_privacy.jinja2 import url
from netflix_privacy.reversal import fixed_url, profile_url

PROFILE_ROUTES = ["consent:privacy", "consent:emails"]


@pytest.fixture
def script_prefix():
    yield set_script_prefix
    set_script_prefix("/")


@pytest.mark.parametrize("prefix", ["/", "/privacy-center/"])
def test_fixed_links_are_what_reverse_gives(script_prefix, prefix):
    script_prefix(prefix)
    for name in [*SITE_URL_NAMES, "phone", "consent:texts", "profile_add"]:
        assert fixed_url(name) == reverse(name)
        assert url(name) == reverse(name)
        if name in SITE_URL_NAMES:
            assert site_urls(None)["site_urls"][name] == reverse(name)
    assert fixed_url("account").startswith(prefix)


@settings(max_examples=500, deadline=None)
@given(profile=st.uuids(), prefix=st.sampled_from(["/", "/pc/"]), name=st.sampled_from(PROFILE_ROUTES))
def test_profile_links_are_what_reverse_gives(profile, prefix, name):
    set_script_prefix(prefix)
    try:
        expected = reverse(name, kwargs={"profile": profile})
        assert profile_url(name, profile) == expected
        assert profile_url(name, str(profile)) == expected
        assert url(name, profile=profile) == expected
    finally:
        set_script_prefix("/")


def test_a_profile_link_refuses_what_is_no_profile_id():
    with pytest.raises(ValueError, match="hexadecimal"):
        profile_url("consent:privacy", "../../admin")
    assert str(uuid.UUID(int=0)) in profile_url("consent:privacy", uuid.UUID(int=0))
