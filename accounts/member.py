"""The signed-in member as one request sees them (`request.member`), each fact read on first use and once.

Set by accounts.middleware.MemberMiddleware. The page, its header (the active profile) and the consent app's
privacy context all read the account's profiles from here, so a request reads them once however many ask.
"""

from functools import cached_property

from django.http import Http404, HttpRequest

from accounts import selectors
from accounts.models import Account, PhoneNumber, Profile
from accounts.sessions import active_profile_id


class Member:
    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    @cached_property
    def account(self) -> Account | None:
        user = getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None

    @cached_property
    def profiles(self) -> list[Profile]:
        """The account's profiles in slot order (none for a visitor)."""
        return selectors.account_profiles(account=self.account) if self.account else []

    @cached_property
    def active_profile(self) -> Profile | None:
        """The profile chosen on "Who's watching?", if the member has chosen one."""
        return self.find_profile(active_profile_id(self.request)) if self.account else None

    @property
    def phone(self) -> PhoneNumber | None:
        return selectors.account_phone(account=self.account) if self.account else None

    def find_profile(self, profile_id: object) -> Profile | None:
        """One of the account's profiles, or None."""
        return selectors.find_profile(self.profiles, profile_id)

    def profile(self, profile_id: object) -> Profile:
        """One of the account's profiles, or 404 with no hint whether it exists elsewhere (R-PDS-6)."""
        profile = self.find_profile(profile_id)
        if profile is None:
            raise Http404("No such profile")
        return profile
