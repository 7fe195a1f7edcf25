"""Marketing email: who may get it (asked of the policy at send time), the message with its one-click
unsubscribe (R-EM-1, R-EM-2), and the signed links that unsubscribe without signing in."""

from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import Profile
from consent import policy, selectors
from consent.choices import REGISTRY, Page

UNSUBSCRIBE_SALT = "consent.unsubscribe"
# The query parameter of the one-click link that holds the signed token.
TOKEN_PARAMETER = "t"  # noqa: S105 (a parameter name, not a secret)
TOKEN_MAX_LENGTH = 512


class BadUnsubscribeLink(Exception):
    """A link that was tampered with, expired, or names a profile or category that no longer exists."""


@dataclass(frozen=True)
class Unsubscribe:
    profile: Profile
    category: str


def marketing_categories() -> tuple[str, ...]:
    """The email categories a member can turn off (service email cannot)."""
    return tuple(spec.key for spec in REGISTRY.on_page(Page.EMAILS) if spec.can_turn_off)


def unsubscribe_token(*, profile: Profile, category: str) -> str:
    """A signed, timestamped token naming the profile and the category: it is the link's only authority."""
    return signing.dumps({"p": str(profile.pk), "c": category}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, profile: Profile, category: str) -> str:
    query = urlencode({TOKEN_PARAMETER: unsubscribe_token(profile=profile, category=category)})
    return f"{settings.PRIVACY_SITE_URL.rstrip('/')}{reverse('unsubscribe')}?{query}"


def unsubscribe_read(token: str) -> Unsubscribe:
    """The profile and category of a link, or BadUnsubscribeLink (tampered, expired, or no longer valid)."""
    max_age = settings.UNSUBSCRIBE_LINK_MAX_AGE_DAYS * 24 * 60 * 60
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise BadUnsubscribeLink
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=max_age)
        profile_id, category = UUID(str(data["p"])), str(data["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadUnsubscribeLink from error
    if category not in marketing_categories():
        raise BadUnsubscribeLink
    profile = Profile.objects.select_related("account").filter(pk=profile_id).first()
    if profile is None:
        raise BadUnsubscribeLink
    return Unsubscribe(profile=profile, category=category)


def marketing_message(*, profile: Profile, category: str, subject: str, body: str) -> EmailMessage:
    """One marketing email with the RFC 8058 one-click unsubscribe headers and the same link in the text."""
    link = unsubscribe_url(profile=profile, category=category)
    label = REGISTRY[category].label
    text = f"{body}\n\n--\nYou get this as {label} email for {profile.name}. Unsubscribe in one click: {link}\n"
    return EmailMessage(
        subject=subject,
        body=text,
        to=[profile.account.email],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def profiles_by_id(profile_ids: list[UUID]) -> dict[UUID, Profile]:
    return {p.pk: p for p in Profile.objects.select_related("account").filter(pk__in=profile_ids)}


def marketing_email_send(*, profile_id: UUID, category: str, subject: str, body: str) -> bool:
    """Send one marketing email if the profile still allows the category, asked now (not when it was queued).
    Returns whether it was sent."""
    profile = Profile.objects.select_related("account").filter(pk=profile_id, account__is_active=True).first()
    if profile is None:
        return False
    facts = selectors.profile_facts(profile=profile, account=profile.account)
    if not policy.marketing_email_allowed(facts, category):
        return False
    marketing_message(profile=profile, category=category, subject=subject, body=body).send()
    return True
