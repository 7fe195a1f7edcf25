"""The request a signed-in consent page gets, for type checking: a member, and the privacy context the
consent middleware attaches to every request."""

from accounts.http import MemberRequest
from consent.middleware import RequestPrivacy


class PrivacyRequest(MemberRequest):
    privacy: RequestPrivacy
