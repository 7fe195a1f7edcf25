"""Writes for accounts, profiles and phone numbers. Choices on a profile change only in consent.services.

Every write that could change what a choice means (a new profile, the kids flag, the plan) sends one of
accounts.signals inside its transaction, so the consent app can record or audit it without this app importing
it (see accounts/signals.py).
"""

from django.db import transaction

from accounts import signals
from accounts.models import MAX_PROFILES, Account, PasswordResetCode, PhoneNumber, Plan, Profile
from accounts.normalize import clean_profile_name


class ProfileLimitReached(Exception):
    """An account already has the maximum number of profiles."""


class PrimaryProfileCannotBeKids(Exception):
    """The primary profile is the account owner's and is never a kids profile (docs/rules.md)."""


def _lock_account(account: Account) -> Account:
    return Account.objects.select_for_update().get(pk=account.pk)


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
    """Add a profile; the consent app gives it its starting choices (R-PDS-7) through `profile_created`."""
    return _profile_insert(account=_lock_account(account), name=name, is_kids=is_kids, acting_user=acting_user)


def _profile_insert(*, account: Account, name: str, is_kids: bool, acting_user: Account | None) -> Profile:
    name = clean_profile_name(name)  # raises ValidationError for control or invisible characters
    taken = set(Profile.objects.filter(account=account).values_list("slot", flat=True))
    free = sorted(set(range(1, MAX_PROFILES + 1)) - taken)
    if not free:
        raise ProfileLimitReached
    slot = free[0]
    is_primary = slot == 1
    profile = Profile.objects.create(
        account=account,
        slot=slot,
        name=name,
        is_kids=is_kids and not is_primary,
        is_primary=is_primary,
    )
    signals.profile_created.send(sender=Profile, profile=profile, account=account, acting_user=acting_user)
    return profile


@transaction.atomic
def profile_set_kids(*, profile: Profile, is_kids: bool, acting_user: Account | None) -> bool:
    """Turn a profile into a kids profile or back; return whether it changed.

    A kids profile never gets behavioral advertising (R-PDS-2): the stored choice is kept, its effect changes,
    and the consent app audits that change of effect.
    """
    account = _lock_account(profile.account)
    locked = Profile.objects.select_for_update().get(pk=profile.pk, account=account)
    if locked.is_kids == is_kids:
        return False
    if is_kids and locked.is_primary:
        raise PrimaryProfileCannotBeKids
    signals.membership_fact_changing.send(
        sender=Profile,
        account=account,
        profile=locked,
        fact="is_kids",
        old=locked.is_kids,
        new=is_kids,
        acting_user=acting_user,
    )
    locked.is_kids = profile.is_kids = is_kids
    locked.save(update_fields=["is_kids"])
    return True


@transaction.atomic
def account_set_plan(*, account: Account, plan: Plan, acting_user: Account | None) -> bool:
    """Change the plan; an opt-out is never lost by it (R-PDS-5), and a change of BA's effect is audited."""
    locked = _lock_account(account)
    if locked.plan == plan:
        return False
    signals.membership_fact_changing.send(
        sender=Account,
        account=locked,
        profile=None,
        fact="plan",
        old=locked.plan,
        new=plan,
        acting_user=acting_user,
    )
    locked.plan = account.plan = plan
    locked.save(update_fields=["plan"])
    return True


@transaction.atomic
def phone_set(*, account: Account, number: str) -> bool:
    """Add or change the account's one phone number (E.164); return whether anything changed. A pending reset
    code stops working when the number changes."""
    phone = PhoneNumber.objects.select_for_update().filter(account=account).first()
    if phone is not None and phone.number == number:
        return False
    # A code already sent went to the old number (or to none): whoever holds that phone must not reset with it.
    PasswordResetCode.objects.filter(account=account).delete()
    if phone is None:
        PhoneNumber.objects.create(account=account, number=number)
        return True
    phone.number = number
    phone.save(update_fields=["number", "updated_at"])
    return True


@transaction.atomic
def phone_delete(*, account: Account, acting_user: Account | None = None) -> bool:
    """Remove the number entirely: no copy is kept anywhere (R-SMS-2). Return whether there was one; when there
    was, `phone_deleted` lets the consent trail record that it happened (without the number)."""
    deleted, _ = PhoneNumber.objects.filter(account=account).delete()
    PasswordResetCode.objects.filter(account=account).delete()  # a code already sent stops working too
    if deleted:
        signals.phone_deleted.send(sender=PhoneNumber, account=account, acting_user=acting_user)
    return bool(deleted)
