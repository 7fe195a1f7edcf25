"""Every change of a choice goes through here: atomic, audited in the same transaction, idempotent.

`choices_set` is the one writer: it sets any set of registered choices on one subject (a profile, one of the
account's devices for device-scoped choices, or the account for account-scoped choices). "Opt out of all",
"Opt all profiles out of all", the staff actions, the app's device reports and the starting values of a new
profile are thin callers of the same `_write`, so a row and its event are always
written together, and never when nothing changes.

Locks are always taken in one order, the account row first and then its profiles, so two requests changing
one account serialise instead of losing an update or deadlocking. Every current-value row of an account is
written only while its account row is locked, which is why reading them after the lock is enough.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, Plan, Profile
from consent import policy, selectors
from consent.choices import REGISTRY, Choice, Scope, Source
from consent.models import AppToken, ChoiceValue, ConsentEvent, Device, Platform, app_token_digest, validate_event


class ChoiceNotAvailable(Exception):
    """A choice that does not apply to this subject (BA on a kids profile or a plan without ads) was to be
    turned on, or a choice that cannot be turned off (service email) was to be turned off."""


class WrongScope(ValueError):
    """A profile-scoped choice was set on an account, or an account-scoped one on a profile."""


class NotPrimaryProfile(Exception):
    """Opt all profiles out of all was asked for from a profile other than the primary (R-PDS-4)."""


@dataclass(frozen=True)
class Actor:
    """Who or what is changing choices, and the facts the audit trail records about it (R-AU-1)."""

    source: Source
    acting_user: Account | None
    jurisdiction: str = ""
    context: Mapping[str, Any] = field(default_factory=dict)

    def with_source(self, source: Source) -> "Actor":
        return replace(self, source=source)


def _lock_account(account_id: int) -> Account:
    return Account.objects.select_for_update().get(pk=account_id)


def _lock_profiles(account: Account, *, only: Sequence[UUID] | None = None) -> list[Profile]:
    """The account's profiles (or `only` these of them), locked in slot order, with `account` attached."""
    profiles = Profile.objects.select_for_update().filter(account=account).order_by("slot")
    if only is not None:
        profiles = profiles.filter(pk__in=only)
    locked = list(profiles)
    for profile in locked:
        profile.account = account
    return locked


