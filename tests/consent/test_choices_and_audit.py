"""Choices and their audit trail (docs/rules.md: Privacy and data settings, Audit): one writer sets every choice,
atomically, with one consent event per change asserted exactly (R-AU-1), nothing written when nothing changes, events
append-only (R-AU-2)."""

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from accounts import services as account_services
from accounts.models import Plan
from consent import services
from consent.choices import EMAIL_CATEGORIES, Choice, Source
from consent.models import AppendOnlyError, ChoiceValue, ConsentEvent, InvalidEvent
from tests.factories import AccountFactory, ProfileFactory
from tests.helpers import actor, all_opted_out, events_since, last_event_id, mic_ba, profile_named, values_of

pytestmark = pytest.mark.django_db


def test_new_account_and_profiles_start_on_with_audited_origin__R_PDS_7_R_AU_1(ads_account):
    assert mic_ba(ads_account) == [("Alex", True, True), ("Sam", True, True), ("Kids", True, True)]
    assert events_since(0) == [
        (name, choice, None, True, Source.SYSTEM, None)
        for name in ("Alex", "Sam", "Kids")
        for choice in (Choice.MIC, Choice.BA)
    ]


def test_starting_values_record_the_accounts_jurisdiction__R_PDS_7_R_AU_1(ads_account):
    assert set(ConsentEvent.objects.values_list("jurisdiction", flat=True)) == {"US-CA"}


NOW = datetime(2027, 2, 1, 8, 30, tzinfo=UTC)


