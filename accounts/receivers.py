"""Where accounts listens to Django's model signals: thin calls, no rules here."""

from typing import Any

from accounts import selectors
from accounts.models import Profile


def profile_changed(sender: type, *, instance: Profile, **kwargs: Any) -> None:
    selectors.account_changed(account_id=instance.account_id)
