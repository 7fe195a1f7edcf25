"""Members' email addresses in the admin: staff who may view accounts see them, in plain columns of their own;
staff who work on profiles alone never see one, in a list, a search, a filter or a form (the account reads
"Account #42")."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import Profile
from consent.models import ConsentEvent
from tests.factories import AccountFactory
from tests.helpers import PROFILES_ONLY, VIEW_ONLY, change_form_data, signed_in, staff_with

pytestmark = pytest.mark.django_db

EMAIL = "hidden.member@example.com"


@pytest.fixture
def member():
    return AccountFactory(email=EMAIL, primary_profile_name="Robin")


def profiles_url(query: str = "") -> str:
    return reverse("admin:accounts_profile_changelist") + query


def events_url(query: str = "") -> str:
    return reverse("admin:consent_consentevent_changelist") + query


def test_profile_only_staff_see_no_members_email_in_lists_searches_filters_or_forms(member):
    client = signed_in(staff_with(*PROFILES_ONLY))
    robin = Profile.objects.get(account=member)
    pages = [
        profiles_url(),
        profiles_url("?q=Robin"),
        profiles_url("?choice_mic=on&account__plan__exact=standard_with_ads&is_primary__exact=1"),
        reverse("admin:accounts_profile_change", args=[robin.pk]),
        events_url(),
        events_url(f"?account__id__exact={member.pk}"),
        reverse("admin:consent_consentevent_change", args=[ConsentEvent.objects.filter(account=member).first().pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, url
        assert "hidden.member" not in response.content.decode(), url
    found = client.get(profiles_url("?q=Robin"))
    assert [str(p.account) for p in found.context["cl"].result_list] == [f"Account #{member.pk}"]
    # A search by email finds nothing (the page shows back only what was typed): no way to test an address.
    assert list(client.get(profiles_url(f"?q={EMAIL}")).context["cl"].result_list) == []
    assert list(client.get(profiles_url("?q=hidden")).context["cl"].result_list) == []


@pytest.mark.parametrize("lookup", ["account__email", "account__email__startswith", "account__email__gt"])
def test_profile_only_staff_cannot_filter_profiles_by_email(member, lookup):
    client = signed_in(staff_with(*PROFILES_ONLY))
    assert client.get(profiles_url(f"?{lookup}=h")).status_code == HTTPStatus.BAD_REQUEST


def test_profile_only_staff_cannot_open_the_account(member):
    client = signed_in(staff_with(*PROFILES_ONLY))
    response = client.get(reverse("admin:accounts_account_change", args=[member.pk]))
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_profile_only_staff_still_rename_a_profile(member):
    client = signed_in(staff_with(*PROFILES_ONLY))
    robin = Profile.objects.get(account=member)
    url = reverse("admin:accounts_profile_change", args=[robin.pk])
    response = client.post(url, change_form_data(client, url, name="Robyn"))
    assert response.status_code == HTTPStatus.FOUND
    robin.refresh_from_db()
    assert robin.name == "Robyn"


def test_staff_who_may_view_accounts_see_and_search_the_email_in_profile_and_event_lists(member):
    client = signed_in(staff_with(*VIEW_ONLY))
    robin = Profile.objects.get(account=member)
    for url in (profiles_url(), events_url(), reverse("admin:accounts_profile_change", args=[robin.pk])):
        assert EMAIL in client.get(url).content.decode(), url
    assert [p.name for p in client.get(profiles_url(f"?q={EMAIL}")).context["cl"].result_list] == ["Robin"]
    events = client.get(events_url(f"?q={EMAIL}")).context["cl"].result_list
    assert {event.account_id for event in events} == {member.pk}
