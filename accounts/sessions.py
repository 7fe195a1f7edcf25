"""The session's active profile: the one chosen on "Who's watching?"."""

from django.http import HttpRequest

from accounts.models import Profile
from accounts.selectors import find_profile_of_account

ACTIVE_PROFILE_KEY = "active_profile_id"


def set_active_profile(request: HttpRequest, profile: Profile) -> None:
    request.session[ACTIVE_PROFILE_KEY] = str(profile.pk)


def active_profile(request: HttpRequest) -> Profile | None:
    profile_id = request.session.get(ACTIVE_PROFILE_KEY)
    if not profile_id or not request.user.is_authenticated:
        return None
    return find_profile_of_account(account=request.user, profile_id=profile_id)
