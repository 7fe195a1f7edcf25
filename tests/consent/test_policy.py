"""The rules as pure functions: no database."""

import pytest

from accounts.models import Plan
from consent import policy
from consent.choices import REGISTRY, Choice, Page, Scope


def facts(*, ads=True, kids=False, primary=False, mic=True, ba=True, opted_out=False) -> policy.ProfileFacts:
    values = policy.current_values({}, scopes=[Scope.PROFILE, Scope.ACCOUNT])  # every choice, at its default
    values.update({Choice.MIC: mic, Choice.BA: ba, Choice.ALL_PROFILES_OPT_OUT: opted_out})
    return policy.ProfileFacts(plan_has_ads=ads, is_kids=kids, is_primary=primary, values=values)


def keys(specs) -> tuple[str, ...]:
    return tuple(spec.key for spec in specs)


@pytest.mark.parametrize(
    ("plan", "has_ads"),
    [("basic", False), ("standard", False), ("premium", False), ("standard_with_ads", True), ("bogus", False)],
)
def test_only_the_ad_supported_plan_has_ads__R_PDS_1(plan, has_ads):
    assert Plan.has_ads(plan) is has_ads


@pytest.mark.parametrize(
    ("ads", "kids", "ba", "allowed"),
    [
        (True, False, True, True),
        (True, False, False, False),
        (False, False, True, False),
        (True, True, True, False),
        (False, True, True, False),
    ],
)
def test_effective_behavioral_ads_is_plan_and_not_kids_and_choice__R_PDS_1(ads, kids, ba, allowed):
    assert policy.behavioral_ads_allowed(facts(ads=ads, kids=kids, ba=ba)) is allowed


def test_kids_profile_never_gets_behavioral_ads_whatever_is_stored__R_PDS_2():
    assert not policy.behavioral_ads_allowed(facts(kids=True, ba=True))
    assert keys(policy.choices_on_page(facts(kids=True))) == (Choice.MIC,)


@pytest.mark.parametrize(("mic", "allowed"), [(True, True), (False, False)])
def test_mic_follows_the_profiles_own_choice_on_every_plan__R_PDS_1(mic, allowed):
    assert policy.mic_allowed(facts(ads=False, kids=True, mic=mic)) is allowed


@pytest.mark.parametrize(
    ("ads", "kids", "expected"),
    [(True, False, (Choice.MIC, Choice.BA)), (False, False, (Choice.MIC,)), (True, True, (Choice.MIC,))],
)
def test_page_shows_mic_always_and_ba_only_on_ad_plans_for_non_kids__R_PDS_1(ads, kids, expected):
    assert keys(policy.choices_on_page(facts(ads=ads, kids=kids), Page.PRIVACY)) == expected


def test_opt_out_of_all_turns_every_choice_off__R_PDS_3():
    assert policy.opt_out_of_all(facts(mic=True, ba=True)) == [
        policy.Change(Choice.MIC, True, False),
        policy.Change(Choice.BA, True, False),
    ]


def test_opt_out_of_all_changes_nothing_when_already_off__R_PDS_3():
    assert policy.opt_out_of_all(facts(mic=False, ba=False)) == []


def test_opt_out_of_all_also_turns_off_a_hidden_ba_choice__R_PDS_5():
    assert policy.opt_out_of_all(facts(ads=False, mic=False)) == [policy.Change(Choice.BA, True, False)]


def test_opt_out_of_all_never_touches_the_account_wide_flag__R_PDS_3():
    assert Choice.ALL_PROFILES_OPT_OUT not in policy.opt_out_of_all_values()


@pytest.mark.parametrize(("primary", "allowed"), [(True, True), (False, False)])
def test_only_the_primary_profile_may_opt_all_profiles_out__R_PDS_4(primary, allowed):
    assert policy.may_opt_all_profiles_out(facts(primary=primary)) is allowed


ON = policy.Change(Choice.MIC, False, True)
OFF = policy.Change(Choice.MIC, True, False)


