"""R-GPC-3, R-GPC-5: an honoured Global Privacy Control signal applied to a signed-in member's account."""

from django.db import transaction

from accounts.models import Account, Profile
from consent import policy, selectors
from consent.services.choices import Actor, Writes, lock_account, lock_profiles, write


def signal_covered(profiles: list[Profile], active: Profile) -> list[Profile]:
    """The profiles a signal sent while watching as `active` covers (R-GPC-3)."""
    return [
        profile
        for profile in profiles
        if policy.signal_covers(active_is_primary=active.is_primary, is_active_profile=profile.pk == active.pk)
    ]


@transaction.atomic
def signal_apply(*, account: Account, active_profile: Profile, actor: Actor) -> int:
    """Opt the active profile out of every signal-covered choice, or, from the primary profile, every profile of
    the account and profiles added later (R-PDS-4). Explicit consents given despite the signal are respected
    (R-GPC-6). Returns the number of events; 0 writes nothing (R-GPC-5)."""
    locked_account = lock_account(account.pk)
    profiles = lock_profiles(locked_account)
    active = next((p for p in profiles if p.pk == active_profile.pk), None)
    if active is None:
        return 0
    stored = selectors.stored_values(account=locked_account)
    covered = {
        profile.pk: selectors.facts_from(profile=profile, account=locked_account, stored=stored)
        for profile in signal_covered(profiles, active)
    }
    per_profile, on_account = policy.signal_changes(covered, from_primary=active.is_primary)
    writes: Writes = [(profile, per_profile[profile.pk]) for profile in profiles if profile.pk in per_profile]
    if on_account:
        writes.append((None, on_account))
    return write(account=locked_account, writes=writes, actor=actor)
