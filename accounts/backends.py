"""Email sign-in with Django's ModelBackend; the signed-in account is loaded with its phone in one query."""

from django.contrib.auth.backends import ModelBackend

from accounts.models import Account


class AccountBackend(ModelBackend):
    def get_user(self, user_id: int) -> Account | None:
        account = Account.objects.select_related("phone").filter(pk=user_id).first()
        return account if account is not None and self.user_can_authenticate(account) else None
