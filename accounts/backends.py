"""Email sign-in with Django's ModelBackend; the signed-in account is loaded with its phone in one query."""

from django.contrib.auth.backends import ModelBackend

from accounts.models import Account


class AccountBackend(ModelBackend):
    def get_user(self, user_id: int) -> Account | None:
        try:
            account = Account.objects.select_related("phone").get(pk=user_id)
        except Account.DoesNotExist:
            return None
        return account if self.user_can_authenticate(account) else None
