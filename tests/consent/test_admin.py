"""Support staff in the Django admin (R-AU-2, R-AU-4), under the same services as the members' pages."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import Account, PhoneNumber, Plan
from consent import email, services
from consent.choices import Choice, Source
from consent.models import ConsentEvent
from tests.factories import AccountFactory
from tests.helpers import (
    actor,
    all_opted_out,
    change_form_data,
    events_since,
    last_event_id,
    mic_ba,
    profile_named,
    values_of,
)

pytestmark = pytest.mark.django_db


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
    assert set(ConsentEvent.objects.filter(id__gt=mark).values_list("jurisdiction", flat=True)) == {"US-CA"}


def test_staff_opt_a_whole_account_out_of_all__R_AU_4(staff_client, staff, ads_account):
    mark = last_event_id()
    staff_client.post(
        reverse("admin:accounts_account_changelist"),
        {"action": "opt_accounts_out_of_all", "_selected_action": [str(ads_account.pk)]},
    )
    assert events_since(mark) == [
        *(
            (name, choice, True, False, Source.ADMIN, staff.email)
            for name in ("Alex", "Sam", "Kids")
            for choice in (Choice.MIC, Choice.BA)
        ),
        (None, Choice.ALL_PROFILES_OPT_OUT, False, True, Source.ADMIN, staff.email),
    ]
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


def test_a_consent_event_date_filter_with_a_huge_year_is_refused_as_a_malformed_filter(staff_client, ads_account):
    """Django's date hierarchy turns an out-of-range year into OverflowError; here it is a malformed filter like any
    other and gets the admin's "invalid filter" redirect, not a server error."""
    url = reverse("admin:consent_consentevent_changelist")
    response = staff_client.get(url, {"created_at__year": "99999999999999999999"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].endswith("?e=1")


def listed(client, url: str) -> list:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return list(response.context["cl"].result_list)


@pytest.fixture
def two_accounts_with_history(ads_account, staff):
    """ads (US-CA): Sam turned MIC off as a member; basic (US-TX): opted all profiles out by staff."""
    services.profile_set_choices(
        profile=profile_named(ads_account, "Sam"), values={Choice.MIC: False}, actor=actor(Source.MEMBER, ads_account)
    )
    basic = AccountFactory(email="basic@example.com", plan=Plan.STANDARD, region="US-TX", primary_profile_name="Jo")
    services.account_opt_all_profiles_out(account=basic, from_profile=None, actor=actor(Source.ADMIN, staff))
    return ads_account, basic


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("source=member", {("ads@example.com", "Sam", "mic", "member")}),
        ("choice=all_profiles_opt_out", {("basic@example.com", None, "all_profiles_opt_out", "admin")}),
        (
            "jurisdiction=US-TX&source=admin",
            {("basic@example.com", "Jo", c, "admin") for c in ("mic", "ba")}
            | {("basic@example.com", None, "all_profiles_opt_out", "admin")},
        ),
        (
            "q=basic&choice=mic",
            {("basic@example.com", "Jo", "mic", "system"), ("basic@example.com", "Jo", "mic", "admin")},
        ),
    ],
)
def test_consent_events_filter_and_search_find_exactly_the_matching_events__R_AU_2(
    staff_client, two_accounts_with_history, query, expected
):
    ads, _ = two_accounts_with_history
    events = listed(staff_client, reverse("admin:consent_consentevent_changelist") + "?" + query)
    email = {ads.email: "ads@example.com"}
    found = {
        (email.get(e.account.email, e.account.email), e.profile and e.profile.name, e.choice, e.source) for e in events
    }
    assert found == expected


def test_consent_events_of_one_account_are_only_that_accounts(staff_client, two_accounts_with_history):
    _, basic = two_accounts_with_history
    events = listed(staff_client, reverse("admin:consent_consentevent_changelist") + f"?account__id__exact={basic.pk}")
    assert {event.account_id for event in events} == {basic.pk}
    assert len(events) == ConsentEvent.objects.filter(account=basic).count() == 5


def test_profiles_filter_by_the_current_value_of_a_choice_defaults_included(staff_client, two_accounts_with_history):
    url = reverse("admin:accounts_profile_changelist")
    assert {p.name for p in listed(staff_client, url + "?choice_mic=off")} == {"Sam", "Jo"}
    assert {p.name for p in listed(staff_client, url + "?choice_mic=on")} == {"Alex", "Kids"}
    assert {p.name for p in listed(staff_client, url + "?choice_ba=off")} == {"Jo"}


def test_accounts_filter_by_the_account_wide_opt_out(staff_client, staff, two_accounts_with_history):
    url = reverse("admin:accounts_account_changelist")
    assert {a.email for a in listed(staff_client, url + "?choice_all_profiles_opt_out=on")} == {"basic@example.com"}
    ads, _ = two_accounts_with_history
    assert {a.email for a in listed(staff_client, url + "?choice_all_profiles_opt_out=off")} == {ads.email, staff.email}


