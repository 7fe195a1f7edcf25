"""Sign-in, "Who's watching?" and the account page."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import PhoneNumber
from accounts.sessions import ACTIVE_PROFILE_KEY
from consent.choices import Choice
from tests.factories import PASSWORD, AccountFactory
from tests.helpers import profile_named, values_of

pytestmark = pytest.mark.django_db


def test_landing_page_is_public(client):
    response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    assert "Sign in" in response.content.decode()


def test_sign_in_with_email_and_password_goes_to_whos_watching(client, ads_account):
    response = client.post(reverse("login"), {"username": ads_account.email, "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("profiles")


def test_wrong_password_gets_a_clear_message(client, ads_account):
    response = client.post(reverse("login"), {"username": ads_account.email, "password": "nope"})
    assert response.status_code == HTTPStatus.OK
    assert "Incorrect email or password" in response.content.decode()


def test_repeated_failed_sign_ins_are_throttled(client, ads_account):
    for _ in range(5):
        client.post(reverse("login"), {"username": ads_account.email, "password": "wrong"})
    response = client.post(reverse("login"), {"username": ads_account.email, "password": PASSWORD})
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(member_client):
    assert member_client.get(reverse("logout")).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    response = member_client.post(reverse("logout"))
    assert response.status_code == HTTPStatus.FOUND
    assert "_auth_user_id" not in member_client.session


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


def test_choosing_a_malformed_profile_is_400(member_client):
    assert member_client.post(reverse("profiles"), {"profile": "x"}).status_code == HTTPStatus.BAD_REQUEST


def test_next_after_choosing_a_profile_stays_on_this_site(member_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    response = member_client.post(reverse("profiles"), {"profile": str(sam.pk), "next": "https://evil.example/"})
    assert response["Location"] == reverse("account")


def test_account_page_shows_membership_and_every_profiles_settings_link(member_client, ads_account):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    html = member_client.get(reverse("account")).content.decode()
    assert "Membership &amp; Billing" in html
    assert ads_account.email in html
    assert "Standard with ads" in html
    assert "+1 415-555-0123" in html
    for profile in ads_account.profiles.all():
        assert profile.get_absolute_url() in html
    assert html.count("Privacy and data settings") == 3


def test_add_profile_starts_with_choices_on__R_PDS_7(member_client, ads_account):
    response = member_client.post(reverse("profile_add"), {"name": "Robin"}, follow=True)
    assert "Added Robin." in response.content.decode()
    robin = profile_named(ads_account, "Robin")
    assert robin.is_kids is False
    assert values_of(robin).items() >= {Choice.MIC: True, Choice.BA: True, Choice.ALL_PROFILES_OPT_OUT: False}.items()


def test_add_profile_beyond_five_is_refused(member_client, ads_account):
    for name in ("Four", "Five"):
        member_client.post(reverse("profile_add"), {"name": name})
    response = member_client.post(reverse("profile_add"), {"name": "Six"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "at most 5 profiles" in response.content.decode()
    assert ads_account.profiles.count() == 5


def test_add_profile_needs_a_name(member_client, ads_account):
    response = member_client.post(reverse("profile_add"), {"name": ""})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert ads_account.profiles.count() == 3


def test_an_empty_post_to_add_profile_asks_for_a_name_and_adds_nothing(member_client, ads_account):
    # The form is built for every POST: an empty one is a 400 with the field's message, not the empty page again.
    response = member_client.post(reverse("profile_add"), {})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "This field is required." in response.content.decode()
    assert ads_account.profiles.count() == 3
