"""The mobile app (R-AD-1, R-PUSH-1): devices, what they report, and the member's app tokens."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from consent.choices import Choice, Source
from consent.models import AppToken, Device, Platform, app_token_digest
from consent.services.choices import Actor, choices_set, lock_account


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
) -> Device:
    """Register a new device for the account (device None) or update one of its devices with what the app
    reports. The limit-ad-tracking flag and notification permission are the device's registry choices,
    written by the one writer with source `app`. The advertising id is not kept while tracking is limited."""
    locked_account = lock_account(account.pk)
    kept_id = "" if limit_ad_tracking else advertising_id
    if device is None:
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
    return device


@transaction.atomic
def app_token_issue(*, account: Account) -> str:
    """A new app token for the member; the secret is returned once and only its digest is stored."""
    secret = AppToken.new_secret()
    AppToken.objects.create(
        account=account, digest=app_token_digest(secret), password_fingerprint=account.get_session_auth_hash()
    )
    return secret


@transaction.atomic
def app_token_revoke(*, account: Account, secret: str) -> bool:
    deleted, _ = AppToken.objects.filter(account=account, digest=app_token_digest(secret)).delete()
    return bool(deleted)
