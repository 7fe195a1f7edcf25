"""Reads for account pages, each a fixed number of queries whatever the number of profiles."""

from collections.abc import Iterable
from uuid import UUID

from accounts.models import Account, PhoneNumber, Profile
from common import cache

# The version (common.cache) of everything kept about one account: its profiles here, its stored choices in
# consent.selectors. Every committed write to either replaces it (accounts.services, consent.services).
ACCOUNT = "account"
SIGNED_IN = "signed-in"


def account_profiles(*, account: Account) -> list[Profile]:
    """The account's profiles in slot order, with `account` attached: one query, or none while the shared cache
    holds them. Writes never go through it: services lock and read their own rows."""
    profiles = cache.cached(
        ACCOUNT, account.pk, "profiles", lambda: list(Profile.objects.filter(account=account).order_by("slot"))
    )
    for profile in profiles:
        profile.account = account
    return profiles


def signed_in_account(*, account_id: int) -> Account | None:
    """The account with this id, loaded with its phone in one query, or none while the shared cache holds it
    (accounts.backends: every signed-in request asks)."""

    def load() -> Account | None:
        return Account.objects.select_related("phone").filter(pk=account_id).first()

    return cache.cached(ACCOUNT, account_id, SIGNED_IN, load)


def account_changed(*, account_id: int) -> None:
    """What is kept about the account is read afresh once the current transaction commits."""
    cache.changed(ACCOUNT, account_id)


def account_forgotten(*, account_id: int) -> None:
    """As `account_changed`, and the kept copy of the account (its email, its phone) is deleted from the cache:
    a deleted phone number or account leaves no copy behind (R-SMS-2)."""
    cache.forget(ACCOUNT, account_id, SIGNED_IN)


def account_phone(*, account: Account) -> PhoneNumber | None:
    """The account's phone; no query when the signed-in account was loaded with it (accounts.backends)."""
    try:
        return account.phone
    except PhoneNumber.DoesNotExist:
        return None


def find_profile(profiles: Iterable[Profile], profile_id: object) -> Profile | None:
    """The profile of `profiles` with this id (a UUID or its text), or None."""
    try:
        wanted = profile_id if isinstance(profile_id, UUID) else UUID(str(profile_id))
    except ValueError:
        return None
    return next((profile for profile in profiles if profile.pk == wanted), None)
