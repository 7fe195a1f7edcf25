"""The session's active profile: the one chosen on "Who's watching?".

The session keeps the profile's id and its name, so that the header of every page shows it without a query
(`shown_active_profile`). The name is a snapshot taken when the member chose the profile: a rename elsewhere
(support staff in the admin) shows in the header after the member chooses a profile again. Code that acts on
the active profile loads it with `active_profile`, which checks it still belongs to the account.
"""

import uuid
from dataclasses import dataclass

from django.http import HttpRequest

from accounts.models import Profile
from accounts.selectors import find_profile_of_account

ACTIVE_PROFILE_KEY = "active_profile_id"
ACTIVE_PROFILE_NAME_KEY = "active_profile_name"


@dataclass(frozen=True)
class ShownProfile:
    """What the header shows of the active profile."""

    pk: uuid.UUID
    name: str


def set_active_profile(request: HttpRequest, profile: Profile) -> None:
    request.session[ACTIVE_PROFILE_KEY] = str(profile.pk)
    request.session[ACTIVE_PROFILE_NAME_KEY] = profile.name


def active_profile(request: HttpRequest) -> Profile | None:
    """The active profile, loaded (one query) and checked to belong to the signed-in account."""
    profile_id = request.session.get(ACTIVE_PROFILE_KEY)
    if not profile_id or not request.user.is_authenticated:
        return None
    return find_profile_of_account(account=request.user, profile_id=profile_id)


def shown_active_profile(request: HttpRequest) -> ShownProfile | None:
    """The active profile's id and name from the session, for display: no query."""
    profile_id = request.session.get(ACTIVE_PROFILE_KEY)
    if not profile_id or not request.user.is_authenticated:
        return None
    name = request.session.get(ACTIVE_PROFILE_NAME_KEY)
    if name is None:
        # A session written before the name was kept: look the profile up once and keep its name.
        profile = active_profile(request)
        if profile is None:
            return None
        set_active_profile(request, profile)
        name = profile.name
    return ShownProfile(pk=uuid.UUID(profile_id), name=name)
