"""Global Privacy Control, honoured on the server (SPEC §5)."""

from datetime import date
from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Plan
from consent import policy
from consent.choices import Choice, Source
from consent.models import ChoiceValue, ConsentEvent
from tests.factories import AccountFactory, ProfileFactory
from tests.helpers import (
    all_opted_out,
    events_since,
    last_event_id,
    mic_ba,
    profile_named,
    switches,
    values_of,
    watching,
)

GPC = {"HTTP_SEC_GPC": "1"}


@pytest.mark.parametrize(
    ("header", "present"),
    [
        ("1", True),
        (" 1 ", True),
        ("0, 1", True),
        ("1,1", True),
        ("0", False),
        ("true", False),
        ("", False),
        (None, False),
        ("garbage", False),
        ("10", False),
        ("1;q=1", False),
        ("\uff11", False),  # a full-width one is not "1"
    ],
)
def test_the_signal_is_exactly_the_value_1_among_the_header_values__R_GPC_1(header, present):
    assert policy.signal_present(header) is present


RULES = {
    "US-CA": policy.JurisdictionRule(honours_signal_from=date(2020, 8, 14)),
    "US-OR": policy.JurisdictionRule(honours_signal_from=date(2026, 1, 1)),
    "FR": policy.JurisdictionRule(cookie_opt_in_from=date(2011, 5, 25)),
}


@pytest.mark.parametrize(
    ("jurisdiction", "today", "honoured"),
    [
        ("US-CA", date(2026, 11, 25), True),
        ("US-OR", date(2025, 12, 31), False),  # the day before its rule starts
        ("US-OR", date(2026, 1, 1), True),  # the day it starts
        ("US-FL", date(2026, 11, 25), False),  # not on the list
        ("FR", date(2026, 11, 25), False),  # on the list for cookies, not for the signal
        ("", date(2026, 11, 25), True),  # unknown: fail safe
    ],
)
def test_the_signal_is_honoured_where_the_law_requires_it_from_its_effective_date__R_GPC_2_R_GPC_9(
    jurisdiction, today, honoured
):
    assert policy.signal_honoured(jurisdiction=jurisdiction, rules=RULES, today=today) is honoured


def test_a_setting_honours_the_signal_everywhere__R_GPC_2():
    assert policy.signal_honoured(jurisdiction="US-FL", rules=RULES, today=date(2026, 1, 1), everywhere=True)


pytestmark = [pytest.mark.django_db]


def test_signal_opts_the_active_profile_out_with_gpc_events__R_GPC_3(client, ads_account):
    mark = last_event_id()
    watching(client, ads_account, "Sam").get(reverse("account"), **GPC)
    assert mic_ba(ads_account) == [("Alex", True, True), ("Sam", False, False), ("Kids", True, True)]
    assert events_since(mark) == [
        ("Sam", Choice.MIC, True, False, Source.GPC, ads_account.email),
        ("Sam", Choice.BA, True, False, Source.GPC, ads_account.email),
    ]
    assert set(ConsentEvent.objects.filter(id__gt=mark).values_list("jurisdiction", flat=True)) == {"US-CA"}
    assert not all_opted_out(ads_account), "only the primary profile's signal covers the account"


def test_signal_from_the_primary_profile_opts_every_profile_and_later_ones_out__R_GPC_3_R_PDS_4(client, ads_account):
    mark = last_event_id()
    watching(client, ads_account, "Alex").get(reverse("account"), **GPC)
    # Kids: BA does not exist on a kids profile, but its stored value is turned off too, so the profile
    # becoming a regular one later cannot bring behavioral advertising back (R-GPC-8).
    assert mic_ba(ads_account) == [("Alex", False, False), ("Sam", False, False), ("Kids", False, False)]
    assert all_opted_out(ads_account)
    assert {(event[1], event[4]) for event in events_since(mark)} == {
        (Choice.MIC, Source.GPC),
        (Choice.BA, Source.GPC),
        (Choice.ALL_PROFILES_OPT_OUT, Source.GPC),
    }
    assert len(events_since(mark)) == 7
    later = ProfileFactory(account=ads_account, name="Later")
    assert (values_of(later)[Choice.MIC], values_of(later)[Choice.BA]) == (False, False)


def test_signal_on_a_plan_without_ads_turns_off_mic_and_the_hidden_ba__R_GPC_3_R_PDS_5(client):
    account = AccountFactory(plan=Plan.STANDARD, region="US-TX", primary_profile_name="Jordan")
    ProfileFactory(account=account, name="Riley")
    watching(client, account, "Riley").get(reverse("account"), **GPC)
    assert mic_ba(account) == [("Jordan", True, True), ("Riley", False, False)]


def test_signal_on_a_kids_profile_turns_off_mic__R_GPC_3_R_PDS_2(client, ads_account):
    watching(client, ads_account, "Kids").get(reverse("account"), **GPC)
    assert mic_ba(ads_account)[2] == ("Kids", False, False)


