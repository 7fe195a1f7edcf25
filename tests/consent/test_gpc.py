"""Global Privacy Control, honoured on the server (docs/rules.md, Global Privacy Control): where the law requires it,
for the member's profiles, idempotently, and never undone by a later request without it or by a plan or kids change."""

import re
from datetime import UTC, date, datetime
from http import HTTPStatus

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Account, PhoneNumber, Plan
from consent import policy, selectors
from consent.choices import Choice, Source
from consent.models import ChoiceValue, ConsentEvent, Jurisdiction
from tests.factories import AccountFactory, ProfileFactory
from tests.helpers import (
    GPC,
    all_opted_out,
    control,
    events_since,
    last_event_id,
    mic_ba,
    profile_named,
    run_concurrently,
    switches,
    values_of,
    watching,
)

# Whether a jurisdiction's rule is in force depends on the date (R-GPC-9): every test here runs on one day,
# after every shipped rule started, unless it sets its own.
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(datetime(2027, 3, 15, 12, 0, tzinfo=UTC), tick=False)]


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
        ("US", date(2026, 11, 25), True),  # a US request whose state is unknown: its state's law may require it
        ("CA", date(2026, 11, 25), False),  # a country with no signal rules for any subdivision
    ],
)
def test_the_signal_is_honoured_where_the_law_requires_it_from_its_effective_date__R_GPC_2_R_GPC_9(
    jurisdiction, today, honoured
):
    assert policy.signal_honoured(jurisdiction=jurisdiction, rules=RULES, today=today) is honoured


def test_a_setting_honours_the_signal_everywhere__R_GPC_2():
    assert policy.signal_honoured(jurisdiction="US-FL", rules=RULES, today=date(2026, 1, 1), everywhere=True)


