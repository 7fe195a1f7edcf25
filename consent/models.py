"""Current choices (one row per subject and choice) and the append-only consent trail (R-AU-1, R-AU-2)."""

import hashlib
import ipaddress
import re
import secrets
import uuid
from datetime import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from consent.choices import REGISTRY, SOURCES, Source


class ChoiceValue(models.Model):
    """The current value of one registered choice for one subject; no row means the registry's default.

    Written only by consent.services, which locks the account row first, so the partial unique constraints
    below are the database's guarantee of one current row per (account, profile, choice) and per
    (account, choice) for account-scoped choices, not something two writers race on.
    """

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="choice_values")
    profile = models.ForeignKey(
        "accounts.Profile", on_delete=models.CASCADE, null=True, blank=True, related_name="choice_values"
    )
    # Device-scoped choices (R-AD-1, R-PUSH-1) belong to one of the account's devices; never with a profile.
    device = models.ForeignKey(
        "consent.Device", on_delete=models.CASCADE, null=True, blank=True, related_name="choice_values"
    )
    choice = models.CharField(max_length=40)
    value = models.BooleanField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "profile", "choice"],
                condition=Q(profile__isnull=False),
                name="choicevalue_one_per_profile_choice",
            ),
            models.UniqueConstraint(
                fields=["account", "choice"],
                condition=Q(profile__isnull=True, device__isnull=True),
                name="choicevalue_one_per_account_choice",
            ),
            models.UniqueConstraint(
                fields=["device", "choice"],
                condition=Q(device__isnull=False),
                name="choicevalue_one_per_device_choice",
            ),
            models.CheckConstraint(
                condition=Q(profile__isnull=True) | Q(device__isnull=True), name="choicevalue_profile_or_device"
            ),
        ]

    def __str__(self) -> str:
        return f"{REGISTRY.label(self.choice)}: {'on' if self.value else 'off'}"


class AppendOnlyError(Exception):
    """Consent events are never changed; only the retention purge removes them (R-AU-2, R-AU-3)."""


class InvalidEvent(ValueError):
    """An event names an unknown choice or source, or its context holds personal data or is not small."""


