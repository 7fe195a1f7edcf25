from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accounts.member import Member


class MemberMiddleware:
    """`request.member`: the signed-in member's account, profiles and active profile, read lazily, once per
    request. After django.contrib.auth's AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.member = Member(request)  # type: ignore[attr-defined]  # HttpRequest has no such slot
        return self.get_response(request)
