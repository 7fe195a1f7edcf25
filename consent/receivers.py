"""Where consent listens to accounts (accounts.signals): thin calls into consent.services, no rules here."""

from typing import Any

from accounts.models import Account, Profile
from consent import services


def record_initial_choices(
    sender: type, *, profile: Profile, account: Account, acting_user: Account | None, **kwargs: Any
) -> None:
    services.profile_record_initial_choices(profile=profile, account=account, acting_user=acting_user)


def audit_change_of_effect(
    sender: type,
    *,
    account: Account,
    profile: Profile | None,
    fact: str,
    new: object,
    acting_user: Account | None,
    **kwargs: Any,
) -> None:
    services.audit_change_of_effect(account=account, profile=profile, fact=fact, new=new, acting_user=acting_user)


def record_phone_deleted(sender: type, *, account: Account, acting_user: Account | None, **kwargs: Any) -> None:
    services.account_phone_deleted(account=account, acting_user=acting_user)


def record_phone_changed(sender: type, *, account: Account, acting_user: Account | None, **kwargs: Any) -> None:
    services.account_phone_changed(account=account, acting_user=acting_user)


def record_email_changed(sender: type, *, account: Account, acting_user: Account | None, **kwargs: Any) -> None:
    services.account_email_changed(account=account, acting_user=acting_user)


def record_phone_added(sender: type, *, account: Account, **kwargs: Any) -> None:
    services.account_phone_added(account=account)


def record_profile_deleted(sender: type, *, instance: Profile, **kwargs: Any) -> None:
    services.feed_record_profile_deleted(profile=instance)
