"""Requests as the consent views see them, for type checking: the privacy context the consent middleware
attaches to every request, and, behind `login_required`, a member."""

from django.http import HttpRequest

from accounts.http import MemberRequest
from consent.middleware import RequestPrivacy


class PrivacyRequest(HttpRequest):
    privacy: RequestPrivacy


class MemberPrivacyRequest(MemberRequest):
    privacy: RequestPrivacy
