"""Marketing email: who may get it (asked of the policy at send time), the message with its one-click
unsubscribe (R-EM-1, R-EM-2), and the signed links that unsubscribe without signing in."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from accounts.models import MAX_PROFILES, Account, Profile
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
    """What a link unsubscribes: the profiles its email covered (one account's), from one category."""

    profiles: tuple[Profile, ...]
    category: str

    @property
    def account(self) -> Account:
        return self.profiles[0].account

    @property
    def names(self) -> str:
        return profile_names(self.profiles)


def marketing_categories() -> tuple[str, ...]:
    """The email categories a member can turn off (service email cannot)."""
    return tuple(spec.key for spec in REGISTRY.on_page(Page.EMAILS) if spec.can_turn_off)


def profile_names(profiles: Sequence[Profile]) -> str:
    """ "Alex", "Alex and Sam", "Alex, Sam and Jo"."""
    names = [profile.name for profile in profiles]
    if len(names) == 1:
        return names[0]
    return gettext("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def unsubscribe_token(*, category: str, profile: Profile | None = None, profiles: Sequence[Profile] = ()) -> str:
    """A signed, timestamped token naming the profiles (`profile`, or every one of `profiles`: those one
    email covered) and the category: it is the link's only authority."""
    covered = [profile] if profile is not None else list(profiles)
    return signing.dumps({"p": [each.pk.hex for each in covered], "c": category}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, category: str, profile: Profile | None = None, profiles: Sequence[Profile] = ()) -> str:
    query = urlencode({TOKEN_PARAMETER: unsubscribe_token(category=category, profile=profile, profiles=profiles)})
    return f"{settings.PRIVACY_SITE_URL.rstrip('/')}{reverse('unsubscribe')}?{query}"


def unsubscribe_read(token: str) -> Unsubscribe:
    """The profiles and category of a link, or BadUnsubscribeLink (tampered, expired, or no longer valid). A
    link names one profile (links sent before R-EM-3) or the profiles of one email; a profile deleted since is
    left out, and a link none of whose profiles is left is no longer valid."""
    max_age = settings.UNSUBSCRIBE_LINK_MAX_AGE_DAYS * 24 * 60 * 60
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise BadUnsubscribeLink
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=max_age)
        named = data["p"] if isinstance(data["p"], list) else [data["p"]]
        profile_ids, category = [UUID(str(each)) for each in named][:MAX_PROFILES], str(data["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise BadUnsubscribeLink from error
    if category not in marketing_categories():
        raise BadUnsubscribeLink
    found = profiles_by_id(profile_ids)
    profiles = tuple(found[each] for each in profile_ids if each in found)
    if not profiles or len({profile.account_id for profile in profiles}) != 1:
        raise BadUnsubscribeLink
    return Unsubscribe(profiles=profiles, category=category)


def marketing_message(
    *, category: str, subject: str, body: str, profile: Profile | None = None, profiles: Sequence[Profile] = ()
) -> EmailMessage:
    """One marketing email to one address, naming the profiles it covers (R-EM-3), with the RFC 8058 one-click
    unsubscribe headers and the same link in the text: the link unsubscribes every profile named."""
    covered = [profile] if profile is not None else list(profiles)
    link = unsubscribe_url(category=category, profiles=covered)
    label = REGISTRY[category].label
    them = "" if len(covered) == 1 else " all of them"
    text = (
        f"{body}\n\n--\nYou get this as {label} email for {profile_names(covered)}. "
        f"Unsubscribe{them} in one click: {link}\n"
    )
    return EmailMessage(
        subject=subject,
        body=text,
        to=[covered[0].account.email],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def campaign_messages(
    profiles: Iterable[tuple[Profile, policy.ProfileFacts]], *, category: str, subject: str, body: str
) -> list[EmailMessage]:
    """R-EM-1, R-EM-3: the messages of one campaign for these profiles: one per address, naming every profile
    there that still allows the category (asked now), none for a kids profile or an inactive account."""
    allowed = [
        (profile.account.email, profile)
        for profile, facts in sorted(profiles, key=lambda each: (each[0].account_id, each[0].slot))
        if profile.account.is_active and policy.marketing_email_allowed(facts, category)
    ]
    return [
        marketing_message(category=category, subject=subject, body=body, profiles=covered)
        for _address, covered in policy.marketing_email_groups(allowed)
    ]


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
