"""Races proven on PostgreSQL with real row locks: threads, each on its own connection (SPEC §9)."""

from typing import cast

import pytest

from accounts.models import Account, Profile
from consent import services
from consent.choices import Choice, Source
from consent.models import ConsentEvent
from tests.factories import AccountFactory, ProfileFactory
from tests.helpers import actor, all_opted_out, mic_ba, run_concurrently, values_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def five_profile_account() -> Account:
    account = cast(Account, AccountFactory())
    for _ in range(4):
        ProfileFactory(account=account)
    return account


def set_choice(profile_id, choice: Choice, value: bool) -> None:
    profile = Profile.objects.select_related("account").get(pk=profile_id)
    services.profile_set_choices(profile=profile, values={choice: value}, actor=actor(Source.MEMBER))


def assert_trail_matches_state(account: Account) -> None:
    """Every event's old value is the previous event's new value, and the last one is what is stored."""
    last: dict[tuple, bool] = {}
    for profile_id, choice, old, new in (
        ConsentEvent.objects.filter(account=account, profile__isnull=False)
        .order_by("id")
        .values_list("profile_id", "choice", "old_value", "new_value")
    ):
        key = (profile_id, choice)
        if key in last:
            assert old == last[key], f"lost update on {key}"
        last[key] = new
    for profile in Profile.objects.filter(account=account):
        assert last[(profile.pk, Choice.MIC)] == values_of(profile)[Choice.MIC]
        assert last[(profile.pk, Choice.BA)] == values_of(profile)[Choice.BA]


def test_twenty_concurrent_changes_on_one_account_all_survive():
    account = five_profile_account()
    targets = [(p.pk, c) for p in Profile.objects.filter(account=account) for c in (Choice.MIC, Choice.BA)]
    before = ConsentEvent.objects.count()

    def off_then_on(profile_id, choice):
        def work():
            set_choice(profile_id, choice, False)
            set_choice(profile_id, choice, True)

        return work

    run_concurrently(*(off_then_on(pid, choice) for pid, choice in targets))

    assert len(targets) * 2 == 20
    assert ConsentEvent.objects.count() - before == 20
    assert {(mic, ba) for _, mic, ba in mic_ba(account)} == {(True, True)}
    assert_trail_matches_state(account)


def test_ten_concurrent_opt_outs_of_different_choices_all_land():
    account = five_profile_account()
    targets = [(p.pk, c) for p in Profile.objects.filter(account=account) for c in (Choice.MIC, Choice.BA)]
    before = ConsentEvent.objects.count()

    run_concurrently(*(lambda pid=pid, c=c: set_choice(pid, c, False) for pid, c in targets))

    assert ConsentEvent.objects.count() - before == 10
    assert {(mic, ba) for _, mic, ba in mic_ba(account)} == {(False, False)}


def test_opt_all_profiles_racing_per_profile_changes_ends_consistent__R_PDS_4():
    account = five_profile_account()
    primary = Profile.objects.select_related("account").get(account=account, is_primary=True)
    others = list(Profile.objects.filter(account=account, is_primary=False).values_list("pk", flat=True))

    def opt_all():
        services.account_opt_all_profiles_out(
            account=account, from_profile=primary, actor=actor(Source.OPT_ALL_PROFILES)
        )

    def churn(profile_id):
        def work():
            for value in (False, True, False, True):
                set_choice(profile_id, Choice.MIC, value)

        return work

    run_concurrently(opt_all, *(churn(pid) for pid in others))

    assert all_opted_out(account)
    assert_trail_matches_state(account)
    assert all(not ba for _, _, ba in mic_ba(account)), "BA was only ever turned off"
    assert not values_of(primary)[Choice.MIC]
    opt_all_events = ConsentEvent.objects.filter(account=account, source=Source.OPT_ALL_PROFILES)
    assert opt_all_events.filter(choice=Choice.BA).count() == 5, "opt all applied to every profile at once"
