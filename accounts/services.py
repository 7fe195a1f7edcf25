"""Writes for accounts, profiles and phone numbers. Choices on a profile change only in consent.services.

Every write that could change what a choice means (a new profile, the kids flag, the plan) sends one of
accounts.signals inside its transaction, so the consent app can record or audit it without this app importing
it (see accounts/signals.py); so does a change of the account's identifiers (the phone's deletion, the email).
"""

import logging
from datetime import UTC, datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts import languages, signals
from accounts.models import MAX_PROFILES, Account, PasswordResetCode, PhoneNumber, Plan, Profile
from accounts.normalize import clean_profile_name, normalize_email

logger = logging.getLogger(__name__)


class ProfileLimitReached(Exception):
    """An account already has the maximum number of profiles."""


class PrimaryProfileCannotBeKids(Exception):
    """The primary profile is the account owner's and is never a kids profile (docs/rules.md)."""


class EmailTaken(Exception):
    """Another account already signs in with this email address (whatever its case)."""


def _lock_account(account: Account) -> Account:
    return Account.objects.select_for_update().get(pk=account.pk)


@transaction.atomic
def account_create(
    *,
    email: str,
    password: str,
    plan: Plan,
    region: str,
    primary_profile_name: str,
    phone: str | None = None,
    acting_user: Account | None = None,
) -> Account:
    """Create an account with its primary profile (and phone), so that it never exists without one."""
    account = Account.objects.create_user(email=email, password=password, plan=plan, region=region)
    _profile_insert(account=account, name=primary_profile_name, is_kids=False, acting_user=acting_user)
    if phone:
        PhoneNumber.objects.create(account=account, number=phone)
    return account


@transaction.atomic
def profile_create(*, account: Account, name: str, is_kids: bool = False, acting_user: Account | None) -> Profile:
    """Add a profile; the consent app gives it its starting choices (R-PDS-7) through `profile_created`."""
    return _profile_insert(account=_lock_account(account), name=name, is_kids=is_kids, acting_user=acting_user)


def _profile_insert(*, account: Account, name: str, is_kids: bool, acting_user: Account | None) -> Profile:
    name = clean_profile_name(name)  # raises ValidationError for control or invisible characters
    taken = set(Profile.objects.filter(account=account).values_list("slot", flat=True))
    free = sorted(set(range(1, MAX_PROFILES + 1)) - taken)
    if not free:
        raise ProfileLimitReached
    slot = free[0]
    is_primary = slot == 1
    profile = Profile.objects.create(
        account=account,
        slot=slot,
        name=name,
        is_kids=is_kids and not is_primary,
        is_primary=is_primary,
    )
    signals.profile_created.send(sender=Profile, profile=profile, account=account, acting_user=acting_user)
    return profile


@transaction.atomic
def profile_set_kids(*, profile: Profile, is_kids: bool, acting_user: Account | None) -> bool:
    """Turn a profile into a kids profile or back; return whether it changed.

    A kids profile never gets behavioral advertising (R-PDS-2): the stored choice is kept, its effect changes,
    and the consent app audits that change of effect.
    """
    account = _lock_account(profile.account)
    locked = Profile.objects.select_for_update().get(pk=profile.pk, account=account)
    if locked.is_kids == is_kids:
        return False
    if is_kids and locked.is_primary:
        raise PrimaryProfileCannotBeKids
    signals.membership_fact_changing.send(
        sender=Profile,
        account=account,
        profile=locked,
        fact="is_kids",
        old=locked.is_kids,
        new=is_kids,
        acting_user=acting_user,
    )
    locked.is_kids = profile.is_kids = is_kids
    locked.save(update_fields=["is_kids"])
    return True


@transaction.atomic
def account_set_plan(*, account: Account, plan: Plan, acting_user: Account | None) -> bool:
    """Change the plan; an opt-out is never lost by it (R-PDS-5), and a change of BA's effect is audited."""
    locked = _lock_account(account)
    if locked.plan == plan:
        return False
    signals.membership_fact_changing.send(
        sender=Account,
        account=locked,
        profile=None,
        fact="plan",
        old=locked.plan,
        new=plan,
        acting_user=acting_user,
    )
    locked.plan = account.plan = plan
    locked.save(update_fields=["plan"])
    return True


