"""The request a signed-in page gets, for type checking: `login_required` guarantees `user` is an Account."""

from django.http import HttpRequest

from accounts.member import Member
from accounts.models import Account


class MemberRequest(HttpRequest):
    user: Account  # narrower than HttpRequest's Account | AnonymousUser
    member: Member
