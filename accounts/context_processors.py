from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def active_profile(request: HttpRequest) -> dict[str, object]:
    """`active_profile` in every template: the session's profile ("Who's watching?"), read only if a template
    asks for it (accounts.member)."""
    member = getattr(request, "member", None)
    return {"active_profile": SimpleLazyObject(lambda: member.active_profile if member else None)}
