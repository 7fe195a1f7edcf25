"""Reads for account pages, each a fixed number of queries whatever the number of profiles."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Account, PhoneNumber, Profile


def account_profiles(*, account: Account) -> QuerySet[Profile]:
    return Profile.objects.filter(account=account).order_by("slot")


def account_phone(*, account: Account) -> PhoneNumber | None:
    # At most one row (one-to-one): no ORDER BY, which .first() would add and the ORM would compile each time.
    return next(iter(PhoneNumber.objects.filter(account_id=account.pk).order_by()[:1]), None)


def find_profile_of_account(*, account: Account, profile_id: object) -> Profile | None:
    """A profile of this account (with `account` attached, no extra query), or None."""
    # At most one row (primary key): no ORDER BY; Profile's default ordering costs ~0.1 ms to compile per query.
    profile = next(iter(Profile.objects.filter(pk=profile_id, account_id=account.pk).order_by()[:1]), None)
    if profile is not None:
        profile.account = account
    return profile


def profile_of_account(*, account: Account, profile_id: object) -> Profile:
    """A profile of this account, or 404 with no hint whether it exists elsewhere (R-PDS-6)."""
    profile = find_profile_of_account(account=account, profile_id=profile_id)
    if profile is None:
        raise Http404("No such profile")
    return profile