class ConsentEventQuerySet(models.QuerySet["ConsentEvent"]):
    def update(self, **kwargs):
        raise AppendOnlyError("consent events are append-only")

    def delete(self):
        raise AppendOnlyError("consent events are append-only; use purge_before() for retention")

    def purge_before(self, cutoff: datetime, *, batch_size: int | None = None) -> int:
        """R-AU-3: the one sanctioned deletion, of events older than the retention cut-off.

        With `batch_size`, deletes at most that many oldest events per statement, each in its own short
        transaction, until none is left: a large purge never holds a long lock on PostgreSQL.
        """
        old = self.filter(created_at__lt=cutoff)
        if batch_size is None:
            deleted, _ = models.QuerySet.delete(old)
            return deleted
        total = 0
        while True:
            with transaction.atomic():
                ids = list(old.order_by("created_at", "id").values_list("id", flat=True)[:batch_size])
                if not ids:
                    return total
                deleted, _ = models.QuerySet.delete(self.model.objects.filter(id__in=ids))
            total += deleted


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
    # Registry keys and Source values, validated in Python (validate_event): a new choice or source needs no
    # migration of this ever-growing, append-only table.
    choice = models.CharField(max_length=40)
    old_value = models.BooleanField(null=True, help_text="Empty when the choice was first set.")
    new_value = models.BooleanField()
    source = models.CharField(max_length=32)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    jurisdiction = models.CharField(max_length=6, blank=True)
    # Facts a source needs, e.g. {"overrides_signal": true} or {"cookie_choice_version": 2}. Never an email,
    # phone number or IP address (validate_event refuses them).
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)

    objects = ConsentEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"], name="consentevent_account_time")]

    def __str__(self) -> str:
        return f"{self.choice_label} {self.old_value} → {self.new_value} ({self.source})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("consent events are append-only")
        validate_event(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("consent events are append-only")

    @property
    def choice_label(self) -> str:
        return REGISTRY.label(self.choice)

    @property
    def choice_short_label(self) -> str:
        """The label that reads unambiguously away from its page ("Surveys (email)")."""
        return REGISTRY.short_label(self.choice)

    @property
    def source_label(self) -> str:
        return Source(self.source).label if self.source in SOURCES else self.source


CONTEXT_MAX_KEYS = 8
CONTEXT_MAX_TEXT = 64
_EMAIL = re.compile(r"@")
_PHONE_CHARS = re.compile(r"\+?[\d\s().-]+")


def _looks_like_phone(value: str) -> bool:
    """Only phone characters and enough digits for a number (an ISO date, 8 digits, is not one)."""
    digits = sum(ch.isdigit() for ch in value)
    return bool(_PHONE_CHARS.fullmatch(value)) and (digits >= 9 or (value.startswith("+") and digits >= 7))


def _personal_data(value: str) -> bool:
    if _EMAIL.search(value) or _looks_like_phone(value.strip()):
        return True
    try:
        ipaddress.ip_address(value.strip())
    except ValueError:
        return False
    return True


def validate_event(event: ConsentEvent) -> None:
    """R-AU-1: a known choice and source, and a small context of plain facts with no email, phone or IP."""
    if event.choice not in REGISTRY:
        raise InvalidEvent(f"unknown choice {event.choice!r}")
    if event.source not in SOURCES:
        raise InvalidEvent(f"unknown source {event.source!r}")
    context = event.context
    if not isinstance(context, dict) or len(context) > CONTEXT_MAX_KEYS:
        raise InvalidEvent("context must be a small dict")
    for key, value in context.items():
        if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", key):
            raise InvalidEvent(f"context key {key!r} must be a short snake_case name")
        if isinstance(value, bool | int) or value is None:
            continue
        if not isinstance(value, str) or len(value) > CONTEXT_MAX_TEXT or _personal_data(value):
            raise InvalidEvent(f"context value for {key!r} must be a short plain fact, never personal data")


class Jurisdiction(models.Model):
    """Where a rule applies, and from when (R-GPC-2, R-GPC-9, R-CK-2): data staff can edit, not code."""

    code = models.CharField(
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$", "An ISO 3166 code: FR, or US-CA.")],
        help_text="ISO 3166-1 country (FR) or ISO 3166-2 subdivision (US-CA).",
    )
    name = models.CharField(max_length=80)
    honours_signal_from = models.DateField(
        null=True, blank=True, help_text="From this day the opt-out preference signal (GPC) is honoured here."
    )
    cookie_opt_in_from = models.DateField(
        null=True, blank=True, help_text="From this day non-essential cookies start off here until the visitor chooses."
    )
    source = models.CharField(max_length=300, help_text="The statute or regulation, and its date.")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class CookieCategory(models.TextChoices):
    NECESSARY = "necessary", _("Strictly necessary")
    PERFORMANCE = "performance", _("Performance and functionality")
    ADVERTISING = "advertising", _("Advertising")


class Cookie(models.Model):
    """A cookie the site sets (R-CK-1): shown by the cookie choice tool and read by enforcement (R-CK-3)."""

    name = models.CharField(max_length=100, unique=True)
    category = models.CharField(max_length=20, choices=CookieCategory.choices)
    purpose = models.CharField(max_length=300)
    lifetime = models.CharField(max_length=60, help_text="How long it lasts, e.g. “Session” or “1 year”.")
    # Visitors read the registry in their language (R-I18N-1): staff keep each text in Spanish beside the English.
    purpose_es = models.CharField("purpose (Spanish)", max_length=300, help_text="The purpose, in Spanish.")
    lifetime_es = models.CharField(
        "lifetime (Spanish)", max_length=60, help_text="How long it lasts, in Spanish, e.g. “Sesión” or “1 año”."
    )

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(category__in=CookieCategory.values), name="cookie_category_known")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_purpose(self) -> str:
        """The purpose in the active language (English when a row has no Spanish yet)."""
        return self._in_active_language(self.purpose, self.purpose_es)

    @property
    def shown_lifetime(self) -> str:
        """The lifetime in the active language (English when a row has no Spanish yet)."""
        return self._in_active_language(self.lifetime, self.lifetime_es)

    @staticmethod
    def _in_active_language(english: str, spanish: str) -> str:
        language = translation.get_language() or ""
        return spanish if language.split("-")[0] == "es" and spanish else english


class Platform(models.TextChoices):
    IOS = "ios", "iOS"
    ANDROID = "android", "Android"


class Device(models.Model):
    """A member's phone or tablet running the app (R-AD-1, R-PUSH-1). Its limit-ad-tracking flag and notification
    permission are device-scoped ChoiceValue rows (registry choices), not columns here."""

    # Opaque id the app keeps and downstream systems pass to the eligibility API.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    platform = models.CharField(max_length=10, choices=Platform.choices)
    # The advertising identifier (IDFA / Android advertising id) as the app reports it; kept empty while the
    # device limits ad tracking, since nothing may be tailored to it then.
    advertising_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["account_id", "created_at"]
        constraints = [models.CheckConstraint(condition=Q(platform__in=Platform.values), name="device_platform_known")]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} device {self.pk}"

    @property
    def event_ref(self) -> str:
        """How a consent event names the device in its context: the opaque id, prefixed so it never reads as a
        number (and passes validate_event's check for phone numbers)."""
        return f"device-{self.pk.hex}"


