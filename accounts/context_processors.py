from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.sessions import shown_active_profile


def active_profile(request: HttpRequest) -> dict[str, object]:
    """The session's active profile ("Who's watching?") as the header shows it, read from the session (no query)."""
    return {"active_profile": SimpleLazyObject(lambda: shown_active_profile(request))}
