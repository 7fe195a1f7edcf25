"""The session's active profile: the one chosen on "Who's watching?"."""

from django.http import HttpRequest

from accounts.models import Profile

ACTIVE_PROFILE_KEY = "active_profile_id"


def set_active_profile(request: HttpRequest, profile: Profile) -> None:
    request.session[ACTIVE_PROFILE_KEY] = str(profile.pk)


def active_profile_id(request: HttpRequest) -> str | None:
    """The id the session holds (unchecked: request.member.active_profile looks it up among the account's)."""
    return request.session.get(ACTIVE_PROFILE_KEY) or None