@transaction.atomic
def phone_set(*, account: Account, number: str, acting_user: Account | None = None) -> bool:
    """Add or change the account's one phone number (E.164); return whether anything changed. A pending reset
    code stops working when the number changes.

    Set by someone other than the member (`acting_user`: support staff, who need accounts.change_account_phone
    in the admin), the change is recorded on the consent trail without either number (`phone_changed`, R-AU-1,
    R-AU-4) and, once it commits, the member is told at their sign-in address: whoever holds the number can reset
    the password by text, so a change they did not ask for must not go unnoticed."""
    # The account's row, not the phone's: with no number yet there is no phone row to lock, and two saves at once
    # would both insert (the second a unique violation).
    _lock_account(account)
    phone = PhoneNumber.objects.filter(account=account).first()
    if phone is not None and phone.number == number:
        return False
    # A code already sent went to the old number (or to none): whoever holds that phone must not reset with it.
    PasswordResetCode.objects.filter(account=account).delete()
    if phone is None:
        PhoneNumber.objects.create(account=account, number=number)
        signals.phone_added.send(sender=PhoneNumber, account=account)
    else:
        phone.number = number
        phone.save(update_fields=["number", "updated_at"])
    if acting_user is not None and acting_user.pk != account.pk:
        signals.phone_changed.send(sender=PhoneNumber, account=account, acting_user=acting_user)
        transaction.on_commit(
            partial(_notify_phone_changed, account=account, to=account.email, changed_at=timezone.now())
        )
    return True


def _notify_phone_changed(*, account: Account, to: str, changed_at: datetime) -> None:
    """Tell the member that support changed the phone number on the account (never either number)."""
    _send_notice("phone_changed", account=account, to=to, changed_at=changed_at, what="phone-change notice")


@transaction.atomic
def phone_delete(*, account: Account, acting_user: Account | None = None) -> bool:
    """Remove the number entirely: no copy is kept anywhere (R-SMS-2). Return whether there was one; when there
    was, `phone_deleted` lets the consent trail record that it happened (without the number)."""
    deleted, _ = PhoneNumber.objects.filter(account=account).delete()
    PasswordResetCode.objects.filter(account=account).delete()  # a code already sent stops working too
    if deleted:
        signals.phone_deleted.send(sender=PhoneNumber, account=account, acting_user=acting_user)
    return bool(deleted)


@transaction.atomic
def account_change_email(*, account: Account, email: str, acting_user: Account) -> bool:
    """Support staff change the address the member signs in with, and resets the password by; return whether
    it changed. (A member does not change their own address yet.)

    The address is normalised (accounts.normalize) and must be valid and used by no other account, whatever its
    case (ValidationError, EmailTaken). `email_changed` lets the consent app record that it happened, never the
    addresses (R-AU-1, R-AU-4). Once the change commits the old address is told, so a member whose address was
    changed without asking learns of it where they still read their mail. Reset links already sent to the old
    address stop working by themselves: Django's reset tokens depend on the address.
    """
    new = normalize_email(email)
    validate_email(new)
    max_length = Account._meta.get_field("email").max_length
    if max_length is not None and len(new) > max_length:
        raise ValidationError(_("Use at most %(limit)d characters."), code="max_length", params={"limit": max_length})
    locked = _lock_account(account)
    if locked.email == new:
        return False
    if Account.objects.alias(email_lower=Lower("email")).filter(email_lower=new).exclude(pk=locked.pk).exists():
        raise EmailTaken
    old = locked.email
    locked.email = new
    try:
        with transaction.atomic():  # another account may take the address between the check and the save
            locked.save(update_fields=["email"])
    except IntegrityError:
        raise EmailTaken from None
    account.email = new
    signals.email_changed.send(sender=Account, account=locked, acting_user=acting_user)
    transaction.on_commit(partial(_notify_old_address, account=locked, to=old, changed_at=timezone.now()))
    return True


def _notify_old_address(*, account: Account, to: str, changed_at: datetime) -> None:
    """Tell the old address that support changed it and whom to contact (never the new address)."""
    _send_notice("email_changed", account=account, to=to, changed_at=changed_at, what="email-change notice")


def _send_notice(template: str, *, account: Account, to: str, changed_at: datetime, what: str) -> None:
    """A notice that support changed an identifier of the account: when, and whom to contact. The change has
    committed: a mail server that refuses the message does not undo it, and is logged without the address.

    It is written in the member's language (R-I18N-1), never the staff member's: an account that has none yet
    gets the site's default."""
    with translation.override(settings.LANGUAGE_CODE), languages.speaking_to(account):
        context = {
            # Day, month and time in the member's language; the format is the message's own (a translation).
            "changed_at": formats.date_format(
                changed_at.astimezone(UTC), pgettext("date and time of a notice", r"d F Y \a\t H:i \U\T\C")
            ),
            "support_contact": settings.PRIVACY_SUPPORT_CONTACT or settings.PRIVACY_SITE_URL,
        }
        subject = "".join(render_to_string(f"registration/{template}_subject.txt", context).splitlines())
        body = render_to_string(f"registration/{template}_email.txt", context)
    try:
        send_mail(subject, body, None, [to])
    except OSError as error:  # smtplib's errors are OSErrors; their text may hold the address, so only the type
        logger.warning("The %s for account %s was not sent (%s).", what, account.pk, type(error).__name__)
