"""Writes and their audit trail, asserted exactly (R-AU-1)."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Plan, Profile
from consent import policy, services
from consent.choices import Choice, Source
from consent.models import AppendOnlyError, ConsentEvent
from tests.conftest import events_since, last_event_id, profile_named
from tests.factories import AccountFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def test_new_account_and_profiles_start_on_with_audited_origin__R_PDS_7_R_AU_1(ads_account):
    assert list(ads_account.profiles.order_by("slot").values_list("name", "mic_on", "ba_on")) == [
        ("Alex", True, True),
        ("Sam", True, True),
        ("Kids", True, True),
    ]
    assert events_since(0) == [
        (name, choice, None, True, Source.SYSTEM, None)
        for name in ("Alex", "Sam", "Kids")
        for choice in (Choice.MIC, Choice.BA)
    ]


def test_member_turns_mic_off_with_one_event__R_PDS_1_R_AU_1(ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()

    changed = services.profile_set_choices(
        profile=sam,
        values={Choice.MIC: False},
        source=Source.MEMBER,
        acting_user=ads_account,
        jurisdiction="US-CA",
    )

    assert changed == 1
    sam.refresh_from_db()
    assert (sam.mic_on, sam.ba_on) == (False, True)
    assert events_since(mark) == [("Sam", Choice.MIC, True, False, Source.MEMBER, ads_account.email)]
    assert ConsentEvent.objects.get(id__gt=mark).jurisdiction == "US-CA"


def test_a_change_that_changes_nothing_writes_nothing__R_AU_1(ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    changed = services.profile_set_choices(
        profile=sam, values={Choice.MIC: True, Choice.BA: True}, source=Source.MEMBER, acting_user=ads_account
    )
    assert changed == 0
    assert events_since(mark) == []


def test_member_can_turn_a_choice_back_on_as_a_new_event__R_PDS_5(ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    for value in (False, True):
        services.profile_set_choices(
            profile=sam, values={Choice.BA: value}, source=Source.MEMBER, acting_user=ads_account
        )
    assert events_since(mark) == [
        ("Sam", Choice.BA, True, False, Source.MEMBER, ads_account.email),
        ("Sam", Choice.BA, False, True, Source.MEMBER, ads_account.email),
    ]


def test_ba_cannot_be_set_on_a_kids_profile__R_PDS_2(ads_account):
    kids = profile_named(ads_account, "Kids")
    mark = last_event_id()
    with pytest.raises(services.ChoiceNotAvailable):
        services.profile_set_choices(
            profile=kids, values={Choice.BA: False}, source=Source.MEMBER, acting_user=ads_account
        )
    assert events_since(mark) == []


def test_ba_cannot_be_set_on_a_plan_without_ads__R_PDS_1():
    account = AccountFactory(plan=Plan.STANDARD)
    primary = account.profiles.get()
    with pytest.raises(services.ChoiceNotAvailable):
        services.profile_set_choices(
            profile=primary, values={Choice.BA: False}, source=Source.MEMBER, acting_user=account
        )


def test_profile_turned_into_kids_after_saving_ba_gets_no_ads__R_PDS_2(ads_account):
    sam = profile_named(ads_account, "Sam")
    assert sam.ba_on
    Profile.objects.filter(pk=sam.pk).update(is_kids=True)
    sam.refresh_from_db()
    assert sam.ba_on is True
    assert not policy.behavioral_ads_allowed(sam.facts())


def test_opt_out_of_all_turns_off_mic_and_ba_in_one_go__R_PDS_3(ads_account):
    alex = profile_named(ads_account, "Alex")
    mark = last_event_id()

    assert services.profile_opt_out_of_all(profile=alex, acting_user=ads_account) == 2

    alex.refresh_from_db()
    assert (alex.mic_on, alex.ba_on) == (False, False)
    assert events_since(mark) == [
        ("Alex", Choice.MIC, True, False, Source.OPT_OUT_ALL, ads_account.email),
        ("Alex", Choice.BA, True, False, Source.OPT_OUT_ALL, ads_account.email),
    ]
    assert profile_named(ads_account, "Sam").mic_on, "other profiles are untouched"
    assert services.profile_opt_out_of_all(profile=alex, acting_user=ads_account) == 0
    assert len(events_since(mark)) == 2


def test_plan_change_hides_ba_but_keeps_the_opt_out__R_PDS_5(ads_account):
    sam = profile_named(ads_account, "Sam")
    services.profile_set_choices(profile=sam, values={Choice.BA: False}, source=Source.MEMBER, acting_user=None)
    ads_account.plan = Plan.PREMIUM
    ads_account.save(update_fields=["plan"])
    ads_account.plan = Plan.STANDARD_WITH_ADS
    ads_account.save(update_fields=["plan"])
    assert profile_named(ads_account, "Sam").ba_on is False


def test_opt_all_profiles_out_turns_off_every_profile_and_sets_the_flag__R_PDS_4(ads_account):
    alex = profile_named(ads_account, "Alex")
    mark = last_event_id()

    written = services.account_opt_all_profiles_out(account=ads_account, from_profile=alex, acting_user=ads_account)

    assert written == 7
    assert set(ads_account.profiles.values_list("mic_on", "ba_on")) == {(False, False)}
    ads_account.refresh_from_db()
    assert ads_account.all_profiles_opted_out
    by = ads_account.email
    assert events_since(mark) == [
        ("Alex", Choice.MIC, True, False, Source.OPT_ALL_PROFILES, by),
        ("Alex", Choice.BA, True, False, Source.OPT_ALL_PROFILES, by),
        ("Sam", Choice.MIC, True, False, Source.OPT_ALL_PROFILES, by),
        ("Sam", Choice.BA, True, False, Source.OPT_ALL_PROFILES, by),
        ("Kids", Choice.MIC, True, False, Source.OPT_ALL_PROFILES, by),
        ("Kids", Choice.BA, True, False, Source.OPT_ALL_PROFILES, by),
        (None, Choice.ALL_PROFILES_OPT_OUT, False, True, Source.OPT_ALL_PROFILES, by),
    ]
    assert services.account_opt_all_profiles_out(account=ads_account, from_profile=alex, acting_user=ads_account) == 0


def test_opt_all_profiles_out_from_a_non_primary_profile_is_refused__R_PDS_4(ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    with pytest.raises(services.NotPrimaryProfile):
        services.account_opt_all_profiles_out(account=ads_account, from_profile=sam, acting_user=ads_account)
    assert events_since(mark) == []
    assert set(ads_account.profiles.values_list("mic_on", "ba_on")) == {(True, True)}
    ads_account.refresh_from_db()
    assert not ads_account.all_profiles_opted_out


def test_opt_all_profiles_out_stays_in_force_for_profiles_added_later__R_PDS_4_R_PDS_7(ads_account):
    alex = profile_named(ads_account, "Alex")
    services.account_opt_all_profiles_out(account=ads_account, from_profile=alex, acting_user=ads_account)
    mark = last_event_id()

    later = ProfileFactory(account=ads_account, name="Later")

    assert (later.mic_on, later.ba_on) == (False, False)
    assert events_since(mark) == [
        ("Later", Choice.MIC, None, False, Source.OPT_ALL_PROFILES, None),
        ("Later", Choice.BA, None, False, Source.OPT_ALL_PROFILES, None),
    ]


def test_account_wide_opt_out_ends_when_the_primary_page_turns_a_choice_on__R_PDS_4(ads_account):
    alex = profile_named(ads_account, "Alex")
    services.account_opt_all_profiles_out(account=ads_account, from_profile=alex, acting_user=ads_account)
    sam = profile_named(ads_account, "Sam")
    services.profile_set_choices(profile=sam, values={Choice.MIC: True}, source=Source.MEMBER, acting_user=None)
    ads_account.refresh_from_db()
    assert ads_account.all_profiles_opted_out, "a non-primary profile does not end it"

    mark = last_event_id()
    services.profile_set_choices(profile=alex, values={Choice.MIC: True}, source=Source.MEMBER, acting_user=ads_account)

    ads_account.refresh_from_db()
    assert not ads_account.all_profiles_opted_out
    assert events_since(mark) == [
        ("Alex", Choice.MIC, False, True, Source.MEMBER, ads_account.email),
        (None, Choice.ALL_PROFILES_OPT_OUT, True, False, Source.MEMBER, ads_account.email),
    ]
    assert ProfileFactory(account=ads_account, name="Fresh").mic_on


def test_opt_all_profiles_out_query_count_does_not_grow_with_profiles__R_PDS_4(count_queries):
    counts = []
    for extra in (1, 4):
        account = AccountFactory()
        for _ in range(extra):
            ProfileFactory(account=account)
        primary = account.profiles.get(is_primary=True)
        with count_queries() as queries:
            services.account_opt_all_profiles_out(account=account, from_profile=primary, acting_user=account)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_failure_half_way_through_opt_all_profiles_leaves_nothing_changed__R_PDS_4(ads_account, monkeypatch):
    alex = profile_named(ads_account, "Alex")
    mark = last_event_id()

    def explode(*args, **kwargs):
        raise RuntimeError("injected failure after the profiles were updated")

    monkeypatch.setattr(ConsentEvent.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        services.account_opt_all_profiles_out(account=ads_account, from_profile=alex, acting_user=ads_account)

    assert set(ads_account.profiles.values_list("mic_on", "ba_on")) == {(True, True)}
    ads_account.refresh_from_db()
    assert not ads_account.all_profiles_opted_out
    assert events_since(mark) == []


def test_consent_events_cannot_be_changed_or_deleted__R_AU_2(ads_account):
    event = ConsentEvent.objects.first()
    event.new_value = not event.new_value
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.filter(pk=event.pk).update(new_value=False)
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.all().delete()


def test_database_refuses_an_update_of_a_consent_event__R_AU_2(ads_account):
    event = ConsentEvent.objects.first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE consent_consentevent SET new_value = %s WHERE id = %s", [False, event.pk])
    assert ConsentEvent.objects.get(pk=event.pk).new_value == event.new_value


def test_events_hold_no_raw_email_or_phone__R_AU_1(ads_account):
    field_names = {field.name for field in ConsentEvent._meta.get_fields()}
    assert not field_names & {"email", "phone", "ip", "ip_address"}


def test_retention_purge_is_the_one_deletion__R_AU_3(ads_account):
    assert ConsentEvent.objects.purge_before(timezone.now() - timedelta(days=730)) == 0
    assert ConsentEvent.objects.purge_before(timezone.now() + timedelta(seconds=1)) == 6
    assert not ConsentEvent.objects.exists()


def test_database_allows_one_primary_profile_per_account__R_PDS_4(ads_account):
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.filter(account=ads_account, name="Sam").update(is_primary=True, slot=1)