def _event(
    *, account: Account, profile: Profile | None, change: policy.Change, actor: Actor, at: datetime
) -> ConsentEvent:
    """One validated, unsaved event. Jurisdiction: the actor's, else the account's billing region (R-AU-1)."""
    event = ConsentEvent(
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
    validate_event(event)
    return event


def _write(
    *,
    account: Account,
    writes: Iterable[tuple[Profile | None, list[policy.Change]]],
    actor: Actor,
    device: Device | None = None,
) -> int:
    """Store each change as its subject's current row and write one event per change. Needs the account
    row locked. With `device`, the changes are that device's (its profile is None). Returns the number of
    events (0 writes nothing)."""
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
            events.append(_event(account=account, profile=profile, change=change, actor=actor, at=now))
    if created:
        ChoiceValue.objects.bulk_create(created)
    if updated:
        ChoiceValue.objects.bulk_update(updated, ["value", "updated_at"])
    if events:
        ConsentEvent.objects.bulk_create(events)
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


def device_event_ref(device: Device) -> str:
    """How an event names a device in its context: the opaque id, prefixed so it never reads as a number."""
    return f"device-{device.pk.hex}"


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
    ChoiceNotAvailable and writes nothing. A member turning a choice back on from the primary profile ends
    the account-wide opt-out (R-PDS-4); no other source does.
    """
    if profile and device:
        raise WrongScope("a choice belongs to a profile or a device, not both")
    locked_account = _lock_account(account.pk)
    if device is not None:
        return _device_choices_set(account=locked_account, device=device, values=values, actor=actor)
    locked_profiles = _lock_profiles(locked_account, only=[profile.pk]) if profile else []
    if profile and not locked_profiles:
        raise Profile.DoesNotExist
    subject = locked_profiles[0] if locked_profiles else None
    stored = selectors.stored_values(account=locked_account)
    if subject is None:
        facts = policy.ProfileFacts(
            plan_has_ads=locked_account.plan_has_ads,
            is_kids=False,
            is_primary=False,
            values=policy.current_values(stored.get(None, {}), scopes=[Scope.ACCOUNT]),
        )
        _check_wanted(values, scope=Scope.ACCOUNT, facts=facts)
    else:
        facts = selectors.facts_from(profile=subject, account=locked_account, stored=stored)
        _check_wanted(values, scope=Scope.PROFILE, facts=facts)

    values = {**values, **policy.signal_consent_withdrawn(facts, values)}
    changes = policy.changes(current=facts.values, wanted=values)
    writes: list[tuple[Profile | None, list[policy.Change]]] = [(subject, changes)]
    if subject and policy.ends_all_profiles_opt_out(facts, changes, by_member=actor.source == Source.MEMBER):
        writes.append((None, [policy.Change(Choice.ALL_PROFILES_OPT_OUT, old=True, new=False)]))
    _write(account=locked_account, writes=writes, actor=actor)
    return len(changes)


def profile_set_choices(*, profile: Profile, values: Mapping[str, bool], actor: Actor) -> int:
    """Set choices on one profile (R-PDS-1, R-PDS-5); return how many changed."""
    return choices_set(account=profile.account, profile=profile, values=values, actor=actor)


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
    locked_account = _lock_account(account.pk)
    profiles = _lock_profiles(locked_account)
    if from_profile is not None:
        asked_from = next((p for p in profiles if p.pk == from_profile.pk), None)
        if asked_from is None or not asked_from.is_primary:
            raise NotPrimaryProfile

    stored = selectors.stored_values(account=locked_account)
    writes: list[tuple[Profile | None, list[policy.Change]]] = [
        (profile, policy.opt_out_of_all(selectors.facts_from(profile=profile, account=locked_account, stored=stored)))
        for profile in profiles
    ]
    if not policy.current_values(stored.get(None, {}), scopes=[Scope.ACCOUNT])[Choice.ALL_PROFILES_OPT_OUT]:
        writes.append((None, [policy.Change(Choice.ALL_PROFILES_OPT_OUT, old=False, new=True)]))
    return _write(account=locked_account, writes=writes, actor=actor)


def profile_record_initial_choices(*, profile: Profile, account: Account, acting_user: Account | None) -> None:
    """R-PDS-7: store and audit the starting values of a new profile, so every choice has an origin.

    Called (through accounts.signals.profile_created) inside the transaction that creates the profile, with
    the account row already locked. Jurisdiction: the account's billing region.
    """
    opted_out = selectors.all_profiles_opted_out(account=account)
    initial = policy.new_profile_values(all_profiles_opted_out=opted_out)
    changes = [policy.Change(choice=key, old=None, new=value) for key, value in initial.items()]
    actor = Actor(source=Source.OPT_ALL_PROFILES if opted_out else Source.SYSTEM, acting_user=acting_user)
    _write(account=account, writes=[(profile, changes)], actor=actor)


def audit_change_of_effect(
    *, account: Account, profile: Profile | None, fact: str, new: object, acting_user: Account | None
) -> int:
    """Audit choices whose effect a change of plan or kids flag turns on or off while the stored value stays
    (R-PDS-2, R-PDS-5). Called (through accounts.signals.membership_fact_changing) inside that change's
    transaction, before it is saved. The events' old and new values are the effective ones, and their context
    says so: {"effective_only": true, "cause": fact}. Returns the number of events.
    """
    profiles = [profile] if profile else _lock_profiles(account)
    stored = selectors.stored_values(account=account)
    events = 0
    for each in profiles:
        before = selectors.facts_from(profile=each, account=account, stored=stored)
        plan_has_ads = Plan.has_ads(str(new)) if fact == "plan" else before.plan_has_ads
        is_kids = bool(new) if fact == "is_kids" else before.is_kids
        after = policy.ProfileFacts(
            plan_has_ads=plan_has_ads, is_kids=is_kids, is_primary=before.is_primary, values=before.values
        )
        changes = [
            policy.Change(choice=spec.key, old=policy.allowed(before, spec.key), new=policy.allowed(after, spec.key))
            for spec in REGISTRY.scoped(Scope.PROFILE)
            if policy.allowed(before, spec.key) != policy.allowed(after, spec.key)
        ]
        if not changes:
            continue
        source = Source.ADMIN if acting_user is not None and acting_user.is_staff else Source.SYSTEM
        actor = Actor(source=source, acting_user=acting_user, context={"effective_only": True, "cause": fact})
        now = timezone.now()
        ConsentEvent.objects.bulk_create(
            [_event(account=account, profile=each, change=change, actor=actor, at=now) for change in changes]
        )
        events += len(changes)
    return events


@transaction.atomic
def signal_apply(*, account: Account, active_profile: Profile, actor: Actor) -> int:
    """R-GPC-3: an honoured opt-out preference signal opts the active profile out of every signal-covered
    choice, or, from the primary profile, every profile of the account and profiles added later (R-PDS-4).
    Explicit consents given despite the signal are respected (R-GPC-6). Returns the number of events; 0
    writes nothing (R-GPC-5)."""
    locked_account = _lock_account(account.pk)
    profiles = _lock_profiles(locked_account)
    active = next((p for p in profiles if p.pk == active_profile.pk), None)
    if active is None:
        return 0
    stored = selectors.stored_values(account=locked_account)
    targets = profiles if active.is_primary else [active]
    writes: list[tuple[Profile | None, list[policy.Change]]] = []
    for profile in targets:
        facts = selectors.facts_from(profile=profile, account=locked_account, stored=stored)
        writes.append((profile, policy.changes(current=facts.values, wanted=policy.signal_values(facts))))
    if active.is_primary:
        flag = policy.current_values(stored.get(None, {}), scopes=[Scope.ACCOUNT])[Choice.ALL_PROFILES_OPT_OUT]
        if not flag:
            writes.append((None, [policy.Change(Choice.ALL_PROFILES_OPT_OUT, old=False, new=True)]))
    return _write(account=locked_account, writes=writes, actor=actor)


def _device_choices_set(*, account: Account, device: Device, values: Mapping[str, bool], actor: Actor) -> int:
    """choices_set for a device of the (locked) account: its device-scoped choices, audited with the device's
    opaque id in the event context."""
    locked = Device.objects.select_for_update().filter(pk=device.pk, account=account).first()
    if locked is None:
        raise Device.DoesNotExist
    facts = policy.ProfileFacts(
        plan_has_ads=account.plan_has_ads, is_kids=False, is_primary=False, values=policy.current_values({}, scopes=[])
    )
    _check_wanted(values, scope=Scope.DEVICE, facts=facts)
    current = selectors.device_facts(device=locked).values
    changes = policy.changes(current=current, wanted=values)
    actor = replace(actor, context={**actor.context, "device": device_event_ref(locked)})
    _write(account=account, writes=[(None, changes)], actor=actor, device=locked)
    return len(changes)


# The mobile app (R-AD-1, R-PUSH-1) ---------------------------------------------------------------------------


@transaction.atomic
def device_register(
    *,
    account: Account,
    device: Device | None = None,
    platform: Platform,
    advertising_id: str,
    limit_ad_tracking: bool,
    notifications: bool,
    acting_user: Account | None,
) -> Device:
    """Register a new device for the account (device None) or update one of its devices with what the app
    reports. The limit-ad-tracking flag and notification permission are the device's registry choices,
    written by the one writer with source `app`. The advertising id is not kept while tracking is limited."""
    locked_account = _lock_account(account.pk)
    now = timezone.now()
    kept_id = "" if limit_ad_tracking else advertising_id
    if device is None:
        device = Device.objects.create(account=locked_account, platform=platform, advertising_id=kept_id)
    else:
        device = Device.objects.select_for_update().get(pk=device.pk, account=locked_account)
        device.platform, device.advertising_id, device.updated_at = platform, kept_id, now
        device.save(update_fields=["platform", "advertising_id", "updated_at"])
    choices_set(
        account=locked_account,
        device=device,
        values={Choice.DEVICE_LIMIT_AD_TRACKING: limit_ad_tracking, Choice.DEVICE_NOTIFICATIONS: notifications},
        actor=Actor(source=Source.APP, acting_user=acting_user),
    )
    return device


def app_token_issue(*, account: Account) -> str:
    """A new app token for the member; the secret is returned once and only its digest is stored."""
    secret = AppToken.new_secret()
    AppToken.objects.create(
        account=account, digest=app_token_digest(secret), password_fingerprint=account.get_session_auth_hash()
    )
    return secret


def app_token_revoke(*, account: Account, secret: str) -> bool:
    deleted, _ = AppToken.objects.filter(account=account, digest=app_token_digest(secret)).delete()
    return bool(deleted)


def profile_unsubscribe(*, profile: Profile, category: str) -> int:
    """R-EM-2: a one-click unsubscribe link turns that email category off for that profile. Nobody is signed
    in: the signed link is the authority, and the event says so (source unsubscribe_link, no acting user)."""
    if REGISTRY[category].scope != Scope.PROFILE:
        raise WrongScope(category)
    actor = Actor(source=Source.UNSUBSCRIBE_LINK, acting_user=None)
    return choices_set(account=profile.account, profile=profile, values={category: False}, actor=actor)


@transaction.atomic
def texts_stop(*, number: str) -> int:
    """R-SMS-3: an inbound STOP from a number turns every text category off on every account with that number
    (a number may be on several accounts). Returns how many choices changed (0 writes nothing)."""
    actor = Actor(source=Source.SMS_STOP, acting_user=None)
    changed = 0
    for account in Account.objects.filter(phone__number=number).order_by("pk"):
        changed += choices_set(account=account, values=policy.texts_stop_values(), actor=actor)
    return changed


def account_phone_deleted(*, account: Account, acting_user: Account | None) -> None:
    """R-SMS-2: record that the number was deleted, never the number: one event, phone_on_file on to off.

    Called (through accounts.signals.phone_deleted) inside the deletion's transaction. No current-value row is
    written: whether a number is on file is the accounts app's PhoneNumber row, which is gone."""
    if acting_user is None:
        source = Source.SYSTEM
    else:
        source = Source.ADMIN if acting_user.is_staff and acting_user.pk != account.pk else Source.MEMBER
    actor = Actor(source=source, acting_user=acting_user)
    change = policy.Change(Choice.PHONE_ON_FILE, old=True, new=False)
    _event(account=account, profile=None, change=change, actor=actor, at=timezone.now()).save()
