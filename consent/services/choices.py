"""The one writer of choices, and the changes members and staff make through it.

`choices_set` sets any registered choices on one subject: a profile, one of the account's devices (device-scoped
choices), or the account itself (account-scoped choices). "Opt out of all", "Opt all profiles out of all", the
staff actions, the signal, the app's device reports and a new profile's starting values all end in the same
`_write`, so a current-value row and its consent event are always written together, in one transaction, and
nothing is written when nothing changes.

Locks are always taken in one order, the account row first and then its profiles, so two requests changing one
account serialise instead of losing an update or deadlocking. Every current-value row of an account is written
only while its account row is locked, which is why reading them after the lock is enough.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import Account, Plan, Profile
from consent import policy, selectors
from consent.choices import REGISTRY, Choice, Scope, Source
from consent.models import ChoiceValue, ConsentEvent, Device, validate_event
from consent.services.feed import feed_record


class ChoiceNotAvailable(Exception):
    """A choice that does not apply to this subject (BA on a kids profile or a plan without ads) was to be
    turned on, or a choice that cannot be turned off (service email) was to be turned off."""


class WrongScope(ValueError):
    """A profile-scoped choice was set on an account, or an account-scoped one on a profile."""


class NotPrimaryProfile(Exception):
    """Opt all profiles out of all was asked for from a profile other than the primary (R-PDS-4)."""


class SignalConflict(Exception):
    """R-GPC-6: the member turned on choices an honoured signal covers, without confirming yet."""

    def __init__(self, conflicts: Sequence[str]) -> None:
        super().__init__(", ".join(conflicts))
        self.conflicts = list(conflicts)


@dataclass(frozen=True)
class Actor:
    """Who or what is changing choices, and the facts the audit trail records about it (R-AU-1)."""

    source: Source
    acting_user: Account | None
    jurisdiction: str = ""
    context: Mapping[str, Any] = field(default_factory=dict)

    def with_source(self, source: Source) -> "Actor":
        return replace(self, source=source)


Writes = list[tuple[Profile | None, list[policy.Change]]]


def lock_account(account_id: int) -> Account:
    return Account.objects.select_for_update().get(pk=account_id)


def lock_profiles(account: Account, *, only: Sequence[UUID] | None = None) -> list[Profile]:
    """The account's profiles (or `only` these of them), locked in slot order, with `account` attached."""
    profiles = Profile.objects.select_for_update().filter(account=account).order_by("slot")
    if only is not None:
        profiles = profiles.filter(pk__in=only)
    locked = list(profiles)
    for profile in locked:
        profile.account = account
    return locked


def _lock_profile(account: Account, profile: Profile) -> Profile:
    locked = lock_profiles(account, only=[profile.pk])
    if not locked:
        raise Profile.DoesNotExist
    return locked[0]


def event(
    *, account: Account, profile: Profile | None, change: policy.Change, actor: Actor, at: datetime
) -> ConsentEvent:
    """One validated, unsaved event. Jurisdiction: the actor's, else the account's billing region (R-AU-1)."""
    made = ConsentEvent(
        account=account,
        profile=profile,
        choice=change.choice,
        old_value=change.old,
        new_value=change.new,
        source=actor.source,
        acting_user=actor.acting_user,
        jurisdiction=actor.jurisdiction or policy.resolve_jurisdiction(proxy_value=None, account_region=account.region),
        context=dict(actor.context),
        created_at=at,
    )
    validate_event(made)
    return made


def write(
    *,
    account: Account,
    writes: Iterable[tuple[Profile | None, list[policy.Change]]],
    actor: Actor,
    device: Device | None = None,
) -> int:
    """Store each change as its subject's current row and write one event per change. Needs the account row
    locked. With `device`, the changes are that device's (its profile is None). Returns the number of events
    (0 writes nothing). Once it commits, every process reads the account's choices afresh."""
    writes = list(writes)
    existing = {(row.profile_id, row.device_id, row.choice): row for row in ChoiceValue.objects.filter(account=account)}
    device_id = device.pk if device else None
    now = timezone.now()
    created: list[ChoiceValue] = []
    updated: list[ChoiceValue] = []
    events: list[ConsentEvent] = []
    for profile, changes in writes:
        profile_id = profile.pk if profile else None
        for change in changes:
            row = existing.get((profile_id, device_id, change.choice))
            if row is None:
                created.append(
                    ChoiceValue(
                        account=account,
                        profile=profile,
                        device=device,
                        choice=change.choice,
                        value=change.new,
                        updated_at=now,
                    )
                )
            else:
                row.value, row.updated_at = change.new, now
                updated.append(row)
            events.append(event(account=account, profile=profile, change=change, actor=actor, at=now))
    if not events:
        return 0
    if created:
        ChoiceValue.objects.bulk_create(created)
    if updated:
        ChoiceValue.objects.bulk_update(updated, ["value", "updated_at"])
    ConsentEvent.objects.bulk_create(events)
    if device is None:  # a device's settings change only answers asked with that device, not the feed's
        on_account = any(profile is None and changes for profile, changes in writes)
        changed = [profile.pk for profile, changes in writes if profile is not None and changes]
        feed_record(account=account, profile_ids=None if on_account else changed)
    account_selectors.account_changed(account_id=account.pk)
    return len(events)


