"""The change feed's entries (R-API-3): written here, in the transaction of the change that may alter a profile's
answer, by the service paths that make such changes (the one writer, a change of plan or kids flag, a phone added
or deleted), and purged here with the consent trail (R-AU-3)."""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, Profile
from consent.models import EligibilityChange, EligibilityFeedHorizon


def feed_record(*, account: Account, profile_ids: Iterable[UUID] | None = None) -> int:
    """One feed entry per profile whose answer may have changed: `profile_ids`, or every profile of the account
    (None: an account-wide change). Call it inside the change's transaction; returns the number of entries."""
    ids = list(dict.fromkeys(profile_ids)) if profile_ids is not None else None
    if ids is None:
        ids = list(Profile.objects.filter(account=account).order_by("slot").values_list("pk", flat=True))
    if not ids:
        return 0
    EligibilityChange.objects.bulk_create(EligibilityChange(account=account, profile_id=pk) for pk in ids)
    return len(ids)


def feed_record_profile_deleted(*, profile: Profile) -> None:
    """A profile is being deleted (on its own, or with its account): one entry, whose answer the feed then gives
    as null. Called (through Django's pre_delete) inside the deletion's transaction."""
    EligibilityChange.objects.create(account_id=profile.account_id, profile_id=profile.pk)


def feed_purge_before(cutoff: datetime, *, batch_size: int) -> int:
    """R-AU-3: delete feed entries created before `cutoff`, at most `batch_size` per short transaction, and move
    the horizon (the newest position deleted) forward with each batch, so a cursor before it answers 410."""
    total = 0
    old = EligibilityChange.objects.filter(created_at__lt=cutoff)
    while True:
        with transaction.atomic():
            batch = list(old.order_by("txid", "id").values_list("txid", "id")[:batch_size])
            if not batch:
                return total
            newest = max(batch)
            deleted, _ = EligibilityChange.objects.filter(id__in=[pk for _txid, pk in batch]).delete()
            horizon = EligibilityFeedHorizon.objects.select_for_update().order_by("pk").first()
            if horizon is None:
                EligibilityFeedHorizon.objects.create(txid=newest[0], change_id=newest[1])
            elif newest > (horizon.txid, horizon.change_id):
                horizon.txid, horizon.change_id = newest
                horizon.purged_at = timezone.now()
                horizon.save(update_fields=["txid", "change_id", "purged_at"])
        total += deleted