@pytest.mark.time_machine(NOW, tick=False)
def test_member_turns_mic_off_with_one_event_holding_every_fact_of_the_change__R_PDS_1_R_AU_1(ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()

    changed = services.profile_set_choices(
        profile=sam, values={Choice.MIC: False}, actor=actor(Source.MEMBER, ads_account, jurisdiction="US-CO")
    )

    assert changed == 1
    assert values_of(sam).items() >= {Choice.MIC: False, Choice.BA: True, Choice.ALL_PROFILES_OPT_OUT: False}.items()
    assert list(
        ConsentEvent.objects.filter(id__gt=mark).values_list(
            "account",
            "profile",
            "choice",
            "old_value",
            "new_value",
            "source",
            "acting_user",
            "jurisdiction",
            "context",
            "created_at",
        )
    ) == [(ads_account.pk, sam.pk, Choice.MIC, True, False, Source.MEMBER, ads_account.pk, "US-CO", {}, NOW)]
    assert list(ChoiceValue.objects.filter(profile=sam, choice=Choice.MIC).values_list("value", "updated_at")) == [
        (False, NOW)
    ]


def test_a_change_that_changes_nothing_writes_nothing__R_AU_1(ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    rows = list(ChoiceValue.objects.values_list("id", "value", "updated_at"))
    changed = services.profile_set_choices(
        profile=sam, values={Choice.MIC: True, Choice.BA: True}, actor=actor(Source.MEMBER, ads_account)
    )
    assert changed == 0
    assert events_since(mark) == []
    assert list(ChoiceValue.objects.values_list("id", "value", "updated_at")) == rows


def test_member_can_turn_a_choice_back_on_as_a_new_event__R_PDS_5(ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    for value in (False, True):
        services.profile_set_choices(profile=sam, values={Choice.BA: value}, actor=actor(Source.MEMBER, ads_account))
    assert events_since(mark) == [
        ("Sam", Choice.BA, True, False, Source.MEMBER, ads_account.email),
        ("Sam", Choice.BA, False, True, Source.MEMBER, ads_account.email),
    ]
    assert ChoiceValue.objects.filter(profile=sam, choice=Choice.BA).count() == 1


def test_ba_cannot_be_turned_on_for_a_kids_profile__R_PDS_2(ads_account):
    kids = profile_named(ads_account, "Kids")
    services.profile_opt_out_of_all(profile=kids, actor=actor(Source.OPT_OUT_ALL, ads_account))
    mark = last_event_id()
    with pytest.raises(services.ChoiceNotAvailable):
        services.profile_set_choices(profile=kids, values={Choice.BA: True}, actor=actor(Source.MEMBER, ads_account))
    assert events_since(mark) == []
    assert values_of(kids)[Choice.BA] is False


def test_ba_cannot_be_turned_on_for_a_plan_without_ads_and_nothing_is_written__R_PDS_1():
    account = AccountFactory(plan=Plan.STANDARD)
    primary = account.profiles.get()
    services.profile_opt_out_of_all(profile=primary, actor=actor(Source.OPT_OUT_ALL, account))
    mark = last_event_id()
    with pytest.raises(services.ChoiceNotAvailable):
        services.profile_set_choices(
            profile=primary, values={Choice.MIC: True, Choice.BA: True}, actor=actor(Source.MEMBER, account)
        )
    assert events_since(mark) == []
    assert values_of(primary)[Choice.MIC] is False


def test_a_profile_choice_cannot_be_set_on_the_account_nor_an_account_choice_on_a_profile(ads_account):
    sam = profile_named(ads_account, "Sam")
    with pytest.raises(services.WrongScope):
        services.choices_set(account=ads_account, values={Choice.MIC: False}, actor=actor())
    with pytest.raises(services.WrongScope):
        services.choices_set(
            account=ads_account, profile=sam, values={Choice.ALL_PROFILES_OPT_OUT: True}, actor=actor()
        )


def test_an_unknown_choice_is_refused_and_nothing_is_written(ads_account):
    mark = last_event_id()
    with pytest.raises(KeyError):
        services.profile_set_choices(
            profile=profile_named(ads_account, "Sam"), values={"nonsense": True}, actor=actor()
        )
    assert events_since(mark) == []


def test_profile_turned_into_kids_after_saving_ba_gets_no_ads_and_the_change_of_effect_is_audited__R_PDS_2(
    ads_account, staff
):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()

    assert account_services.profile_set_kids(profile=sam, is_kids=True, acting_user=staff)

    assert values_of(sam)[Choice.BA] is True, "the stored choice is kept"
    # BA, and the marketing email categories, which do not apply to kids profiles either (R-EM-3).
    assert events_since(mark) == [
        ("Sam", key, True, False, Source.ADMIN, staff.email) for key in (Choice.BA, *EMAIL_CATEGORIES)
    ]
    for event in ConsentEvent.objects.filter(id__gt=mark):
        assert event.context == {"effective_only": True, "cause": "is_kids"}
        assert event.jurisdiction == "US-CA"
    assert not account_services.profile_set_kids(profile=sam, is_kids=True, acting_user=staff)
    assert len(events_since(mark)) == 1 + len(EMAIL_CATEGORIES)


def test_opt_out_of_all_turns_off_mic_and_ba_in_one_go__R_PDS_3(ads_account):
    alex = profile_named(ads_account, "Alex")
    mark = last_event_id()

    assert services.profile_opt_out_of_all(profile=alex, actor=actor(Source.OPT_OUT_ALL, ads_account)) == 2

    assert mic_ba(ads_account)[0] == ("Alex", False, False)
    assert events_since(mark) == [
        ("Alex", Choice.MIC, True, False, Source.OPT_OUT_ALL, ads_account.email),
        ("Alex", Choice.BA, True, False, Source.OPT_OUT_ALL, ads_account.email),
    ]
    assert mic_ba(ads_account)[1] == ("Sam", True, True), "other profiles are untouched"
    assert services.profile_opt_out_of_all(profile=alex, actor=actor(Source.OPT_OUT_ALL, ads_account)) == 0
    assert len(events_since(mark)) == 2


def test_plan_change_hides_ba_but_keeps_the_opt_out_and_audits_the_effect__R_PDS_5(ads_account, staff):
    sam = profile_named(ads_account, "Sam")
    services.profile_set_choices(profile=sam, values={Choice.BA: False}, actor=actor(Source.MEMBER, ads_account))
    mark = last_event_id()

    account_services.account_set_plan(account=ads_account, plan=Plan.PREMIUM, acting_user=staff)
    account_services.account_set_plan(account=ads_account, plan=Plan.STANDARD_WITH_ADS, acting_user=staff)

    assert values_of(sam)[Choice.BA] is False
    # Alex's BA was on: its effect went off with the ads and came back with them. Sam's and Kids' never had one.
    assert events_since(mark) == [
        ("Alex", Choice.BA, True, False, Source.ADMIN, staff.email),
        ("Alex", Choice.BA, False, True, Source.ADMIN, staff.email),
    ]


def test_opt_all_profiles_out_turns_off_every_profile_and_sets_the_flag__R_PDS_4(ads_account):
    alex = profile_named(ads_account, "Alex")
    mark = last_event_id()
    by_member = actor(Source.OPT_ALL_PROFILES, ads_account)

    written = services.account_opt_all_profiles_out(account=ads_account, from_profile=alex, actor=by_member)

    assert written == 7
    assert mic_ba(ads_account) == [("Alex", False, False), ("Sam", False, False), ("Kids", False, False)]
    assert all_opted_out(ads_account)
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
    assert services.account_opt_all_profiles_out(account=ads_account, from_profile=alex, actor=by_member) == 0


def test_opt_all_profiles_out_from_a_non_primary_profile_is_refused__R_PDS_4(ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    with pytest.raises(services.NotPrimaryProfile):
        services.account_opt_all_profiles_out(
            account=ads_account, from_profile=sam, actor=actor(Source.OPT_ALL_PROFILES, ads_account)
        )
    assert events_since(mark) == []
    assert mic_ba(ads_account) == [("Alex", True, True), ("Sam", True, True), ("Kids", True, True)]
    assert not all_opted_out(ads_account)


def test_opt_all_profiles_out_stays_in_force_for_profiles_added_later__R_PDS_4_R_PDS_7(ads_account):
    alex = profile_named(ads_account, "Alex")
    services.account_opt_all_profiles_out(
        account=ads_account, from_profile=alex, actor=actor(Source.OPT_ALL_PROFILES, ads_account)
    )
    mark = last_event_id()

    later = ProfileFactory(account=ads_account, name="Later")

    assert (values_of(later)[Choice.MIC], values_of(later)[Choice.BA]) == (False, False)
    assert events_since(mark) == [
        ("Later", Choice.MIC, None, False, Source.OPT_ALL_PROFILES, None),
        ("Later", Choice.BA, None, False, Source.OPT_ALL_PROFILES, None),
    ]


def test_account_wide_opt_out_ends_when_the_member_turns_a_choice_on_from_the_primary__R_PDS_4(ads_account, staff):
    alex = profile_named(ads_account, "Alex")
    services.account_opt_all_profiles_out(
        account=ads_account, from_profile=alex, actor=actor(Source.OPT_ALL_PROFILES, ads_account)
    )
    sam = profile_named(ads_account, "Sam")
    services.profile_set_choices(profile=sam, values={Choice.MIC: True}, actor=actor(Source.MEMBER, ads_account))
    assert all_opted_out(ads_account), "a non-primary profile does not end it"
    services.profile_set_choices(profile=alex, values={Choice.MIC: True}, actor=actor(Source.ADMIN, staff))
    assert all_opted_out(ads_account), "staff writing to the primary profile do not end it"
    services.profile_set_choices(profile=alex, values={Choice.BA: True}, actor=actor(Source.GPC, None))
    assert all_opted_out(ads_account), "no other source ends it"

    mark = last_event_id()
    services.profile_set_choices(profile=alex, values={Choice.MIC: False}, actor=actor(Source.MEMBER, ads_account))
    assert all_opted_out(ads_account), "turning a choice off does not end it"
    services.profile_set_choices(profile=alex, values={Choice.MIC: True}, actor=actor(Source.MEMBER, ads_account))

    assert not all_opted_out(ads_account)
    assert events_since(mark) == [
        ("Alex", Choice.MIC, True, False, Source.MEMBER, ads_account.email),
        ("Alex", Choice.MIC, False, True, Source.MEMBER, ads_account.email),
        (None, Choice.ALL_PROFILES_OPT_OUT, True, False, Source.MEMBER, ads_account.email),
    ]
    assert values_of(ProfileFactory(account=ads_account, name="Fresh"))[Choice.MIC]


@pytest.mark.parametrize("extra", [1, 4])
def test_opt_all_profiles_out_makes_a_fixed_number_of_queries__R_PDS_4(count_queries, extra):
    account = AccountFactory()
    for _ in range(extra):
        ProfileFactory(account=account)
    primary = account.profiles.get(is_primary=True)
    with count_queries() as queries:
        services.account_opt_all_profiles_out(
            account=account, from_profile=primary, actor=actor(Source.OPT_ALL_PROFILES, account)
        )
    # savepoint, lock account, lock profiles, read rows, read rows to write, update rows, insert row, insert
    # events, the account's profiles and their change feed entries (R-API-3), release savepoint: the same
    # whatever the number of profiles.
    assert len(queries) == 11, queries


def test_failure_half_way_through_opt_all_profiles_leaves_nothing_changed__R_PDS_4(ads_account, monkeypatch):
    alex = profile_named(ads_account, "Alex")
    mark = last_event_id()

    def explode(*args, **kwargs):
        raise RuntimeError("injected failure after the rows were updated")

    monkeypatch.setattr(ConsentEvent.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        services.account_opt_all_profiles_out(
            account=ads_account, from_profile=alex, actor=actor(Source.OPT_ALL_PROFILES, ads_account)
        )

    assert mic_ba(ads_account) == [("Alex", True, True), ("Sam", True, True), ("Kids", True, True)]
    assert not all_opted_out(ads_account)
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


@pytest.mark.parametrize(
    "context",
    [
        {"note": "eu@example.com"},
        {"phone": "+14155550123"},
        {"phone": "415 555 0123"},
        {"ip": "203.0.113.7"},
        {"ip": "2001:db8::1"},
        {"Bad Key": True},
        {"long": "x" * 65},
        {"nested": {"a": 1}},
    ],
)
def test_an_event_context_never_holds_an_email_phone_or_ip__R_AU_1(ads_account, context):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    with pytest.raises(InvalidEvent):
        services.profile_set_choices(profile=sam, values={Choice.MIC: False}, actor=actor(context=context))
    assert events_since(mark) == []
    assert values_of(sam)[Choice.MIC] is True


def test_an_event_context_keeps_plain_facts__R_AU_1(ads_account):
    sam = profile_named(ads_account, "Sam")
    context = {"overrides_signal": True, "cookie_choice_version": 2, "since": "2026-11-25"}
    services.profile_set_choices(profile=sam, values={Choice.MIC: False}, actor=actor(context=context))
    assert ConsentEvent.objects.order_by("-id").first().context == context


def test_an_event_with_an_unknown_choice_or_source_is_refused__R_AU_1(ads_account):
    with pytest.raises(InvalidEvent):
        ConsentEvent(account=ads_account, choice="nonsense", new_value=True, source=Source.MEMBER).save()
    with pytest.raises(InvalidEvent):
        ConsentEvent(account=ads_account, choice=Choice.MIC, new_value=True, source="nonsense").save()


def test_events_hold_no_raw_email_or_phone__R_AU_1(ads_account):
    field_names = {field.name for field in ConsentEvent._meta.get_fields()}
    assert not field_names & {"email", "phone", "ip", "ip_address"}


def test_database_keeps_one_current_row_per_profile_and_choice(ads_account):
    sam = profile_named(ads_account, "Sam")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChoiceValue.objects.create(account=ads_account, profile=sam, choice=Choice.MIC, value=False)


def test_database_keeps_one_current_row_per_account_and_choice(ads_account):
    ChoiceValue.objects.create(account=ads_account, choice=Choice.ALL_PROFILES_OPT_OUT, value=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChoiceValue.objects.create(account=ads_account, choice=Choice.ALL_PROFILES_OPT_OUT, value=False)
    # The same key on a profile is another subject, and another account is another subject.
    ChoiceValue.objects.create(account=AccountFactory(), choice=Choice.ALL_PROFILES_OPT_OUT, value=True)