def _check_wanted(values: Mapping[str, bool], *, scope: Scope, facts: policy.ProfileFacts) -> None:
    for key, value in values.items():
        spec = REGISTRY[key]
        if spec.scope != scope:
            raise WrongScope(f"{key} is a {spec.scope}-scoped choice")
        if value and not policy.applies(spec, facts):
            raise ChoiceNotAvailable(key)
        if not value and not spec.can_turn_off:
            raise ChoiceNotAvailable(key)


def _set_on_profile(
    *, account: Account, profile: Profile, stored: selectors.Stored, values: Mapping[str, bool], actor: Actor
) -> int:
    """choices_set for a locked profile of a locked account."""
    facts = selectors.facts_from(profile=profile, account=account, stored=stored)
    _check_wanted(values, scope=Scope.PROFILE, facts=facts)
    values = {**values, **policy.signal_consent_withdrawn(facts, values)}
    changes = policy.changes(current=facts.values, wanted=values)
    writes: Writes = [(profile, changes)]
    if policy.ends_all_profiles_opt_out(facts, changes, by_member=actor.source == Source.MEMBER):
        writes.append((None, [policy.Change(Choice.ALL_PROFILES_OPT_OUT, old=True, new=False)]))
    write(account=account, writes=writes, actor=actor)
    return len(changes)


def _set_on_device(*, account: Account, device: Device, values: Mapping[str, bool], actor: Actor) -> int:
    """choices_set for a device of the locked account: its device-scoped choices, audited with the device's
    opaque id in the event context."""
    locked = Device.objects.select_for_update().filter(pk=device.pk, account=account).first()
    if locked is None:
        raise Device.DoesNotExist
    _check_wanted(values, scope=Scope.DEVICE, facts=policy.account_facts(plan_has_ads=account.plan_has_ads, stored={}))
    changes = policy.changes(current=selectors.device_facts(device=locked).values, wanted=values)
    actor = replace(actor, context={**actor.context, "device": device_event_ref(locked)})
    write(account=account, writes=[(None, changes)], actor=actor, device=locked)
    return len(changes)


def device_event_ref(device: Device) -> str:
    """How an event names a device in its context (Device.event_ref, which the privacy history reads back)."""
    return device.event_ref


@transaction.atomic
def choices_set(
    *,
    account: Account,
    profile: Profile | None = None,
    device: Device | None = None,
    values: Mapping[str, bool],
    actor: Actor,
) -> int:
    """The one writer: set registered choices on one subject, `profile`, `device` (one of the account's
    devices, for device-scoped choices), or the account itself when both are None. Returns how many choices
    changed (0 writes nothing).

    Turning on a choice that does not apply to the subject, or off one that cannot be turned off, raises
    ChoiceNotAvailable and writes nothing. Turning a signal-covered choice off ends the explicit consent that
    kept it on despite the signal (R-GPC-6). A member turning a choice back on from the primary profile ends
    the account-wide opt-out (R-PDS-4); no other source does.
    """
    if profile and device:
        raise WrongScope("a choice belongs to a profile or a device, not both")
    locked_account = lock_account(account.pk)
    if device is not None:
        return _set_on_device(account=locked_account, device=device, values=values, actor=actor)
    stored = selectors.stored_values(account=locked_account)
    if profile is not None:
        subject = _lock_profile(locked_account, profile)
        return _set_on_profile(account=locked_account, profile=subject, stored=stored, values=values, actor=actor)
    facts = selectors.account_facts_from(account=locked_account, stored=stored)
    _check_wanted(values, scope=Scope.ACCOUNT, facts=facts)
    changes = policy.changes(current=facts.values, wanted=values)
    write(account=locked_account, writes=[(None, changes)], actor=actor)
    return len(changes)