@pytest.mark.parametrize(
    ("region", "honoured"),
    [("US-CA", True), ("US-TX", True), ("US-FL", False), ("", True), ("FR", False)],
)
def test_signal_is_applied_only_where_honoured__R_GPC_2(client, region, honoured):
    account = AccountFactory(region=region, primary_profile_name="Alex")
    watching(client, account, "Alex").get(reverse("account"), **GPC)
    assert mic_ba(account) == [("Alex", not honoured, not honoured)]


def test_a_state_counts_from_the_day_its_rule_starts__R_GPC_9(client, monkeypatch):
    account = AccountFactory(region="US-OR", primary_profile_name="Alex")
    watching(client, account, "Alex")
    monkeypatch.setattr("consent.middleware.timezone.localdate", lambda: date(2025, 12, 31))
    client.get(reverse("account"), **GPC)
    assert mic_ba(account) == [("Alex", True, True)]
    monkeypatch.setattr("consent.middleware.timezone.localdate", lambda: date(2026, 1, 1))
    client.get(reverse("account"), **GPC)
    assert mic_ba(account) == [("Alex", False, False)]


def test_jurisdictions_are_data_staff_can_change__R_GPC_9(client, staff_client):
    account = AccountFactory(region="US-FL", primary_profile_name="Alex")
    url = reverse("admin:consent_jurisdiction_add")
    response = staff_client.post(
        url,
        {"code": "US-FL", "name": "Florida", "honours_signal_from": "2026-01-01", "source": "Test act (2026)"},
    )
    assert response.status_code == HTTPStatus.FOUND
    watching(client, account, "Alex").get(reverse("account"), **GPC)
    assert mic_ba(account) == [("Alex", False, False)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_rules")
@pytest.mark.parametrize("page", ["account", "privacy", "emails"])
def test_with_the_cache_warm_a_repeated_signal_costs_no_query_more_and_writes_nothing__R_GPC_5(
    client, count_queries, page
):
    """The signal's check reads the facts the page reads anyway (the stored choices, the rules), from the shared
    cache once it is filled: a signal that changes nothing costs nothing measurable."""
    account = AccountFactory(region="US-CA", primary_profile_name="Alex")
    ProfileFactory(account=account, name="Sam")
    alex = profile_named(account, "Alex")
    url = {
        "account": reverse("account"),
        "privacy": alex.get_absolute_url(),
        "emails": reverse("consent:emails", kwargs={"profile": alex.pk}),
    }[page]
    watching(client, account, "Alex").get(url, **GPC)  # the signal opts the account out, once
    assert client.get(url).status_code == HTTPStatus.OK  # the cache holds what that wrote
    mark = last_event_id()
    rows = list(ChoiceValue.objects.order_by("id").values_list("id", "value", "updated_at"))

    with count_queries() as without:
        assert client.get(url).status_code == HTTPStatus.OK
    with count_queries() as with_signal:
        assert client.get(url, **GPC).status_code == HTTPStatus.OK

    assert len(without) == 1, without  # the account; everything else from the cache
    assert len(with_signal) == len(without), with_signal
    assert events_since(mark) == []
    assert list(ChoiceValue.objects.order_by("id").values_list("id", "value", "updated_at")) == rows


def test_the_page_that_applies_the_signal_shows_the_values_it_wrote__R_GPC_3(client, ads_account):
    # The facts read for the signal's check are read again after it writes: the page never shows the old values.
    alex = profile_named(ads_account, "Alex")
    assert values_of(alex)[Choice.MIC] is True
    html = watching(client, ads_account, "Alex").get(alex.get_absolute_url(), **GPC).content.decode()
    assert values_of(alex)[Choice.MIC] is False
    assert switches(html) == {"mic": False, "ba": False}, "the switches show the values the signal wrote"


def test_a_visitor_request_without_signal_or_session_makes_no_query__R_GPC_5(client, count_queries):
    client.get(reverse("privacy_statement"))  # the process's caches as a running server has them
    with count_queries() as queries:
        response = client.get(reverse("privacy_statement"))
    assert response.status_code == HTTPStatus.OK
    assert len(queries) == 0, queries


def test_signed_out_or_without_an_active_profile_nothing_is_written_to_any_account__R_GPC_4(client, ads_account):
    mark = last_event_id()
    client.get(reverse("home"), **GPC)
    client.force_login(ads_account)
    client.get(reverse("account"), **GPC)
    assert events_since(mark) == []
    assert mic_ba(ads_account) == [("Alex", True, True), ("Sam", True, True), ("Kids", True, True)]


def test_the_privacy_page_says_the_signal_is_honoured_on_each_profile_it_covers__R_GPC_6(client, ads_account):
    watching(client, ads_account, "Sam")
    sam_page = client.get(profile_named(ads_account, "Sam").get_absolute_url(), **GPC).content.decode()
    alex_page = client.get(profile_named(ads_account, "Alex").get_absolute_url(), **GPC).content.decode()
    assert "Opt-out preference signal honored" in sam_page
    assert "Opt-out preference signal honored" not in alex_page, "Sam's signal does not cover Alex"
    again = client.get(profile_named(ads_account, "Sam").get_absolute_url(), **GPC).content.decode()
    assert "Opt-out preference signal honored" in again, "not only once"
    without = client.get(profile_named(ads_account, "Sam").get_absolute_url()).content.decode()
    assert "Opt-out preference signal honored" not in without


def test_turning_a_choice_back_on_under_the_signal_asks_first_then_records_consent__R_GPC_6(client, ads_account):
    watching(client, ads_account, "Sam")
    sam = profile_named(ads_account, "Sam")
    client.get(sam.get_absolute_url(), **GPC)
    mark = last_event_id()
    form = {"action": "save", "shown": "mic ba", "mic": "on"}

    conflict = client.post(sam.get_absolute_url(), form, **GPC)

    assert conflict.status_code == HTTPStatus.CONFLICT
    html = conflict.content.decode()
    assert "Turn on despite your opt-out preference signal?" in html
    assert '<input type="hidden" name="confirm_signal" value="yes">' in html
    assert events_since(mark) == []

    confirmed = client.post(sam.get_absolute_url(), {**form, "confirm_signal": "yes"}, **GPC)

    assert confirmed.status_code == HTTPStatus.FOUND
    assert events_since(mark) == [
        ("Sam", Choice.MIC, False, True, Source.MEMBER, ads_account.email),
        ("Sam", "mic_signal_consent", False, True, Source.MEMBER, ads_account.email),
    ]
    assert {e.context.get("overrides_signal") for e in ConsentEvent.objects.filter(id__gt=mark)} == {True}
    # The signal now respects it on this profile.
    client.get(sam.get_absolute_url(), **GPC)
    assert values_of(sam)[Choice.MIC] is True
    assert len(events_since(mark)) == 2


def test_turning_the_choice_off_again_ends_the_explicit_consent__R_GPC_6(client, ads_account):
    watching(client, ads_account, "Sam")
    sam = profile_named(ads_account, "Sam")
    client.get(sam.get_absolute_url(), **GPC)
    client.post(sam.get_absolute_url(), {"action": "save", "mic": "on", "confirm_signal": "yes"}, **GPC)
    client.post(sam.get_absolute_url(), {"action": "save"}, **GPC)
    assert values_of(sam)["mic_signal_consent"] is False
    assert client.post(sam.get_absolute_url(), {"action": "save", "mic": "on"}, **GPC).status_code == 409


def test_a_request_without_the_signal_turns_nothing_back_on__R_GPC_8(client, ads_account):
    watching(client, ads_account, "Alex").get(reverse("account"), **GPC)
    mark = last_event_id()
    for _ in range(3):
        client.get(reverse("account"))
        client.get(profile_named(ads_account, "Alex").get_absolute_url())
    assert events_since(mark) == []
    assert mic_ba(ads_account) == [("Alex", False, False), ("Sam", False, False), ("Kids", False, False)]


def test_without_the_signal_a_member_turns_a_choice_on_without_being_asked__R_GPC_8(client, ads_account):
    watching(client, ads_account, "Sam")
    sam = profile_named(ads_account, "Sam")
    client.get(sam.get_absolute_url(), **GPC)
    response = client.post(sam.get_absolute_url(), {"action": "save", "mic": "on", "ba": "on"})
    assert response.status_code == HTTPStatus.FOUND
    assert values_of(sam)[Choice.MIC] is True


def test_responses_say_they_vary_with_the_signal__R_GPC_1(client, ads_account):
    for url in (reverse("home"), reverse("cookies"), reverse("privacy_statement")):
        assert "Sec-GPC" in client.get(url)["Vary"]


def test_gpc_json_says_the_site_honours_the_signal__R_GPC_7(client):
    response = client.get("/.well-known/gpc.json")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"gpc": True, "lastUpdate": "2026-11-25"}
    date.fromisoformat(response.json()["lastUpdate"])


