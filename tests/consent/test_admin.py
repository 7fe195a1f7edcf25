"""Support staff in the Django admin (R-AU-2, R-AU-4)."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from consent.choices import Choice, Source
from consent.models import ConsentEvent
from tests.conftest import all_opted_out, events_since, last_event_id, mic_ba, profile_named

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_staff_opt_a_profile_out_of_all_as_an_admin_event__R_AU_4(staff_client, staff, ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    response = staff_client.post(
        reverse("admin:accounts_profile_changelist"),
        {"action": "opt_profiles_out_of_all", "_selected_action": [str(sam.pk)]},
        follow=True,
    )
    assert response.status_code == HTTPStatus.OK
    assert events_since(mark) == [
        ("Sam", Choice.MIC, True, False, Source.ADMIN, staff.email),
        ("Sam", Choice.BA, True, False, Source.ADMIN, staff.email),
    ]


def test_staff_opt_a_whole_account_out_of_all__R_AU_4(staff_client, staff, ads_account):
    mark = last_event_id()
    staff_client.post(
        reverse("admin:accounts_account_changelist"),
        {"action": "opt_accounts_out_of_all", "_selected_action": [str(ads_account.pk)]},
    )
    events = events_since(mark)
    assert len(events) == 7
    assert {(source, by) for *_, source, by in events} == {(Source.ADMIN, staff.email)}
    assert mic_ba(ads_account) == [("Alex", False, False), ("Sam", False, False), ("Kids", False, False)]
    assert all_opted_out(ads_account)


def test_consent_events_are_read_only_in_the_admin__R_AU_2(staff_client, ads_account):
    event = ConsentEvent.objects.first()
    changelist = reverse("admin:consent_consentevent_changelist")
    assert staff_client.get(changelist).status_code == HTTPStatus.OK
    change_url = reverse("admin:consent_consentevent_change", args=[event.pk])
    page = staff_client.get(change_url)
    assert page.status_code == HTTPStatus.OK
    assert 'name="_save"' not in page.content.decode()
    staff_client.post(change_url, {"new_value": "false"})
    delete_url = reverse("admin:consent_consentevent_delete", args=[event.pk])
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert ConsentEvent.objects.get(pk=event.pk).new_value == event.new_value
    assert staff_client.get(reverse("admin:consent_consentevent_add")).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize(
    "query",
    ["?source__exact=system", "?choice__exact=mic", "?q=ads", "?created_at__year=2026", "?account__id__exact=1"],
)
def test_consent_events_filter_and_search__R_AU_2(staff_client, ads_account, query):
    response = staff_client.get(reverse("admin:consent_consentevent_changelist") + query)
    assert response.status_code == HTTPStatus.OK


def test_account_and_profile_pages_open_for_staff(staff_client, ads_account):
    assert staff_client.get(reverse("admin:accounts_account_change", args=[ads_account.pk])).status_code == 200
    sam = profile_named(ads_account, "Sam")
    assert staff_client.get(reverse("admin:accounts_profile_change", args=[sam.pk])).status_code == 200
    url = reverse("admin:consent_consentevent_changelist") + f"?profile__id__exact={sam.pk}"
    assert staff_client.get(url).status_code == HTTPStatus.OK


def test_admin_refuses_to_make_the_primary_profile_kids(staff_client, ads_account):
    alex = profile_named(ads_account, "Alex")
    response = staff_client.post(
        reverse("admin:accounts_profile_change", args=[alex.pk]), {"name": "Alex", "is_kids": "on"}
    )
    assert response.status_code == HTTPStatus.OK
    assert "cannot be a kids profile" in response.content.decode()
    alex.refresh_from_db()
    assert not alex.is_kids