def test_signal_opts_the_active_profile_out_with_gpc_events__R_GPC_3(client, ads_account):
    mark = last_event_id()
    watching(client, ads_account, "Sam").get(reverse("account"), **GPC)
    assert mic_ba(ads_account) == [("Alex", True, True), ("Sam", False, False), ("Kids", True, True)]
    assert events_since(mark) == [
        ("Sam", Choice.MIC, True, False, Source.GPC, ads_account.email),
        ("Sam", Choice.BA, True, False, Source.GPC, ads_account.email),
        ("Sam", Choice.SIGNAL_RECEIVED, False, True, Source.GPC, ads_account.email),
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
    by = ads_account.email
    assert events_since(mark) == [
        *(
            (name, choice, old, not old, Source.GPC, by)
            for name in ("Alex", "Sam", "Kids")
            for choice, old in ((Choice.MIC, True), (Choice.BA, True), (Choice.SIGNAL_RECEIVED, False))
        ),
        (None, Choice.ALL_PROFILES_OPT_OUT, False, True, Source.GPC, by),
    ]
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


@pytest.mark.time_machine(datetime(2025, 12, 31, 23, 0, tzinfo=UTC), tick=False)
def test_a_state_counts_from_the_day_its_rule_starts__R_GPC_9(client, time_machine):
    account = AccountFactory(region="US-OR", primary_profile_name="Alex")  # Oregon: from 2026-01-01
    watching(client, account, "Alex").get(reverse("account"), **GPC)
    assert mic_ba(account) == [("Alex", True, True)]
    time_machine.move_to(datetime(2026, 1, 1, 0, 30, tzinfo=UTC), tick=False)
    client.get(reverse("account"), **GPC)
    assert mic_ba(account) == [("Alex", False, False)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_rules")
def test_a_jurisdiction_staff_add_in_the_admin_is_in_effect_on_the_next_request__R_GPC_9(client, staff):
    """The rules are kept in the shared cache (transactional_db: the cache is really used and the admin's
    commit really replaces its version), yet the next request judges by the new rule."""
    account = AccountFactory(region="US-FL", primary_profile_name="Alex")
    watching(client, account, "Alex").get(reverse("account"), **GPC)
    assert mic_ba(account) == [("Alex", True, True)], "Florida is not on the list (and the rules are now cached)"
    support = Client()
    support.force_login(staff)
    response = support.post(
        reverse("admin:consent_jurisdiction_add"),
        {"code": "US-FL", "name": "Florida", "honours_signal_from": "2027-01-01", "source": "Test act (2027)"},
    )
    assert response.status_code == HTTPStatus.FOUND
    client.get(reverse("account"), **GPC)
    assert mic_ba(account) == [("Alex", False, False)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_rules")
def test_a_jurisdiction_staff_take_off_the_list_stops_the_signal_on_the_next_request__R_GPC_9(client, staff):
    account = AccountFactory(region="US-CO", primary_profile_name="Alex")
    watching(client, account, "Alex").get(reverse("consent:privacy", args=[profile_named(account, "Alex").pk]))
    colorado = Jurisdiction.objects.get(code="US-CO")
    support = Client()
    support.force_login(staff)
    response = support.post(reverse("admin:consent_jurisdiction_delete", args=[colorado.pk]), {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    client.get(reverse("account"), **GPC)
    assert mic_ba(account) == [("Alex", True, True)]


@pytest.mark.postgres  # another request reads on its own connection while the admin's transaction is open
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_rules")
def test_rules_another_request_reads_while_an_admin_change_commits_are_not_kept_after_it__R_GPC_9():
    california = Jurisdiction.objects.get(code="US-CA")
    assert selectors.rules().jurisdictions["US-CA"].honours_signal_from is not None
    with transaction.atomic():
        california.honours_signal_from = None
        california.save()
        # Another request reads the committed (old) rows now and keeps them in the shared cache.
        run_concurrently(lambda: selectors.rules().jurisdictions)
    assert selectors.rules().jurisdictions["US-CA"].honours_signal_from is None


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

    assert len(without) == 0, without  # the account, its profiles, choices and the rules: all from the cache
    assert len(with_signal) == len(without), with_signal
    assert events_since(mark) == []
    assert list(ChoiceValue.objects.order_by("id").values_list("id", "value", "updated_at")) == rows


def _without_csrf_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.mark.parametrize("page", ["privacy", "emails", "texts", "account", "profile_add"])
def test_the_page_that_applies_the_signal_shows_the_values_it_wrote__R_GPC_3(client, ads_account, page):
    """The facts read for the signal's check are read again after it writes: the request that wrote and the next
    one draw the same page, never the values from before."""
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    alex = profile_named(ads_account, "Alex")
    url = {
        "privacy": alex.get_absolute_url(),
        "emails": reverse("consent:emails", kwargs={"profile": alex.pk}),
        "texts": reverse("consent:texts"),
        "account": reverse("account"),
        "profile_add": reverse("profile_add"),
    }[page]
    assert values_of(alex)[Choice.MIC] is True
    html = watching(client, ads_account, "Alex").get(url, **GPC).content.decode()
    assert values_of(alex)[Choice.MIC] is False
    fresh = client.get(url, **GPC).content.decode()
    assert _without_csrf_tokens(html) == _without_csrf_tokens(fresh)
    if page == "privacy":
        assert switches(html) == {"mic": False, "ba": False}, "the switches show the values the signal wrote"
    notice = {"account": "All profiles are opted out of all", "profile_add": "Every profile on your account is"}
    if page in notice:
        assert notice[page] in html, "the notice of the flag the signal set"


def test_a_post_with_the_signal_sees_the_values_the_signal_wrote_in_the_same_request__R_GPC_6(client, ads_account):
    alex = profile_named(ads_account, "Alex")
    watching(client, ads_account, "Alex")
    # The first request with the signal is a POST turning MIC on: the signal writes first, the page then sees a
    # conflict with what it wrote (not with the values read before it wrote).
    conflict = client.post(alex.get_absolute_url(), {"mic": "on", "ba": "on", "action": "save"}, **GPC)
    assert conflict.status_code == HTTPStatus.CONFLICT
    assert "Turn on despite your opt-out preference signal?" in conflict.content.decode()
    assert values_of(alex)[Choice.MIC] is False
    confirmed = client.post(alex.get_absolute_url(), {"mic": "on", "action": "save", "confirm_signal": "yes"}, **GPC)
    assert confirmed.status_code == HTTPStatus.FOUND
    page = client.get(alex.get_absolute_url(), **GPC).content.decode()
    assert switches(page) == {"mic": True, "ba": False}, "the explicit consent stands against the signal"
    # Opt out of all with the signal in the same request, then the page shows it at once.
    client.post(alex.get_absolute_url(), {"action": "opt_out_all"}, **GPC)
    page = client.get(alex.get_absolute_url(), **GPC).content.decode()
    assert switches(page) == {"mic": False, "ba": False}


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
    assert control(html, "confirm_signal") == {
        "tag": "input",
        "type": "hidden",
        "name": "confirm_signal",
        "value": "yes",
    }
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
    again = client.post(sam.get_absolute_url(), {"action": "save", "mic": "on"}, **GPC)
    assert again.status_code == HTTPStatus.CONFLICT


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


# A signal's opt-out lasts (R-GPC-8) -----------------------------------------------------------------------------


def effective(account: Account) -> list[tuple[str, bool, bool]]:
    """(name, MIC allowed, BA allowed) per profile: what downstream systems are told, read afresh."""
    account = Account.objects.get(pk=account.pk)
    rows = []
    for profile in account.profiles.order_by("slot"):
        facts = selectors.profile_facts(profile=profile, account=account)
        rows.append((profile.name, policy.mic_allowed(facts), policy.behavioral_ads_allowed(facts)))
    return rows


def test_signal_opt_out_survives_the_plan_gaining_ads__R_GPC_8_R_PDS_5(client):
    """The signal sent on a plan without ads opted the account out; moving to the ad plan afterwards (no signal
    on that request, or the change made by support) must not bring behavioral advertising back."""
    account = AccountFactory(plan=Plan.STANDARD, region="US-CA", primary_profile_name="Jordan")
    ProfileFactory(account=account, name="Riley")
    watching(client, account, "Jordan").get(reverse("account"), **GPC)

    account_services.account_set_plan(account=account, plan=Plan.STANDARD_WITH_ADS, acting_user=account)

    assert effective(account) == [("Jordan", False, False), ("Riley", False, False)]


def test_signal_opt_out_survives_a_kids_profile_becoming_a_regular_one__R_GPC_8_R_PDS_2(client, ads_account):
    watching(client, ads_account, "Alex").get(reverse("account"), **GPC)

    account_services.profile_set_kids(profile=profile_named(ads_account, "Kids"), is_kids=False, acting_user=None)

    assert effective(ads_account)[2] == ("Kids", False, False)


def test_a_proxy_sending_only_the_country_us_still_honours_the_signal__R_GPC_2(client, settings):
    settings.PRIVACY_REGION_HEADER = "X-Privacy-Region"
    account = AccountFactory(region="US-CA", primary_profile_name="Alex")
    watching(client, account, "Alex").get(reverse("account"), HTTP_X_PRIVACY_REGION="US", **GPC)
    assert effective(account) == [("Alex", False, False)]


def test_opt_all_profiles_ends_explicit_signal_consent_so_turning_on_again_asks__R_GPC_6_R_PDS_4(client, ads_account):
    """ "Opt out of all" ends the consent that kept a choice on despite the signal; "Opt all profiles out of all"
    does too, so turning the choice back on under the signal asks again."""
    watching(client, ads_account, "Alex")
    alex = profile_named(ads_account, "Alex")
    client.get(alex.get_absolute_url(), **GPC)
    client.post(alex.get_absolute_url(), {"action": "save", "mic": "on", "confirm_signal": "yes"}, **GPC)
    assert values_of(alex)["mic_signal_consent"] is True

    client.post(alex.get_absolute_url(), {"action": "opt_all_profiles"}, **GPC)

    assert values_of(alex)["mic_signal_consent"] is False
    again = client.post(alex.get_absolute_url(), {"action": "save", "mic": "on"}, **GPC)
    assert again.status_code == HTTPStatus.CONFLICT
    assert values_of(alex)[Choice.MIC] is False


def test_pages_say_the_signal_is_honored_in_spanish__R_GPC_6_R_I18N_1(client):
    """A visitor whose region is unknown (fail safe: the signal is honoured) reads it in Spanish on Do Not Sell
    and in the cookie choice tool."""
    spanish = {"HTTP_ACCEPT_LANGUAGE": "es", **GPC}
    page = client.get(reverse("do_not_sell"), **spanish).content.decode()
    assert (
        "Se respetó la señal de preferencia de exclusión. Tu navegador envía el Control Global de Privacidad (GPC)."
        in page
    )
    tool = client.get(reverse("cookies"), **spanish).content.decode()
    assert "Se respetó la señal de preferencia de exclusión. Tu navegador envía el Control Global" in tool
    assert "Desactivadas mientras tu navegador envíe la señal de preferencia de exclusión." in tool
    assert ">Aceptar todas excepto las de publicidad</button>" in tool
