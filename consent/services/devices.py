"""The mobile app (R-AD-1, R-PUSH-1): devices, what they report, and the member's app tokens.

Limits (settings, documented in .env.example): an app token stops working after PRIVACY_APP_TOKEN_IDLE_DAYS
without use, an account keeps at most PRIVACY_APP_TOKENS_PER_ACCOUNT tokens (issuing one more retires the least
recently used) and registers at most PRIVACY_DEVICES_PER_ACCOUNT devices (one more is refused: DeviceLimitReached).
Tokens are credentials, not choices: issuing, retiring and revoking them writes no consent event. Signing a device
out (R-DEV-1, device_sign_out) is the member's act on the device and is audited: one `device_signed_out` event.
"""

from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.models import Account
from consent import policy
from consent.choices import Choice, Source
from consent.models import AppToken, Device, Platform, app_token_digest
from consent.services.choices import Actor, choices_set, event, lock_account


class DeviceLimitReached(Exception):
    """The account has registered as many devices as it may (PRIVACY_DEVICES_PER_ACCOUNT); nothing was written."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} devices per account")
        self.limit = limit


@transaction.atomic
def device_register(
    *,
    account: Account,
    device: Device | None = None,
    platform: Platform,
    advertising_id: str,
    limit_ad_tracking: bool,
    notifications: bool,
    acting_user: Account | None,
    app_token: AppToken | None = None,
) -> Device:
    """Register a new device for the account (device None) or update one of its devices with what the app
    reports. The limit-ad-tracking flag and notification permission are the device's registry choices,
    written by the one writer with source `app`. The advertising id is not kept while tracking is limited.

    A new device beyond PRIVACY_DEVICES_PER_ACCOUNT raises DeviceLimitReached and writes nothing; updating a
    device the account has is always possible. With `app_token` (the account's token the app sent), the token is
    bound to the device, so that signing the device out ends it (R-DEV-1)."""
    locked_account = lock_account(account.pk)
    kept_id = "" if limit_ad_tracking else advertising_id
    if device is None:
        limit = settings.PRIVACY_DEVICES_PER_ACCOUNT
        if not policy.device_may_be_added(devices=Device.objects.filter(account=locked_account).count(), limit=limit):
            raise DeviceLimitReached(limit)
        device = Device.objects.create(account=locked_account, platform=platform, advertising_id=kept_id)
    else:
        device = Device.objects.select_for_update().get(pk=device.pk, account=locked_account)
        device.platform, device.advertising_id, device.updated_at = platform, kept_id, timezone.now()
        device.save(update_fields=["platform", "advertising_id", "updated_at"])
    choices_set(
        account=locked_account,
        device=device,
        values={Choice.DEVICE_LIMIT_AD_TRACKING: limit_ad_tracking, Choice.DEVICE_NOTIFICATIONS: notifications},
        actor=Actor(source=Source.APP, acting_user=acting_user),
    )
    if app_token is not None:
        AppToken.objects.filter(pk=app_token.pk, account=locked_account).update(device=device)
    return device


@transaction.atomic
def device_sign_out(*, account: Account, device: Device, actor: Actor) -> bool:
    """R-DEV-1: sign one of the account's devices out of the app. Its app tokens stop working at once (deleted),
    the device is no longer registered (its reported settings and queued pushes go with it, and it frees a place
    under PRIVACY_DEVICES_PER_ACCOUNT), and one event records it: `device_signed_out` off to on, naming the
    device by its reference, platform and the day it was added (never an identifier the app reported).

    Another account's device, or one already signed out, changes nothing and returns False."""
    locked_account = lock_account(account.pk)
    locked = Device.objects.select_for_update().filter(pk=device.pk, account=locked_account).first()
    if locked is None:
        return False
    context = {
        **actor.context,
        "device": locked.event_ref,
        "platform": locked.platform,
        "device_added": timezone.localdate(locked.created_at).isoformat(),
    }
    change = policy.Change(Choice.DEVICE_SIGNED_OUT, old=False, new=True)
    event(
        account=locked_account, profile=None, change=change, actor=replace(actor, context=context), at=timezone.now()
    ).save()
    AppToken.objects.filter(device=locked).delete()
    locked.delete()
    return True


def _idle_lifetime() -> timedelta:
    return timedelta(days=settings.PRIVACY_APP_TOKEN_IDLE_DAYS)


@transaction.atomic
def app_token_issue(*, account: Account) -> str:
    """A new app token for the member; the secret is returned once and only its digest is stored. The account's
    expired tokens go, and so do its least recently used ones beyond PRIVACY_APP_TOKENS_PER_ACCOUNT. The
    account row is locked, so tokens issued at once cannot exceed the limit together."""
    locked_account = lock_account(account.pk)
    now = timezone.now()
    held = AppToken.objects.filter(account=locked_account).order_by("created_at", "pk")
    retired = policy.app_tokens_to_retire(
        list(held.values_list("pk", "last_used_at")),
        now=now,
        idle_lifetime=_idle_lifetime(),
        limit=settings.PRIVACY_APP_TOKENS_PER_ACCOUNT,
    )
    if retired:
        AppToken.objects.filter(pk__in=retired).delete()
    secret = AppToken.new_secret()
    AppToken.objects.create(
        account=locked_account,
        digest=app_token_digest(secret),
        password_fingerprint=locked_account.get_session_auth_hash(),
        created_at=now,
        last_used_at=now,
    )
    return secret


@transaction.atomic
def app_token_use(*, secret: str) -> AppToken | None:
    """The app token with this secret (its account attached) while it works: the account is active, the password
    has not changed since it was issued, and it has been used within PRIVACY_APP_TOKEN_IDLE_DAYS. A token that
    can never work again is deleted. The use is recorded (the idle lifetime starts again) at most once a day,
    so a check is one read on almost every request. The lookup is by digest: timing reveals nothing."""
    found = (
        AppToken.objects.select_related("account")
        .filter(digest=app_token_digest(secret), account__is_active=True)
        .first()
    )
    if found is None:
        return None
    now = timezone.now()
    if not constant_time_compare(
        found.password_fingerprint, found.account.get_session_auth_hash()
    ) or policy.app_token_expired(last_used_at=found.last_used_at, now=now, idle_lifetime=_idle_lifetime()):
        AppToken.objects.filter(pk=found.pk).delete()
        return None
    if policy.app_token_use_to_record(last_used_at=found.last_used_at, now=now):
        AppToken.objects.filter(pk=found.pk).update(last_used_at=now)
        found.last_used_at = now
    return found


@transaction.atomic
def app_token_revoke(*, account: Account, token_id: int) -> bool:
    """Revoke one of the account's app tokens (another account's is left alone); whether one was revoked."""
    deleted, _ = AppToken.objects.filter(account=account, pk=token_id).delete()
    return bool(deleted)


@transaction.atomic
def app_token_revoke_all(*, account: Account) -> int:
    """Revoke every app token of the account (signed out of the app everywhere); how many were revoked."""
    deleted, _ = AppToken.objects.filter(account=account).delete()
    return deleted
