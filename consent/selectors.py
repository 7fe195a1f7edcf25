"""Reads that assemble what the policy decides on. Pages, the admin, the API and exports all build their
`ProfileFacts` here, so they answer from the same facts: one query for an account's stored choices, whatever
the number of profiles or choices."""

from collections.abc import Iterable
from uuid import UUID

from accounts.models import Account, Profile
from consent import policy
from consent.choices import Choice, Scope
from consent.models import ChoiceValue

# Stored values by subject: a profile's id, or None for the account's own (account-scoped) choices.
Stored = dict[UUID | None, dict[str, bool]]


def stored_values(*, account: Account) -> Stored:
    """Every stored choice of the account and its profiles, in one query."""
    stored: Stored = {}
    for profile_id, choice, value in ChoiceValue.objects.filter(account=account).values_list(
        "profile_id", "choice", "value"
    ):
        stored.setdefault(profile_id, {})[choice] = value
    return stored


def facts_from(*, profile: Profile, account: Account, stored: Stored) -> policy.ProfileFacts:
    """A profile's facts from already-loaded stored values (no query)."""
    values = policy.current_values(stored.get(profile.pk, {}), scopes=[Scope.PROFILE])
    values.update(policy.current_values(stored.get(None, {}), scopes=[Scope.ACCOUNT]))
    return policy.ProfileFacts(
        plan_has_ads=account.plan_has_ads, is_kids=profile.is_kids, is_primary=profile.is_primary, values=values
    )


def profile_facts(*, profile: Profile, account: Account) -> policy.ProfileFacts:
    """One profile's facts: one query."""
    return facts_from(profile=profile, account=account, stored=stored_values(account=account))


def profiles_facts(*, account: Account, profiles: Iterable[Profile]) -> dict[UUID, policy.ProfileFacts]:
    """Facts of several profiles of one account: one query, however many profiles."""
    stored = stored_values(account=account)
    return {profile.pk: facts_from(profile=profile, account=account, stored=stored) for profile in profiles}


def account_values(*, account: Account) -> dict[str, bool]:
    """The account's own (account-scoped) choices, defaults filled in: one query."""
    stored = dict(ChoiceValue.objects.filter(account=account, profile=None).values_list("choice", "value"))
    return policy.current_values(stored, scopes=[Scope.ACCOUNT])


def all_profiles_opted_out(*, account: Account) -> bool:
    """R-PDS-4: whether "Opt all profiles out of all" is in force for the account."""
    return account_values(account=account)[Choice.ALL_PROFILES_OPT_OUT]
