""" "Who's watching?" (docs/rules.md, Accounts and profiles): choosing one of the account's profiles makes it the
session's active profile, and the page it then goes to is always a safe path on this site."""

import logging
import unicodedata
from http import HTTPStatus

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.sessions import ACTIVE_PROFILE_KEY
from tests.factories import AccountFactory
from tests.helpers import profile_named

pytestmark = pytest.mark.django_db


def test_whos_watching_lists_profiles_and_choosing_sets_the_active_one(member_client, ads_account):
    html = member_client.get(reverse("profiles")).content.decode()
    assert "Who&#x27;s watching?" in html or "Who's watching?" in html
    for name in ("Alex", "Sam", "Kids"):
        assert name in html
    sam = profile_named(ads_account, "Sam")

    response = member_client.post(reverse("profiles"), {"profile": str(sam.pk)}, follow=True)

    assert member_client.session[ACTIVE_PROFILE_KEY] == str(sam.pk)
    assert "Watching as Sam" in response.content.decode()


def test_choosing_another_accounts_profile_is_404(member_client):
    other = AccountFactory().profiles.get()
    response = member_client.post(reverse("profiles"), {"profile": str(other.pk)})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert ACTIVE_PROFILE_KEY not in member_client.session


def test_a_malformed_choice_re_renders_the_page_with_a_message(member_client):
    response = member_client.post(reverse("profiles"), {"profile": "not-a-uuid"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["Content-Type"].startswith("text/html")
    assert "Choose one of your profiles." in response.content.decode()
    assert ACTIVE_PROFILE_KEY not in member_client.session


@pytest.mark.parametrize(
    "next_value",
    [
        "foo",
        "null",
        "#",
        "account",
        "admin:index",
        "line\nbreak",
        "/ok\r\nSet-Cookie: x=1",
        "//evil.example/",
        "//",
        "/\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\x00",
        " /account/",
        "",
    ],
)
def test_a_next_that_is_not_a_safe_local_path_goes_to_the_account_page(member_client, ads_account, next_value, caplog):
    sam = profile_named(ads_account, "Sam")
    with caplog.at_level(logging.WARNING):
        response = member_client.post(reverse("profiles"), {"profile": str(sam.pk), "next": next_value})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("account")
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_a_next_that_is_a_local_path_is_followed(member_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    target = reverse("consent:privacy", kwargs={"profile": sam.pk}) + "?from=picker"
    response = member_client.post(reverse("profiles"), {"profile": str(sam.pk), "next": target})
    assert response["Location"] == target


def test_the_page_only_carries_a_safe_next_into_its_forms(member_client):
    html = member_client.get(reverse("profiles"), {"next": "foo"}).content.decode()
    assert 'name="next" value="foo"' not in html
    chooser = html.count(f'action="{reverse("set_language")}"')  # the language chooser returns to this page
    assert chooser == 1
    assert html.count('name="next"') == html.count('name="action" value="accept_all"') + chooser, (
        "only the cookie banner's and the language chooser's"
    )
    html = member_client.get(reverse("profiles"), {"next": "/account/"}).content.decode()
    assert 'name="next" value="/account/"' in html


any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300)
next_values = st.one_of(
    any_text,
    st.builds(lambda a: "/" + a, any_text),
    st.sampled_from(["foo", "null", "#", "//evil.example", "/\\evil", "https://evil.example/", "/a\nb", "\x00"]),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(next_value=next_values)
def test_any_next_is_answered_without_a_server_error_and_never_leaves_the_site(member_client, ads_account, next_value):
    sam = profile_named(ads_account, "Sam")
    response = member_client.post(reverse("profiles"), {"profile": str(sam.pk), "next": next_value})
    assert response.status_code == HTTPStatus.FOUND
    location = response["Location"]
    assert location.startswith("/")
    assert not location.startswith(("//", "/\\"))
    assert not any(unicodedata.category(c)[0] == "C" for c in location)


def test_whos_watching_and_its_messages_are_in_spanish_and_names_are_not_translated__R_I18N_1(
    member_client, ads_account
):
    """R-I18N-1: the page and what choosing says, in Spanish; a profile's name is the member's, as it is."""
    html = member_client.get(reverse("profiles"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in html
    assert "<h1>¿Quién está viendo?</h1>" in html
    assert "Elige un perfil. Tu elección se aplica a este navegador hasta que cierres sesión." in html
    assert '<span class="tag">Principal</span>' in html
    assert '<span class="tag">Infantil</span>' in html
    assert '<span class="profile-name">Kids</span>' in html  # the name, not the tag
    assert "Agregar perfil</a>" in html

    sam = profile_named(ads_account, "Sam")
    chosen = member_client.post(reverse("profiles"), {"profile": str(sam.pk)}, follow=True, HTTP_ACCEPT_LANGUAGE="es")
    assert "Estás viendo como Sam." in chosen.content.decode()
    refused = member_client.post(reverse("profiles"), {"profile": "nope"}, HTTP_ACCEPT_LANGUAGE="es")
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "Elige uno de tus perfiles." in refused.content.decode()
