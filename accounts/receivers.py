"""Where accounts listens to Django's model signals: thin calls, no rules here."""

from typing import Any

from accounts import selectors
from accounts.models import Account, PhoneNumber, Profile


def profile_changed(sender: type, *, instance: Profile, **kwargs: Any) -> None:
    selectors.account_changed(account_id=instance.account_id)


def account_saved(sender: type, *, instance: Account, **kwargs: Any) -> None:
    selectors.account_changed(account_id=instance.pk)


def account_deleted(sender: type, *, instance: Account, **kwargs: Any) -> None:
    selectors.account_forgotten(account_id=instance.pk)


def phone_saved(sender: type, *, instance: PhoneNumber, **kwargs: Any) -> None:
    selectors.account_changed(account_id=instance.account_id)


def phone_deleted(sender: type, *, instance: PhoneNumber, **kwargs: Any) -> None:
    selectors.account_forgotten(account_id=instance.account_id)