@transaction.atomic
def profile_set_choices(
    *, profile: Profile, values: Mapping[str, bool], actor: Actor, under_signal: bool = False, confirmed: bool = False
) -> int:
    """A member (or staff) setting choices on one profile (R-PDS-1, R-PDS-5); returns how many changed.

    `under_signal`: an honoured opt-out preference signal covers this profile (R-GPC-6). Turning one of the
    choices it covers back on then raises SignalConflict, writing nothing, unless `confirmed`; confirmed, the
    member's explicit consent is recorded with it (`<choice>_signal_consent`, context {"overrides_signal": true})
    and the signal respects it from then on."""
    account = lock_account(profile.account_id)
    subject = _lock_profile(account, profile)
    stored = selectors.stored_values(account=account)
    if under_signal:
        conflicts = policy.signal_conflicts(
            selectors.facts_from(profile=subject, account=account, stored=stored), values
        )
        if conflicts and not confirmed:
            raise SignalConflict(conflicts)
        if conflicts:
            values = policy.with_signal_consent(values, conflicts)
            actor = replace(actor, context={**actor.context, "overrides_signal": True})
    return _set_on_profile(account=account, profile=subject, stored=stored, values=values, actor=actor)


def profile_opt_out_of_all(*, profile: Profile, actor: Actor) -> int:
    """R-PDS-3: turn off every choice "Opt out of all" covers on the profile, hidden ones included (R-PDS-5);
    return how many changed (0 writes nothing)."""
    return choices_set(account=profile.account, profile=profile, values=policy.opt_out_of_all_values(), actor=actor)


@transaction.atomic
def account_opt_all_profiles_out(*, account: Account, from_profile: Profile | None, actor: Actor) -> int:
    """R-PDS-4: opt every profile out of all and keep new profiles opted out, all or nothing.

    A member must ask from the primary profile (`from_profile`); support staff act on the account as a whole
    and pass None. Returns the number of events written (0 writes nothing).
    """
    locked_account = lock_account(account.pk)
    profiles = lock_profiles(locked_account)
    if from_profile is not None:
        asked_from = next((p for p in profiles if p.pk == from_profile.pk), None)
        if asked_from is None or not asked_from.is_primary:
            raise NotPrimaryProfile

    stored = selectors.stored_values(account=locked_account)
    writes: Writes = [
        (profile, policy.opt_out_of_all(selectors.facts_from(profile=profile, account=locked_account, stored=stored)))
        for profile in profiles
    ]
    if not selectors.account_facts_from(account=locked_account, stored=stored).values[Choice.ALL_PROFILES_OPT_OUT]:
        writes.append((None, [policy.Change(Choice.ALL_PROFILES_OPT_OUT, old=False, new=True)]))
    return write(account=locked_account, writes=writes, actor=actor)


@transaction.atomic
def profile_record_initial_choices(*, profile: Profile, account: Account, acting_user: Account | None) -> None:
    """R-PDS-7: store and audit the starting values of a new profile, so every choice has an origin.

    Called (through accounts.signals.profile_created) inside the transaction that creates the profile, with
    the account row already locked. Jurisdiction: the account's billing region.
    """
    opted_out = selectors.all_profiles_opted_out(account=account)
    initial = policy.new_profile_values(all_profiles_opted_out=opted_out)
    changes = [policy.Change(choice=key, old=None, new=value) for key, value in initial.items()]
    actor = Actor(source=Source.OPT_ALL_PROFILES if opted_out else Source.SYSTEM, acting_user=acting_user)
    write(account=account, writes=[(profile, changes)], actor=actor)


@transaction.atomic
def audit_change_of_effect(
    *, account: Account, profile: Profile | None, fact: str, new: object, acting_user: Account | None
) -> int:
    """Audit choices whose effect a change of plan or kids flag turns on or off while the stored value stays
    (R-PDS-2, R-PDS-5). Called (through accounts.signals.membership_fact_changing) inside that change's
    transaction, before it is saved. The events' old and new values are the effective ones, and their context
    says so: {"effective_only": true, "cause": fact}. Returns the number of events.
    """
    profiles = [profile] if profile else lock_profiles(account)
    stored = selectors.stored_values(account=account)
    events = []
    now = timezone.now()
    source = Source.ADMIN if acting_user is not None and acting_user.is_staff else Source.SYSTEM
    actor = Actor(source=source, acting_user=acting_user, context={"effective_only": True, "cause": fact})
    for each in profiles:
        before = selectors.facts_from(profile=each, account=account, stored=stored)
        after = replace(
            before,
            plan_has_ads=Plan.has_ads(str(new)) if fact == "plan" else before.plan_has_ads,
            is_kids=bool(new) if fact == "is_kids" else before.is_kids,
        )
        events += [
            event(account=account, profile=each, change=change, actor=actor, at=now)
            for change in policy.changes_of_effect(before, after)
        ]
    ConsentEvent.objects.bulk_create(events)
    # The answer may change even with no event (a plan without ads and BA already off): the feed says so anyway.
    feed_record(account=account, profile_ids=[each.pk for each in profiles])
    return len(events)
