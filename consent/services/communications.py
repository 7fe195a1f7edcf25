"""Email and text messages (R-EM-2, R-SMS-2, R-SMS-3): the changes nobody signed in makes, and the account's
identifiers on the trail: the phone's deletion and a change of the sign-in email, never the number or address."""

from collections.abc import Sequence

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from accounts.languages import speaking_to
from accounts.models import Account, Profile
from consent import policy
from consent.choices import REGISTRY, Choice, Scope, Source
from consent.services.choices import Actor, WrongScope, choices_set, event
from consent.services.feed import feed_record


@transaction.atomic
def profiles_unsubscribe(*, profiles: Sequence[Profile], category: str) -> int:
    """R-EM-2, R-EM-3: a one-click link turns the category off for every profile its email covered, all or
    nothing. Returns how many choices changed."""
    return sum(profile_unsubscribe(profile=profile, category=category) for profile in profiles)


def profile_unsubscribe(*, profile: Profile, category: str) -> int:
    """R-EM-2: a one-click unsubscribe link turns that email category off for that profile. Nobody is signed
    in: the signed link is the authority, and the event says so (source unsubscribe_link, no acting user)."""
    if REGISTRY[category].scope != Scope.PROFILE:
        raise WrongScope(category)
    actor = Actor(source=Source.UNSUBSCRIBE_LINK, acting_user=None)
    return choices_set(account=profile.account, profile=profile, values={category: False}, actor=actor)


@transaction.atomic
def texts_stop(*, number: str) -> int:
    """R-SMS-3: an inbound STOP from a number turns every text category off on every account with that number
    (a number may be on several accounts). Returns how many choices changed (0 writes nothing)."""
    actor = Actor(source=Source.SMS_STOP, acting_user=None)
    changed = 0
    for account in Account.objects.filter(phone__number=number).order_by("pk"):
        changed += choices_set(account=account, values=policy.texts_stop_values(), actor=actor)
    return changed


def text_reply(*, number: str, words: StrOrPromise) -> str:
    """R-SMS-3, R-I18N-1: the reply to a text from `number`, in the language of the member with that number (of
    the account signed in to most recently, when several share it), whatever the provider's request says; the
    site's default language when no account has the number."""
    holders = Account.objects.filter(phone__number=number)
    account = holders.order_by(F("last_login").desc(nulls_last=True), "pk").first()
    with speaking_to(account):
        return str(words)


def _identifier_actor(*, account: Account, acting_user: Account | None) -> Actor:
    """Staff acting on someone else's account are `admin`; a member (or staff on their own account) `member`."""
    if acting_user is None:
        source = Source.SYSTEM
    else:
        source = Source.ADMIN if acting_user.is_staff and acting_user.pk != account.pk else Source.MEMBER
    return Actor(source=source, acting_user=acting_user)


@transaction.atomic
def account_phone_deleted(*, account: Account, acting_user: Account | None) -> None:
    """R-SMS-2: record that the number was deleted, never the number: one event, phone_on_file on to off.

    Called (through accounts.signals.phone_deleted) inside the deletion's transaction. No current-value row is
    written: whether a number is on file is the accounts app's PhoneNumber row, which is gone."""
    change = policy.Change(Choice.PHONE_ON_FILE, old=True, new=False)
    actor = _identifier_actor(account=account, acting_user=acting_user)
    event(account=account, profile=None, change=change, actor=actor, at=timezone.now()).save()
    feed_record(account=account)  # the text categories answer false without a number


@transaction.atomic
def account_phone_added(*, account: Account) -> None:
    """R-API-3: a number now on file may turn the text categories' answers on: the feed says so for every
    profile. Called (through accounts.signals.phone_added) inside the change's transaction. Not on the trail:
    the member's text choices are unchanged, and a number is never an event."""
    feed_record(account=account)


@transaction.atomic
def account_phone_changed(*, account: Account, acting_user: Account | None) -> None:
    """R-AU-1, R-AU-4: record that staff added or replaced the phone number, never a number: one event,
    phone_changed off to on, by the staff member (source `admin`), with no context.

    Called (through accounts.signals.phone_changed) inside the change's transaction. No current-value row is
    written: each change is an event of its own, and the number is the accounts app's."""
    change = policy.Change(Choice.PHONE_CHANGED, old=False, new=True)
    actor = _identifier_actor(account=account, acting_user=acting_user)
    event(account=account, profile=None, change=change, actor=actor, at=timezone.now()).save()


@transaction.atomic
def account_email_changed(*, account: Account, acting_user: Account | None) -> None:
    """R-AU-1, R-AU-4: record that the sign-in email address changed, never an address: one event, email_changed
    off to on, by the staff member (source `admin`), in the account's jurisdiction, with no context.

    Called (through accounts.signals.email_changed) inside the change's transaction. No current-value row is
    written: each change is an event of its own, and the address is the account's."""
    change = policy.Change(Choice.EMAIL_CHANGED, old=False, new=True)
    actor = _identifier_actor(account=account, acting_user=acting_user)
    event(account=account, profile=None, change=change, actor=actor, at=timezone.now()).save()
