from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.sessions import active_profile as session_active_profile


def active_profile(request: HttpRequest) -> dict[str, object]:
    """The session's active profile ("Who's watching?"), loaded only if a template asks for it."""
    return {"active_profile": SimpleLazyObject(lambda: session_active_profile(request))}
