"""Email sign-in with Django's ModelBackend. The signed-in account, with its phone, is read through the shared
cache under the account's version (accounts.selectors), which every committed change of the account, its phone
or its profiles replaces: every request of a signed-in member needs it, few change it."""

from django.contrib.auth.backends import ModelBackend

from accounts import selectors
from accounts.models import Account


class AccountBackend(ModelBackend):
    def get_user(self, user_id: int) -> Account | None:
        account = selectors.signed_in_account(account_id=user_id)
        return account if account is not None and self.user_can_authenticate(account) else None
