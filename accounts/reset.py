"""Password reset by email link and by a 6-digit code sent by text message.

The asker is never told whether the address or number belongs to an account, neither in words nor in time:
every request does the same work (the throttles, one lookup, one task enqueued) and gets the same answer; the
task, run by the worker, sends the link or the code when there is an account, and nothing otherwise. A reset
text goes to the number on file whatever the account's text categories say (R-SMS-1); without a number
nothing is sent (R-SMS-2).

Limits (common.throttle, shared by every process): per requester (the client: an IPv4 address or an IPv6 /64,
common.http.client_key) over all accounts; per address or number from one requester; and per address or number
from everyone, which bounds what a flood can
cost. That last one is waived for a requester who is the member: signed in as that account, or on a browser that
has signed in to it before (accounts.browsers), so strangers asking for codes cannot use up the member's own.
"""

import contextlib
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import ngettext
from django_tasks import task

from accounts import languages
from accounts.models import Account, PasswordResetCode
from common import throttle
from common.sms import send_text

HOUR = 3600


class Throttled(Exception):
    """Too many resets were asked for by this requester, or for this address or number, in the last hour."""


class InvalidCode(Exception):
    """Wrong, expired, used up, never sent, or tried too often: the asker is told only that it did not work."""


@dataclass(frozen=True)
class Requester:
    """Who asks for a reset: the client's address, and whether they are the member (see the module's doc)."""

    address: str
    is_member: bool = False


def _hash(reset_id: uuid.UUID, code: str) -> str:
    return salted_hmac("accounts.reset.code", f"{reset_id}:{code}", algorithm="sha256").hexdigest()


def _take_all(requester: Requester, **identifiers: str) -> None:
    """Count one request of `requester` for these identifiers (an email address, a number) against every limit,
    or raise Throttled."""
    per_hour = settings.PASSWORD_RESET_TEXTS_PER_HOUR
    limits = [("reset-requester", requester.address, settings.PASSWORD_RESET_PER_REQUESTER_PER_HOUR)]
    for kind, identifier in identifiers.items():
        limits.append((f"reset-{kind}-requester", f"{identifier}\x00{requester.address}", per_hour))
        if not requester.is_member:
            limits.append((f"reset-{kind}", identifier, settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR))
    for name, subject, limit in limits:
        if not throttle.take(name, subject, limit=limit, window_seconds=HOUR):
            raise Throttled


def _active_account_id(*, email: str, **also: object) -> int | None:
    found = Account.objects.alias(email_lower=Lower("email")).filter(email_lower=email, is_active=True, **also)
    return found.values_list("pk", flat=True).first()


def reset_link_request(*, email: str, requester: Requester, domain: str, use_https: bool) -> None:
    """Reset by email: queue the link for the account with this (normalised) address, if there is one. Raises
    Throttled; the asker is told the same thing either way."""
    _take_all(requester, email_link=email)
    account_id = _active_account_id(email=email)
    send_reset_link.enqueue(
        account_id=account_id, domain=domain, use_https=use_https, language=translation.get_language()
    )


def reset_text_request(*, email: str, number: str, requester: Requester) -> uuid.UUID:
    """Reset by text: queue a code for `number` if it is the phone on file of the active account with `email`.
    Returns the id to enter the code against, the same kind of value whether or not anything will be sent.
    Raises Throttled."""
    _take_all(requester, number=number, email=email)
    reset_id = uuid.uuid4()
    account_id = _active_account_id(email=email, phone__number=number)
    send_reset_code.enqueue(account_id=account_id, reset_id=str(reset_id), language=translation.get_language())
    return reset_id


@task()
def send_reset_link(*, account_id: int | None, domain: str, use_https: bool, language: str | None = None) -> bool:
    """The worker's half of reset by email: Django's own reset form sends the link to the account's address, in
    the member's language (R-I18N-1; `language`, the page's when it was asked for, only for an account that has
    none yet). Returns whether an account was there to send to."""
    if account_id is None:
        return False
    account = Account.objects.filter(pk=account_id, is_active=True).first()
    if account is None:
        return False
    form = PasswordResetForm(data={"email": account.email})
    if not form.is_valid():  # an address stored before the current validation rules
        return False
    with _writing_to(account, language):
        form.save(domain_override=domain, use_https=use_https)
    return True


