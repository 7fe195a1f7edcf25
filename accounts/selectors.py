"""Reads for account pages, each a fixed number of queries whatever the number of profiles."""

from uuid import UUID

from django.http import Http404

from accounts.models import Account, PhoneNumber, Profile
from netflix_privacy.prepared import PreparedRead

_PROFILES_CACHE = "_account_profiles"
_ACCOUNT_OF_PROFILE = Profile._meta.get_field("account")

# Every member page and its header read the account's profiles: compiled once (netflix_privacy.prepared).
_profiles_in_slot_order = PreparedRead(
    lambda account_id: Profile.objects.filter(account_id=account_id).order_by("slot"),
    account_id=Account._meta.pk,
)


def account_profiles(*, account: Account) -> list[Profile]:
    """The account's profiles in slot order, with `account` attached: one query, then remembered on the
    account instance, so a page and its header (the active profile) share it. Writes never go through it:
    services lock and read their own rows."""
    cached = account.__dict__.get(_PROFILES_CACHE)
    if cached is None:
        cached = _profiles_in_slot_order(account_id=account.pk)
        for profile in cached:
            # What `profile.account = account` leaves behind, without the descriptor's checks (~2% of a page):
            # each row's account_id is this account's key by the query itself.
            _ACCOUNT_OF_PROFILE.set_cached_value(profile, account)
        account.__dict__[_PROFILES_CACHE] = cached
    return cached


def account_phone(*, account: Account) -> PhoneNumber | None:
    """The account's phone; no query when the signed-in account was loaded with it (accounts.backends)."""
    try:
        return account.phone
    except PhoneNumber.DoesNotExist:
        return None


def find_profile_of_account(*, account: Account, profile_id: object) -> Profile | None:
    """A profile of this account (with `account` attached), or None."""
    try:
        wanted = profile_id if isinstance(profile_id, UUID) else UUID(str(profile_id))
    except ValueError:
        return None
    return next((profile for profile in account_profiles(account=account) if profile.pk == wanted), None)


def profile_of_account(*, account: Account, profile_id: object) -> Profile:
    """A profile of this account, or 404 with no hint whether it exists elsewhere (R-PDS-6)."""
    profile = find_profile_of_account(account=account, profile_id=profile_id)
    if profile is None:
        raise Http404("No such profile")
    return profile