def app_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AppToken(models.Model):
    """A signed-in member's token for the mobile app. Only its SHA-256 is stored: a database leak reveals no
    usable token. Issued by consent.services.app_token_issue (after the member's password), checked by
    app_token_use, revocable (app_token_revoke, app_token_revoke_all, and device_sign_out for the device it
    reported); it expires after PRIVACY_APP_TOKEN_IDLE_DAYS without use."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_tokens")
    # The device the app registered or updated with this token (R-DEV-1): signing that device out ends the
    # token at once. Empty until the token reports a device.
    device = models.ForeignKey(
        "consent.Device", on_delete=models.CASCADE, null=True, blank=True, related_name="app_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    # The account's session auth hash (an HMAC of its password hash) when the token was issued: any password
    # change (reset by text or email, the member, staff) ends the token, as it ends the member's sessions.
    password_fingerprint = models.CharField(max_length=128, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # When the token was last used, recorded at most once a day (consent.policy.app_token_use_to_record) so that
    # checking a token does not write on every request. Tokens that existed before this field start from the
    # migration's time.
    last_used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"app token of account {self.account_id}"

    @staticmethod
    def new_secret() -> str:
        return secrets.token_urlsafe(32)


class PushMessage(models.Model):
    """The push queue: a message waiting to be sent to one device. Rows are only ever created through
    consent.push.push_enqueue, which refuses a device whose notifications are off (R-PUSH-1)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="push_messages")
    title = models.CharField(max_length=100)
    body = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title


class _VendorFunc(models.Func):
    """A PostgreSQL expression, and the value standing for it on other databases."""

    elsewhere = "NULL"
    output_field = models.BigIntegerField()

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        if connection.vendor != "postgresql":
            return self.elsewhere, []
        return super().as_sql(compiler, connection, **extra_context)


class TransactionId(_VendorFunc):
    """The writing transaction's id as a bigint: `pg_current_xact_id()` (xid8, 64-bit, never wraps) on PostgreSQL,
    0 elsewhere (SQLite serialises writers, so id order is commit order there). Used as a column's database
    default, so an insert stamps its row without a query of its own."""

    template = "(pg_current_xact_id()::text::bigint)"
    elsewhere = "0"


class CompleteBelow(_VendorFunc):
    """The transaction id below which every transaction has ended, as this statement's snapshot sees it: the
    snapshot's xmin, the oldest transaction still running (on a standby, as far as it has replayed). No row
    stamped with a lower TransactionId can appear later. Should the reading transaction itself have written, its
    own rows count too (a transaction reads its own writes; the API's reads never write). Elsewhere, above every
    id: SQLite's writers commit one at a time, in id order."""

    template = (
        "(GREATEST(pg_snapshot_xmin(pg_current_snapshot())::text::bigint,"
        " pg_current_xact_id_if_assigned()::text::bigint + 1))"
    )
    elsewhere = str(2**63 - 1)


class EligibilityChange(models.Model):
    """R-API-3: one entry of the change feed, "this profile's answer may have changed", written by consent.services
    in the transaction of the change itself (never by a view). The answer is not stored: the feed reads the
    profile's answer when it serves the entry, so a consumer that applies entries in order ends at the current
    answer, and a later change has an entry of its own further on.

    The feed's order is (txid, id). `txid` is the writing transaction's id (TransactionId), and the feed serves
    only entries of transactions older than every transaction still running (the reading snapshot's xmin), so an
    entry that commits late always comes after every cursor already handed out (consent.selectors.feed_page)."""

    id = models.BigAutoField(primary_key=True)
    txid = models.BigIntegerField(db_default=TransactionId(), editable=False)
    # Plain references, as on ConsentEvent: an entry outlives a deleted profile (its answer is then null).
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    profile = models.ForeignKey("accounts.Profile", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)

    class Meta:
        ordering = ["txid", "id"]
        indexes = [models.Index(fields=["txid", "id"], name="eligibilitychange_feed_order")]

    def __str__(self) -> str:
        return f"eligibility change {self.txid}.{self.pk} of profile {self.profile_id}"


class EligibilityFeedHorizon(models.Model):
    """The newest feed position the retention purge has deleted (one row at most): a cursor before it may have
    missed entries, and is answered 410 Gone."""

    txid = models.BigIntegerField()
    change_id = models.BigIntegerField()
    purged_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"feed purged up to {self.txid}.{self.change_id}"
