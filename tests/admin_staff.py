"""Staff users with exactly the permissions a test names, for the admin's permission tests."""

from typing import cast

from django.contrib.auth.models import Permission
from django.test import Client

from accounts.models import Account
from tests.factories import StaffFactory

# What support staff who only look need: every list and page, no change.
VIEW_ONLY = ("view_account", "view_profile", "view_consentevent", "view_phonenumber")
# Staff who work on profiles only: they never see an account's page, nor its email address.
PROFILES_ONLY = ("view_profile", "change_profile", "view_consentevent")


def staff_with(*codenames: str, superuser: bool = False) -> Account:
    """A staff account holding exactly these permissions (read afresh, so no permission cache)."""
    user = cast(Account, StaffFactory(is_superuser=superuser))
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return Account.objects.get(pk=user.pk)


def signed_in(user: Account) -> Client:
    """A client of its own signed in as `user` (several staff can be compared in one test)."""
    client = Client()
    client.force_login(user)
    return client
