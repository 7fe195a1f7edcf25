"""What the outside review of Global Privacy Control and cookies found (SPEC §5, §6), one test per defect."""

from datetime import date
from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Account, Plan
from consent import policy, selectors
from consent.choices import Choice
from tests.factories import AccountFactory, ProfileFactory
from tests.helpers import profile_named, values_of, watching

GPC = {"HTTP_SEC_GPC": "1"}


def effective(account: Account) -> list[tuple[str, bool, bool]]:
    """(name, MIC allowed, BA allowed) per profile: what downstream systems are told, read afresh."""
    account = Account.objects.get(pk=account.pk)
    rows = []
    for profile in account.profiles.order_by("slot"):
        facts = selectors.profile_facts(profile=profile, account=account)
        rows.append((profile.name, policy.mic_allowed(facts), policy.behavioral_ads_allowed(facts)))
    return rows


@pytest.mark.django_db
def test_signal_opt_out_survives_the_plan_gaining_ads__R_GPC_8_R_PDS_5(client):
    """The signal sent on a plan without ads opted the account out; moving to the ad plan afterwards (no signal
    on that request, or the change made by support) must not bring behavioral advertising back."""
    account = AccountFactory(plan=Plan.STANDARD, region="US-CA", primary_profile_name="Jordan")
    ProfileFactory(account=account, name="Riley")
    watching(client, account, "Jordan").get(reverse("account"), **GPC)

    account_services.account_set_plan(account=account, plan=Plan.STANDARD_WITH_ADS, acting_user=account)

    assert effective(account) == [("Jordan", False, False), ("Riley", False, False)]


@pytest.mark.django_db
def test_signal_opt_out_survives_a_kids_profile_becoming_a_regular_one__R_GPC_8_R_PDS_2(client, ads_account):
    watching(client, ads_account, "Alex").get(reverse("account"), **GPC)

    account_services.profile_set_kids(profile=profile_named(ads_account, "Kids"), is_kids=False, acting_user=None)

    assert effective(ads_account)[2] == ("Kids", False, False)


@pytest.mark.parametrize(
    ("jurisdiction", "honoured"),
    [
        ("US", True),  # a US request whose state is unknown: the state's law may require it (fail safe)
        ("US-FL", False),  # a known state without the duty
        ("FR", False),  # a known country without the duty
        ("CA", False),  # a country with no signal rules for any subdivision
    ],
)
def test_a_country_known_only_by_its_subdivisions_without_one_is_unknown_and_honours_the_signal__R_GPC_2(
    jurisdiction, honoured
):
    rules = {
        "US-CA": policy.JurisdictionRule(honours_signal_from=date(2020, 8, 14)),
        "FR": policy.JurisdictionRule(cookie_opt_in_from=date(2011, 5, 25)),
    }
    assert policy.signal_honoured(jurisdiction=jurisdiction, rules=rules, today=date(2026, 11, 25)) is honoured


@pytest.mark.django_db
def test_a_proxy_sending_only_the_country_us_still_honours_the_signal__R_GPC_2(client, settings):
    settings.PRIVACY_REGION_HEADER = "X-Privacy-Region"
    account = AccountFactory(region="US-CA", primary_profile_name="Alex")
    watching(client, account, "Alex").get(reverse("account"), HTTP_X_PRIVACY_REGION="US", **GPC)
    assert effective(account) == [("Alex", False, False)]


@pytest.mark.django_db
def test_opt_all_profiles_ends_explicit_signal_consent_so_turning_on_again_asks__R_GPC_6_R_PDS_4(client, ads_account):
    """ "Opt out of all" ends the consent that kept a choice on despite the signal; "Opt all profiles out of all"
    must too, or turning the choice back on under the signal skips the conflict step."""
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
