"""Every change of a choice goes through here: atomic, audited in the same transaction, idempotent.

Locks are always taken in one order, the account row first and then its profiles, so two requests changing
one account serialise instead of losing an update or deadlocking.
"""

from collections.abc import Iterable, Mapping

from django.db import transaction

from accounts.models import Account, Profile
from consent import policy
from consent.choices import Choice, Source
from consent.models import ConsentEvent


class ChoiceNotAvailable(Exception):
    """The choice is not on this profile's page (BA on a kids profile or a plan without ads)."""


class NotPrimaryProfile(Exception):
    """Opt all profiles out of all was asked for from a profile other than the primary (R-PDS-4)."""


def _lock_account(account_id: int) -> Account:
    return Account.objects.select_for_update().get(pk=account_id)


def _lock_profile(profile: Profile, account: Account) -> Profile:
    locked = Profile.objects.select_for_update().get(pk=profile.pk, account=account)
    locked.account = account
    return locked


def _events(
    *,
    account: Account,
    profile: Profile | None,
    changes: Iterable[policy.Change],
    source: Source,
    acting_user: Account | None,
    jurisdiction: str,
) -> list[ConsentEvent]:
    return [
        ConsentEvent(
            account=account,
            profile=profile,
            choice=change.choice,
            old_value=change.old,
            new_value=change.new,
            source=source,
            acting_user=acting_user,
            jurisdiction=jurisdiction,
        )
        for change in changes
    ]


def _apply(profile: Profile, changes: Iterable[policy.Change]) -> None:
    for change in changes:
        setattr(profile, f"{change.choice}_on", change.new)


def _save_profile_changes(locked: Profile, changes: list[policy.Change], **event_fields) -> list[ConsentEvent]:
    """Write the changes to the locked profile row; return their (unsaved) events."""
    _apply(locked, changes)
    locked.save(update_fields=[f"{change.choice}_on" for change in changes])
    return _events(account=locked.account, profile=locked, changes=changes, **event_fields)


def _copy_choices(target: Profile, source: Profile) -> None:
    """Let the caller's instance see what was written."""
    target.mic_on, target.ba_on = source.mic_on, source.ba_on


def _end_all_profiles_opt_out(account: Account, **event_fields) -> list[ConsentEvent]:
    if not account.all_profiles_opted_out:
        return []
    account.all_profiles_opted_out = False
    account.save(update_fields=["all_profiles_opted_out"])
    change = policy.Change(choice=Choice.ALL_PROFILES_OPT_OUT, old=True, new=False)
    return _events(account=account, profile=None, changes=[change], **event_fields)


@transaction.atomic
def profile_set_choices(
    *,
    profile: Profile,
    values: Mapping[Choice, bool],
    source: Source,
    acting_user: Account | None,
    jurisdiction: str = "",
) -> int:
    """Set the given choices on one profile (R-PDS-1, R-PDS-5); return how many changed (0 writes nothing)."""
    account = _lock_account(profile.account_id)
    locked = _lock_profile(profile, account)
    facts = locked.facts()
    unavailable = set(values) - set(policy.choices_on_page(facts))
    if unavailable:
        raise ChoiceNotAvailable(", ".join(sorted(unavailable)))

    changes = policy.changes(current=facts.stored(), wanted=values)
    if not changes:
        return 0
    event_fields = {"source": source, "acting_user": acting_user, "jurisdiction": jurisdiction}
    events = _save_profile_changes(locked, changes, **event_fields)
    if policy.ends_all_profiles_opt_out(facts, {c.choice: c.new for c in changes}):
        events += _end_all_profiles_opt_out(account, **event_fields)
    ConsentEvent.objects.bulk_create(events)
    _copy_choices(profile, locked)
    return len(changes)


@transaction.atomic
def profile_opt_out_of_all(
    *,
    profile: Profile,
    source: Source = Source.OPT_OUT_ALL,
    acting_user: Account | None,
    jurisdiction: str = "",
) -> int:
    """R-PDS-3: turn off every choice on the profile; return how many changed (0 writes nothing)."""
    account = _lock_account(profile.account_id)
    locked = _lock_profile(profile, account)
    changes = policy.opt_out_of_all(locked.facts())
    if not changes:
        return 0
    events = _save_profile_changes(locked, changes, source=source, acting_user=acting_user, jurisdiction=jurisdiction)
    ConsentEvent.objects.bulk_create(events)
    _copy_choices(profile, locked)
    return len(changes)


@transaction.atomic
def account_opt_all_profiles_out(
    *,
    account: Account,
    from_profile: Profile | None,
    source: Source = Source.OPT_ALL_PROFILES,
    acting_user: Account | None,
    jurisdiction: str = "",
) -> int:
    """R-PDS-4: turn off MIC and BA on every profile, and keep new profiles opted out, all or nothing.

    A member must ask from the primary profile (`from_profile`); support staff act on the account as a whole
    and pass None. Returns the number of events written (0 writes nothing).
    """
    locked_account = _lock_account(account.pk)
    profiles = list(Profile.objects.select_for_update().filter(account=locked_account).order_by("slot"))
    if from_profile is not None:
        asked_from = next((p for p in profiles if p.pk == from_profile.pk), None)
        if asked_from is None or not asked_from.is_primary:
            raise NotPrimaryProfile

    event_fields = {"source": source, "acting_user": acting_user, "jurisdiction": jurisdiction}
    events: list[ConsentEvent] = []
    changed: list[Profile] = []
    for profile in profiles:
        profile.account = locked_account
        changes = policy.opt_out_of_all(profile.facts())
        if changes:
            _apply(profile, changes)
            changed.append(profile)
            events += _events(account=locked_account, profile=profile, changes=changes, **event_fields)
    if changed:
        Profile.objects.bulk_update(changed, ["mic_on", "ba_on"])
    if not locked_account.all_profiles_opted_out:
        locked_account.all_profiles_opted_out = True
        locked_account.save(update_fields=["all_profiles_opted_out"])
        flag = policy.Change(choice=Choice.ALL_PROFILES_OPT_OUT, old=False, new=True)
        events += _events(account=locked_account, profile=None, changes=[flag], **event_fields)
    if events:
        ConsentEvent.objects.bulk_create(events)
    account.all_profiles_opted_out = locked_account.all_profiles_opted_out
    return len(events)


def profile_record_initial_choices(
    *, profile: Profile, account: Account, acting_user: Account | None, jurisdiction: str = ""
) -> None:
    """Audit the starting values of a new profile (R-PDS-7), so every stored choice has an origin.

    Called inside the transaction that creates the profile, with the account row already locked.
    """
    source = Source.OPT_ALL_PROFILES if account.all_profiles_opted_out else Source.SYSTEM
    initial = [policy.Change(choice=c, old=None, new=v) for c, v in profile.facts().stored().items()]
    ConsentEvent.objects.bulk_create(
        _events(
            account=account,
            profile=profile,
            changes=initial,
            source=source,
            acting_user=acting_user,
            jurisdiction=jurisdiction,
        )
    )
