"""The consent audit trail: one append-only event per change of a choice (R-AU-1, R-AU-2)."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from consent.choices import Choice, Source


class AppendOnlyError(Exception):
    """Consent events are never changed; only the retention purge removes them (R-AU-2, R-AU-3)."""


class ConsentEventQuerySet(models.QuerySet["ConsentEvent"]):
    def update(self, **kwargs):  # type: ignore[override]
        raise AppendOnlyError("consent events are append-only")

    def delete(self):  # type: ignore[override]
        raise AppendOnlyError("consent events are append-only; use purge_before() for retention")

    def purge_before(self, cutoff: datetime) -> int:
        """R-AU-3: the one sanctioned deletion, of events older than the retention cut-off."""
        deleted, _ = models.QuerySet.delete(self.filter(created_at__lt=cutoff))
        return deleted


class ConsentEvent(models.Model):
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_events")
    # Plain references, not enforced foreign keys: the trail keeps the id of a profile or staff user that is
    # later deleted, and deleting one never needs to rewrite an event.
    profile = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    choice = models.CharField(max_length=32, choices=Choice.choices)
    old_value = models.BooleanField(null=True, help_text="Empty when the choice was first set.")
    new_value = models.BooleanField()
    source = models.CharField(max_length=32, choices=Source.choices)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    jurisdiction = models.CharField(max_length=6, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)

    objects = ConsentEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"], name="consentevent_account_time")]
        constraints = [
            models.CheckConstraint(condition=models.Q(choice__in=Choice.values), name="consentevent_choice_known"),
            models.CheckConstraint(condition=models.Q(source__in=Source.values), name="consentevent_source_known"),
        ]

    def __str__(self) -> str:
        return f"{self.get_choice_display()} {self.old_value} → {self.new_value} ({self.source})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("consent events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("consent events are append-only")
