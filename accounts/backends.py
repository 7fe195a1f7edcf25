"""Email sign-in with Django's ModelBackend; the signed-in account is loaded with its phone in one query."""

from django.contrib.auth.backends import ModelBackend

from accounts.models import Account
from netflix_privacy.prepared import PreparedRead

# Every signed-in request loads the account: compiled once (netflix_privacy.prepared). No ORDER BY: the key is unique.
_account_with_phone = PreparedRead(
    lambda pk: Account.objects.select_related("phone").filter(pk=pk), pk=Account._meta.pk
)


class AccountBackend(ModelBackend):
    def get_user(self, user_id: int) -> Account | None:
        found = _account_with_phone(pk=user_id)  # django.contrib.auth hands over the session's key as an int
        if not found:
            return None
        account = found[0]
        return account if self.user_can_authenticate(account) else None
