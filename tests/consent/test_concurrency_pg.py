"""Races proven on PostgreSQL with real row locks: threads, each on its own connection (docs/rules.md, Qualities). Two
requests changing one account never lose an update, leave a half-applied "opt all profiles", a second row for one choice
or a broken trail, whatever runs beside them (profile adds, staff plan and kids changes)."""

from typing import cast

import pytest
from django.db.models import Count

from accounts import services as account_services
from accounts.models import Account, PhoneNumber, Plan, Profile
from consent import services
from consent.choices import Choice, Source
from consent.models import ChoiceValue, ConsentEvent, Device, Platform
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


def assert_one_row_per_subject_and_choice(account: Account) -> None:
    duplicates = (
        ChoiceValue.objects.filter(account=account)
        .values("profile_id", "choice")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert list(duplicates) == []


def assert_stored_chain_unbroken(account: Account) -> None:
    """Events of stored values (not the effective-only ones a plan or kids change writes) chain old to new."""
    last: dict[tuple, bool] = {}
    for event in ConsentEvent.objects.filter(account=account).order_by("id"):
        if event.context.get("effective_only"):
            continue
        key = (event.profile_id, event.choice)
        if key in last:
            assert event.old_value == last[key], f"broken chain on {key}"
        last[key] = event.new_value
    for (profile_id, choice), value in last.items():
        row = ChoiceValue.objects.get(account=account, profile_id=profile_id, choice=choice)
        assert row.value == value


@pytest.mark.parametrize("round_", range(3))
def test_opt_all_profiles_racing_a_profile_add_leaves_every_profile_opted_out__R_PDS_4(round_):
    account = cast(Account, AccountFactory())
    primary = Profile.objects.get(account=account, is_primary=True)

    def opt_all() -> None:
        services.account_opt_all_profiles_out(
            account=account, from_profile=primary, actor=actor(Source.OPT_ALL_PROFILES)
        )

    def add(name: str):
        return lambda: account_services.profile_create(
            account=Account.objects.get(pk=account.pk), name=name, acting_user=None
        )

    run_concurrently(opt_all, add("One"), add("Two"))
    assert all_opted_out(account)
    assert all(not mic and not ba for _, mic, ba in mic_ba(account))
    assert_one_row_per_subject_and_choice(account)
    assert_stored_chain_unbroken(account)


def test_staff_plan_and_kids_changes_racing_member_saves_lose_nothing():
    account = cast(Account, AccountFactory(plan=Plan.STANDARD_WITH_ADS))
    sam = ProfileFactory(account=account, name="Sam")
    staff = cast(Account, AccountFactory(email="support@example.com"))
    Account.objects.filter(pk=staff.pk).update(is_staff=True)
    staff = Account.objects.get(pk=staff.pk)

    def flip_plan() -> None:
        for plan in [Plan.STANDARD, Plan.STANDARD_WITH_ADS] * 3:
            account_services.account_set_plan(account=Account.objects.get(pk=account.pk), plan=plan, acting_user=staff)

    def flip_kids() -> None:
        for is_kids in [True, False] * 3:
            account_services.profile_set_kids(
                profile=Profile.objects.select_related("account").get(pk=sam.pk), is_kids=is_kids, acting_user=staff
            )

    def member_saves() -> None:
        for value in [False, True] * 3:
            profile = Profile.objects.select_related("account").get(pk=sam.pk)
            try:
                services.profile_set_choices(
                    profile=profile, values={Choice.MIC: value, Choice.BA: value}, actor=actor(Source.MEMBER)
                )
            except services.ChoiceNotAvailable:  # BA hidden at that moment: the page answers 409
                services.profile_set_choices(profile=profile, values={Choice.MIC: value}, actor=actor(Source.MEMBER))

    run_concurrently(flip_plan, flip_kids, member_saves)
    assert_one_row_per_subject_and_choice(account)
    assert_stored_chain_unbroken(account)
    effect_events = ConsentEvent.objects.filter(account=account, context__effective_only=True)
    assert set(effect_events.values_list("source", "acting_user_id")) <= {(Source.ADMIN.value, staff.pk)}


def test_twenty_members_saving_one_profile_keep_one_row_and_an_unbroken_trail():
    account = cast(Account, AccountFactory())
    primary = Profile.objects.get(account=account, is_primary=True)

    def save(value: bool):
        return lambda: services.profile_set_choices(
            profile=Profile.objects.select_related("account").get(pk=primary.pk),
            values={Choice.MIC: value, Choice.BA: not value},
            actor=actor(Source.MEMBER),
        )

    run_concurrently(*(save(i % 2 == 0) for i in range(20)))
    assert_one_row_per_subject_and_choice(account)
    assert_stored_chain_unbroken(account)


def test_a_device_signed_out_twice_at_once_is_signed_out_once__R_DEV_1():
    """Two tabs (or a tab and the app reporting) at once: one sign-out, one event, the device and tokens gone."""
    account = cast(Account, AccountFactory())
    device = services.device_register(
        account=account,
        platform=Platform.IOS,
        advertising_id="",
        limit_ad_tracking=False,
        notifications=True,
        acting_user=account,
    )
    signed_out: list[bool] = []

    def sign_out() -> None:
        signed_out.append(services.device_sign_out(account=account, device=device, actor=actor(Source.MEMBER, account)))

    run_concurrently(*[sign_out] * 5)
    assert sorted(signed_out) == [False] * 4 + [True]
    assert ConsentEvent.objects.filter(account=account, choice=Choice.DEVICE_SIGNED_OUT).count() == 1
    assert not Device.objects.filter(pk=device.pk).exists()


def test_two_saves_of_a_first_phone_number_at_once_keep_one_number():
    """Two tabs adding the account's first number at once (SPEC §9 concurrency, R-SMS-2: one number per
    account): one of them adds it, the other finds it already there; neither fails."""
    account = cast(Account, AccountFactory())
    changed: list[bool] = []

    def save(number: str):
        return lambda: changed.append(account_services.phone_set(account=account, number=number))

    run_concurrently(*[save("+14155550123")] * 6)
    assert sorted(changed) == [False] * 5 + [True]
    assert PhoneNumber.objects.filter(account=account).count() == 1