def test_signal_everywhere_setting_honours_it_in_an_unlisted_state__R_GPC_2(client, settings):
    settings.PRIVACY_GPC_EVERYWHERE = True
    account = AccountFactory(region="US-FL", primary_profile_name="Alex")
    watching(client, account, "Alex").get(reverse("account"), **GPC)
    assert mic_ba(account) == [("Alex", False, False)]


def test_a_trusted_region_header_decides_the_jurisdiction__R_GPC_2(client, settings):
    settings.PRIVACY_REGION_HEADER = "X-Privacy-Region"
    account = AccountFactory(region="US-CA", primary_profile_name="Alex")
    watching(client, account, "Alex").get(reverse("account"), HTTP_X_PRIVACY_REGION="US-FL", **GPC)
    assert mic_ba(account) == [("Alex", True, True)]


def test_staff_plan_change_after_the_signal_keeps_the_opt_out__R_GPC_8(client, ads_account, staff):
    watching(client, ads_account, "Sam").get(reverse("account"), **GPC)
    account_services.account_set_plan(account=ads_account, plan=Plan.PREMIUM, acting_user=staff)
    account_services.account_set_plan(account=ads_account, plan=Plan.STANDARD_WITH_ADS, acting_user=staff)
    assert mic_ba(ads_account)[1] == ("Sam", False, False)