@pytest.mark.parametrize(
    ("primary", "opted_out", "made", "by_member", "ends"),
    [
        (True, True, [ON], True, True),
        (True, True, [OFF], True, False),
        (False, True, [ON], True, False),
        (True, True, [ON], False, False),  # staff, the signal or the API never end it
        (True, False, [ON], True, False),  # nothing to end
        (True, True, [], True, False),
    ],
)
def test_account_wide_opt_out_ends_only_when_the_member_turns_a_choice_on_from_the_primary__R_PDS_4(
    primary, opted_out, made, by_member, ends
):
    result = policy.ends_all_profiles_opt_out(facts(primary=primary, opted_out=opted_out), made, by_member=by_member)
    assert result is ends


@pytest.mark.parametrize(("opted_out", "value"), [(False, True), (True, False)])
def test_new_profiles_start_on_unless_account_wide_opt_out__R_PDS_7(opted_out, value):
    assert policy.new_profile_values(all_profiles_opted_out=opted_out) == {Choice.MIC: value, Choice.BA: value}


def test_changes_lists_only_what_differs_so_an_unchanged_save_writes_nothing__R_AU_1():
    current = {Choice.MIC: True, Choice.BA: False}
    assert policy.changes(current=current, wanted={Choice.MIC: True, Choice.BA: False}) == []
    assert policy.changes(current=current, wanted={Choice.BA: True}) == [policy.Change(Choice.BA, False, True)]


def test_missing_stored_values_are_the_registrys_defaults__R_PDS_7():
    values = policy.current_values({Choice.BA: False}, scopes=[Scope.PROFILE, Scope.ACCOUNT])
    assert values == {
        Choice.MIC: True,
        "mic_signal_consent": False,
        Choice.BA: False,
        "ba_signal_consent": False,
        Choice.ALL_PROFILES_OPT_OUT: False,
        Choice.COOKIES_PERFORMANCE: True,
        Choice.COOKIES_ADVERTISING: True,
        Choice.EMAIL_NEW_ARRIVALS: True,
        Choice.EMAIL_RECOMMENDATIONS: True,
        Choice.EMAIL_OFFERS: True,
        Choice.EMAIL_SURVEYS: True,
        Choice.EMAIL_SERVICE: True,
        Choice.SMS_ALERTS: True,
        Choice.SMS_OFFERS: True,
        Choice.SMS_SURVEYS: True,
        Choice.PHONE_ON_FILE: False,
        Choice.SIGNAL_RECEIVED: False,
        Choice.EMAIL_CHANGED: False,
        Choice.PHONE_CHANGED: False,
        Choice.DEVICE_SIGNED_OUT: False,
    }


def test_the_registry_describes_each_built_in_choice():
    mic, ba, flag = REGISTRY[Choice.MIC], REGISTRY[Choice.BA], REGISTRY[Choice.ALL_PROFILES_OPT_OUT]
    assert (mic.scope, mic.default, mic.page, mic.opt_out_of_all, mic.signal) == (
        Scope.PROFILE,
        True,
        Page.PRIVACY,
        True,
        True,
    )
    assert (ba.scope, ba.default, ba.page, ba.opt_out_of_all, ba.signal) == (
        Scope.PROFILE,
        True,
        Page.PRIVACY,
        True,
        True,
    )
    assert (flag.scope, flag.default, flag.page, flag.opt_out_of_all) == (Scope.ACCOUNT, False, None, False)
    assert mic.label == "Matched Identifier Communications"
    assert ba.label == "Behavioral Advertising"


@pytest.mark.parametrize(
    ("proxy", "region", "expected"),
    [
        ("US-CA", "US-TX", "US-CA"),
        (None, "US-TX", "US-TX"),
        ("fr", None, "FR"),
        ("garbage!", "US-CO", "US-CO"),
        ("", "", ""),
        (None, None, ""),
        ("US-CALIFORNIA", None, ""),
    ],
)
def test_jurisdiction_prefers_trusted_header_then_billing_region__R_GPC_2(proxy, region, expected):
    assert policy.resolve_jurisdiction(proxy_value=proxy, account_region=region) == expected


@pytest.mark.parametrize(
    ("kids", "ads", "expected"),
    [(False, True, True), (False, False, True), (True, True, False), (True, False, False)],
)
def test_marketing_email_goes_to_no_kids_profile__R_EM_3(kids, ads, expected):
    """R-EM-3, as the Account page's Marketing Communications section shows it (R-MC-1)."""
    assert policy.marketing_email_to_profile(facts(kids=kids, ads=ads)) is expected