@task()
def send_reset_code(*, account_id: int | None, reset_id: str, language: str | None = None) -> bool:
    """The worker's half of reset by text: a new code for the account, stored only as a keyed hash under
    `reset_id` (replacing any pending one), texted to the number on file now, in the member's language (as for
    the link). Returns whether it was sent."""
    if account_id is None:
        return False
    account = Account.objects.select_related("phone").filter(pk=account_id, is_active=True).first()
    if account is None or not hasattr(account, "phone"):
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        # Senders for one account take turns on its row: two at once would each delete the pending code, then
        # both insert, and one would fail on the one-code-per-account constraint and text nothing.
        Account.objects.select_for_update().filter(pk=account.pk).first()
        PasswordResetCode.objects.filter(account=account).delete()
        key = uuid.UUID(reset_id)
        PasswordResetCode.objects.create(id=key, account=account, code_hash=_hash(key, code))
    minutes = settings.PASSWORD_RESET_CODE_MINUTES
    with _writing_to(account, language):
        body = ngettext(
            "Your Privacy Center password reset code is %(code)s. It is valid for %(minutes)d minute.",
            "Your Privacy Center password reset code is %(code)s. It is valid for %(minutes)d minutes.",
            minutes,
        ) % {"code": code, "minutes": minutes}
    return send_text(to=str(account.phone.number), body=body) > 0


@contextlib.contextmanager
def _writing_to(account: Account, language: str | None) -> Iterator[str]:
    """The member's language (accounts.languages); for an account without one, the language the reset was asked
    for in, else the site's."""
    with (
        translation.override(languages.supported(language) or settings.LANGUAGE_CODE),
        languages.speaking_to(account) as chosen,
    ):
        yield chosen


def reset_text_check(*, reset_id: str, code: str, requester: Requester) -> PasswordResetCode:
    """The pending reset, if `code` is right for it, still valid and not out of tries. Every check uses a try of
    the code (counted atomically, so parallel guesses cannot share one), of the account in the hour, and of the
    requester. Raises InvalidCode."""
    if not throttle.take(
        "reset-code-requester",
        requester.address,
        limit=settings.PASSWORD_RESET_CODE_TRIES_PER_HOUR,
        window_seconds=HOUR,
    ):
        raise InvalidCode
    try:
        wanted = uuid.UUID(str(reset_id))
    except ValueError:
        raise InvalidCode from None
    reset = PasswordResetCode.objects.select_related("account").filter(pk=wanted).first()
    if reset is None:
        raise InvalidCode
    if not throttle.take(
        "reset-code-account",
        str(reset.account_id),
        limit=settings.PASSWORD_RESET_CODE_TRIES_PER_HOUR,
        window_seconds=HOUR,
    ):
        raise InvalidCode
    # Count the try first, in one conditional UPDATE, before comparing: a count read and then incremented let
    # parallel requests that read the same count each get a guess beyond the limit.
    cutoff = timezone.now() - timedelta(minutes=settings.PASSWORD_RESET_CODE_MINUTES)
    counted = PasswordResetCode.objects.filter(
        pk=reset.pk, tries__lt=settings.PASSWORD_RESET_CODE_TRIES, created_at__gte=cutoff
    ).update(tries=F("tries") + 1)
    if not counted:  # expired, out of tries, or already used
        PasswordResetCode.objects.filter(pk=reset.pk).delete()
        raise InvalidCode
    if not constant_time_compare(reset.code_hash, _hash(reset.id, code)):
        raise InvalidCode
    return reset


def reset_text_complete(*, reset_id: str, code: str, password: str, requester: Requester) -> Account:
    """Check the code (a wrong one uses a try, committed whatever happens next), then set the new password
    (validated like any) and use the code up."""
    reset = reset_text_check(reset_id=reset_id, code=code, requester=requester)
    validate_password(password, reset.account)
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=reset.account_id)
        deleted, _ = PasswordResetCode.objects.filter(pk=reset.pk, code_hash=reset.code_hash).delete()
        if not deleted:  # used up by a concurrent request
            raise InvalidCode
        account.set_password(password)
        account.save(update_fields=["password"])
    return account