def test_account_and_profile_pages_show_current_choices_and_history_links(staff_client, two_accounts_with_history):
    ads, _ = two_accounts_with_history
    html = staff_client.get(reverse("admin:accounts_account_change", args=[ads.pk])).content.decode()
    assert "All profiles opted out (incl. later profiles): off" in html
    assert f"?account__id__exact={ads.pk}" in html
    sam = profile_named(ads, "Sam")
    html = staff_client.get(reverse("admin:accounts_profile_change", args=[sam.pk])).content.decode()
    assert "Matched Identifier Communications: off" in html
    assert "Behavioral Advertising: on" in html
    kids_html = staff_client.get(
        reverse("admin:accounts_profile_change", args=[profile_named(ads, "Kids").pk])
    ).content.decode()
    assert "Behavioral Advertising: on (no effect on this profile)" in kids_html


def test_admin_refuses_to_make_the_primary_profile_kids(staff_client, ads_account):
    alex = profile_named(ads_account, "Alex")
    url = reverse("admin:accounts_profile_change", args=[alex.pk])
    mark = last_event_id()
    response = staff_client.post(url, change_form_data(staff_client, url, is_kids="on"))
    assert response.status_code == HTTPStatus.OK
    assert "cannot be a kids profile" in response.content.decode()
    alex.refresh_from_db()
    assert not alex.is_kids
    assert events_since(mark) == []


def test_staff_turning_a_profile_into_kids_goes_through_the_service_and_audits_ba__R_PDS_2(
    staff_client, staff, ads_account
):
    sam = profile_named(ads_account, "Sam")
    url = reverse("admin:accounts_profile_change", args=[sam.pk])
    mark = last_event_id()
    response = staff_client.post(url, change_form_data(staff_client, url, is_kids="on", name="Samantha"))
    assert response.status_code == HTTPStatus.FOUND
    sam.refresh_from_db()
    assert (sam.name, sam.is_kids) == ("Samantha", True)
    # BA, and the marketing email categories, which do not apply to kids profiles (R-EM-3).
    assert events_since(mark) == [
        ("Samantha", key, True, False, Source.ADMIN, staff.email) for key in (Choice.BA, *email.marketing_categories())
    ]
    assert {event.context["cause"] for event in ConsentEvent.objects.filter(id__gt=mark)} == {"is_kids"}
    assert ConsentEvent.objects.filter(id__gt=mark).first().context == {"effective_only": True, "cause": "is_kids"}
    assert values_of(sam)[Choice.BA] is True, "the stored choice is kept (R-PDS-5)"


def test_staff_changing_the_plan_goes_through_the_service_and_audits_ba__R_PDS_5(staff_client, staff, ads_account):
    url = reverse("admin:accounts_account_change", args=[ads_account.pk])
    mark = last_event_id()
    response = staff_client.post(url, change_form_data(staff_client, url, plan=Plan.PREMIUM))
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    assert Account.objects.get(pk=ads_account.pk).plan == Plan.PREMIUM
    # Kids had no BA in effect; Alex and Sam lose it while their stored choice stays on.
    assert events_since(mark) == [
        ("Alex", Choice.BA, True, False, Source.ADMIN, staff.email),
        ("Sam", Choice.BA, True, False, Source.ADMIN, staff.email),
    ]
    assert mic_ba(ads_account) == [("Alex", True, True), ("Sam", True, True), ("Kids", True, True)]


def test_staff_saving_an_account_unchanged_writes_nothing(staff_client, ads_account):
    url = reverse("admin:accounts_account_change", args=[ads_account.pk])
    mark = last_event_id()
    assert staff_client.post(url, change_form_data(staff_client, url)).status_code == HTTPStatus.FOUND
    assert events_since(mark) == []


def test_staff_set_and_delete_the_phone_through_the_services(staff_client, ads_account):
    url = reverse("admin:accounts_account_change", args=[ads_account.pk])
    data = change_form_data(staff_client, url)
    data.update({"phone-TOTAL_FORMS": "1", "phone-0-number": "+14155550199", "phone-0-account": str(ads_account.pk)})
    assert staff_client.post(url, data).status_code == HTTPStatus.FOUND
    ads_account.refresh_from_db()
    assert str(ads_account.phone.number) == "+14155550199"

    data = change_form_data(staff_client, url, **{"phone-0-DELETE": "on"})
    assert staff_client.post(url, data).status_code == HTTPStatus.FOUND
    assert not Account.objects.filter(pk=ads_account.pk, phone__isnull=False).exists()


@pytest.mark.parametrize("has_phone", [False, True])
def test_the_account_page_in_the_admin_never_offers_another_phone(staff_client, ads_account, has_phone):
    """One number is the most an account has: none on file shows its one field, one on file no room for more, so
    the admin's script has no "Add another Phone number" to offer (it does so only below MAX_NUM_FORMS)."""
    if has_phone:
        PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    html = staff_client.get(reverse("admin:accounts_account_change", args=[ads_account.pk])).content.decode()
    assert 'name="phone-TOTAL_FORMS" value="1"' in html
    assert 'name="phone-MAX_NUM_FORMS" value="1"' in html
    assert 'name="phone-0-number"' in html


def test_staff_saving_an_account_without_a_phone_adds_none(staff_client, ads_account):
    url = reverse("admin:accounts_account_change", args=[ads_account.pk])
    assert staff_client.post(url, change_form_data(staff_client, url)).status_code == HTTPStatus.FOUND
    assert not PhoneNumber.objects.filter(account=ads_account).exists()
