"""Password reset by text message: a 6-digit code, stored as a keyed hash, valid a few minutes, a few tries.

A code is sent only to a number on file for the account whose email address is given, whatever its text
categories say (R-SMS-1): a member who asks for it wants it. Without a number nothing is sent (R-SMS-2). The
asker is never told whether the address or number belongs to an account: every request gets the same answer
and an id to enter the code against, real or not.
"""

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import Account, PasswordResetCode
from common.sms import send_text


class Throttled(Exception):
    """This number or address asked for too many codes in the last hour."""


class InvalidCode(Exception):
    """Wrong, expired, used up, or never sent: the asker is told only that it did not work."""


def _hash(reset_id: uuid.UUID, code: str) -> str:
    return salted_hmac("accounts.reset.code", f"{reset_id}:{code}", algorithm="sha256").hexdigest()


def _throttle(kind: str, value: str) -> None:
    """Count a request against this number or address (hashed: no raw identifier in the cache)."""
    key = f"reset:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"
    cache.add(key, 0, timeout=3600)
    if cache.incr(key) > settings.PASSWORD_RESET_TEXTS_PER_HOUR:
        raise Throttled


def email_link_allowed(email: str) -> bool:
    """Reset by email: whether another link may go to this address this hour (the same limit as texts), so
    the form cannot be used to flood an inbox. The asker is told the same thing either way."""
    try:
        _throttle("email-link", email)
    except Throttled:
        return False
    return True


def reset_text_request(*, email: str, number: str) -> uuid.UUID:
    """Send a code if `number` is the phone on file of the active account with `email`. Returns the id to enter
    the code against, the same kind of value whether or not anything was sent. Raises Throttled."""
    _throttle("number", number)
    _throttle("email", email)
    account = (
        Account.objects.filter(email__iexact=email, is_active=True, phone__number=number)
        .select_related("phone")
        .first()
    )
    if account is None:
        return uuid.uuid4()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        PasswordResetCode.objects.filter(account=account).delete()
        reset = PasswordResetCode(account=account)
        reset.code_hash = _hash(reset.id, code)
        reset.save()
    minutes = settings.PASSWORD_RESET_CODE_MINUTES
    send_text(
        to=str(account.phone.number),
        body=f"Your Privacy Center password reset code is {code}. It is valid for {minutes} minutes.",
    )
    return reset.id


def reset_text_check(*, reset_id: str, code: str) -> PasswordResetCode:
    """The pending reset, if `code` is right for it, still valid and not out of tries. Every check uses a try
    (counted atomically, so parallel guesses cannot share one). Raises InvalidCode."""
    try:
        wanted = uuid.UUID(str(reset_id))
    except ValueError:
        raise InvalidCode from None
    reset = PasswordResetCode.objects.select_related("account").filter(pk=wanted).first()
    if reset is None:
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


def reset_text_complete(*, reset_id: str, code: str, password: str) -> Account:
    """Check the code (a wrong one uses a try, committed whatever happens next), then set the new password
    (validated like any) and use the code up."""
    reset = reset_text_check(reset_id=reset_id, code=code)
    validate_password(password, reset.account)
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=reset.account_id)
        deleted, _ = PasswordResetCode.objects.filter(pk=reset.pk, code_hash=reset.code_hash).delete()
        if not deleted:  # used up by a concurrent request
            raise InvalidCode
        account.set_password(password)
        account.save(update_fields=["password"])
    return account
