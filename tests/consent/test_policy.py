"""The rules as pure functions: no database."""

import pytest

from consent import policy
from consent.choices import Choice


def facts(*, ads=True, kids=False, primary=False, mic=True, ba=True) -> policy.ProfileFacts:
    return policy.ProfileFacts(plan_has_ads=ads, is_kids=kids, is_primary=primary, mic_on=mic, ba_on=ba)


@pytest.mark.parametrize(
    ("plan", "has_ads"),
    [("basic", False), ("standard", False), ("premium", False), ("standard_with_ads", True), ("bogus", False)],
)
def test_only_the_ad_supported_plan_has_ads__R_PDS_1(plan, has_ads):
    assert policy.plan_has_ads(plan) is has_ads


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
    assert policy.choices_on_page(facts(kids=True)) == (Choice.MIC,)


def test_device_limit_ad_tracking_stops_tailored_ads__R_AD_1():
    assert not policy.behavioral_ads_allowed(facts(), device_limits_tracking=True)


@pytest.mark.parametrize(
    ("ads", "kids", "expected"),
    [(True, False, (Choice.MIC, Choice.BA)), (False, False, (Choice.MIC,)), (True, True, (Choice.MIC,))],
)
def test_page_shows_mic_always_and_ba_only_on_ad_plans_for_non_kids__R_PDS_1(ads, kids, expected):
    assert policy.choices_on_page(facts(ads=ads, kids=kids)) == expected


def test_opt_out_of_all_turns_every_choice_off__R_PDS_3():
    assert policy.opt_out_of_all(facts(mic=True, ba=True)) == [
        policy.Change(Choice.MIC, True, False),
        policy.Change(Choice.BA, True, False),
    ]


def test_opt_out_of_all_changes_nothing_when_already_off__R_PDS_3():
    assert policy.opt_out_of_all(facts(mic=False, ba=False)) == []


def test_opt_out_of_all_also_turns_off_a_hidden_ba_choice__R_PDS_5():
    assert policy.Change(Choice.BA, True, False) in policy.opt_out_of_all(facts(ads=False, mic=False))


@pytest.mark.parametrize(("primary", "allowed"), [(True, True), (False, False)])
def test_only_the_primary_profile_may_opt_all_profiles_out__R_PDS_4(primary, allowed):
    assert policy.may_opt_all_profiles_out(facts(primary=primary)) is allowed


@pytest.mark.parametrize(
    ("primary", "wanted", "ends"),
    [
        (True, {Choice.MIC: True}, True),
        (True, {Choice.MIC: False, Choice.BA: False}, False),
        (False, {Choice.MIC: True}, False),
    ],
)
def test_account_wide_opt_out_ends_only_when_primary_turns_a_choice_on__R_PDS_4(primary, wanted, ends):
    assert policy.ends_all_profiles_opt_out(facts(primary=primary), wanted) is ends


@pytest.mark.parametrize(("opted_out", "value"), [(False, True), (True, False)])
def test_new_profiles_start_on_unless_account_wide_opt_out__R_PDS_7(opted_out, value):
    assert policy.new_profile_choices(all_profiles_opted_out=opted_out) == {Choice.MIC: value, Choice.BA: value}


def test_changes_lists_only_what_differs__R_GPC_5():
    current = {Choice.MIC: True, Choice.BA: False}
    assert policy.changes(current=current, wanted={Choice.MIC: True, Choice.BA: False}) == []
    assert policy.changes(current=current, wanted={Choice.BA: True}) == [policy.Change(Choice.BA, False, True)]


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
