"""Writes for accounts, profiles and phone numbers. Choices on a profile change only in consent.services."""

from django.db import transaction

from accounts.models import Account, PhoneNumber, Plan, Profile
from accounts.normalize import clean_profile_name
from consent import policy
from consent.choices import Choice
from consent.services import profile_record_initial_choices


class ProfileLimitReached(Exception):
    """An account already has the maximum number of profiles."""


@transaction.atomic
def account_create(
    *,
    email: str,
    password: str,
    plan: Plan,
    region: str,
    primary_profile_name: str,
    phone: str | None = None,
    acting_user: Account | None = None,
) -> Account:
    """Create an account with its primary profile (and phone), so that it never exists without one."""
    account = Account.objects.create_user(email=email, password=password, plan=plan, region=region)
    _profile_insert(account=account, name=primary_profile_name, is_kids=False, acting_user=acting_user)
    if phone:
        PhoneNumber.objects.create(account=account, number=phone)
    return account


@transaction.atomic
def profile_create(*, account: Account, name: str, is_kids: bool = False, acting_user: Account | None) -> Profile:
    """Add a profile; it starts opted out while "Opt all profiles out of all" is in force (R-PDS-7)."""
    locked = Account.objects.select_for_update().get(pk=account.pk)
    return _profile_insert(account=locked, name=name, is_kids=is_kids, acting_user=acting_user)


def _profile_insert(*, account: Account, name: str, is_kids: bool, acting_user: Account | None) -> Profile:
    name = clean_profile_name(name)  # raises ValidationError for control or invisible characters
    taken = set(Profile.objects.filter(account=account).values_list("slot", flat=True))
    free = sorted(set(range(1, policy.MAX_PROFILES_PER_ACCOUNT + 1)) - taken)
    if not free:
        raise ProfileLimitReached
    slot = free[0]
    is_primary = slot == 1
    initial = policy.new_profile_choices(all_profiles_opted_out=account.all_profiles_opted_out)
    profile = Profile.objects.create(
        account=account,
        slot=slot,
        name=name,
        is_kids=is_kids and not is_primary,
        is_primary=is_primary,
        mic_on=initial[Choice.MIC],
        ba_on=initial[Choice.BA],
    )
    profile_record_initial_choices(profile=profile, account=account, acting_user=acting_user)
    return profile


@transaction.atomic
def phone_set(*, account: Account, number: str) -> bool:
    """Add or change the account's one phone number (E.164); return whether anything changed."""
    phone = PhoneNumber.objects.select_for_update().filter(account=account).first()
    if phone is None:
        PhoneNumber.objects.create(account=account, number=number)
        return True
    if phone.number == number:
        return False
    phone.number = number
    phone.save(update_fields=["number", "updated_at"])
    return True


@transaction.atomic
def phone_delete(*, account: Account) -> bool:
    """Remove the number entirely: no copy is kept anywhere (R-SMS-2). Return whether there was one."""
    deleted, _ = PhoneNumber.objects.filter(account=account).delete()
    return bool(deleted)
