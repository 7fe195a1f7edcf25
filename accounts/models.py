"""Accounts (the member's login), their profiles and the account's phone number."""

import uuid
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from accounts.fields import ProfileNameField
from accounts.normalize import PROFILE_NAME_MAX_LENGTH, normalize_email

MAX_PROFILES = 5

region_validator = RegexValidator(
    regex=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$",
    message="Use an ISO 3166 code: a country such as FR, or a subdivision such as US-CA.",
)


class Plan(models.TextChoices):
    # The labels are the plan's name on the member's account page, in the member's language.
    BASIC = "basic", _("Basic")
    STANDARD = "standard", _("Standard")
    PREMIUM = "premium", _("Premium")
    STANDARD_WITH_ADS = "standard_with_ads", _("Standard with ads")

    @classmethod
    def has_ads(cls, plan: str) -> bool:
        """Only the ad-supported plan shows ads (R-PDS-1); an unknown value has none."""
        return plan == cls.STANDARD_WITH_ADS


class AccountManager(BaseUserManager["Account"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> "Account":
        # Emails are stored normalised; comparing on lower(email) uses the unique index of the constraint below
        # and can never match two accounts.
        return self.alias(email_lower=Lower("email")).get(email_lower=normalize_email(username))

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        return normalize_email(email)

    def create_user(self, email: str, password: str | None = None, **fields) -> "Account":
        account = self.model(email=self.normalize_email(email), **fields)
        account.set_password(password)
        account.save(using=self._db)
        return account

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "Account":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class Account(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)  # named in Django's password-similarity error
    plan = models.CharField(max_length=32, choices=Plan.choices, default=Plan.STANDARD)
    region = models.CharField(
        "billing region",
        max_length=6,
        blank=True,
        validators=[region_validator],
        help_text="ISO 3166-2 for the US and Canada (US-CA), else the country (FR).",
    )
    # The language of the member's emails and texts (accounts.languages): the one they last signed in with or
    # picked; blank until then.
    language = models.CharField(max_length=7, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = AccountManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        # Whoever controls the sign-in address can take the account with a password reset: changing it is granted
        # apart from change_account (accounts.services.account_change_email audits and announces it).
        # So is the phone number: whoever holds it can reset the password by text
        # (accounts.services.phone_set audits and announces a change by staff).
        permissions = [
            ("change_account_email", "Can change the email address an account signs in with"),
            ("change_account_phone", "Can change the phone number on an account"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(plan__in=Plan.values), name="account_plan_known"),
            # One account per address whatever its case: a second "EU@EXAMPLE.COM" beside "eu@example.com"
            # would make every sign-in for either of them ambiguous.
            models.UniqueConstraint(
                Lower("email"),
                name="account_email_lower_unique",
                violation_error_message="An account with this email address already exists.",
            ),
        ]

    def __str__(self) -> str:
        # Never the email: the admin copies str() into its history (django_admin_log.object_repr), its page
        # titles and every select that names an account. The admin's columns show the address explicitly, to
        # staff who may see it.
        return f"Account #{self.pk}" if self.pk is not None else "New account"

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    @property
    def plan_has_ads(self) -> bool:
        return Plan.has_ads(self.plan)


class Profile(models.Model):
    # Opaque id in URLs: no sequential integers to guess (R-PDS-6).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="profiles")
    # Slot 1..5 with (account, slot) unique: the database itself caps an account at five profiles.
    slot = models.PositiveSmallIntegerField(editable=False)
    # Normalised (NFC, trimmed) and free of control and invisible characters, in every form and service.
    name = ProfileNameField(max_length=PROFILE_NAME_MAX_LENGTH)
    is_kids = models.BooleanField("kids profile", default=False)
    is_primary = models.BooleanField("primary profile", default=False, editable=False)
    # Choices (MIC, BA, ...) are not columns here: they are consent.models.ChoiceValue rows.
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["account_id", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["account", "slot"], name="profile_slot_unique_per_account"),
            models.CheckConstraint(condition=Q(slot__gte=1, slot__lte=MAX_PROFILES), name="profile_slot_1_to_5"),
            # The primary profile is the first one and never a kids profile. With slots unique per account this
            # also means one primary per account (a partial unique index on it would never be the one to fire).
            models.CheckConstraint(
                condition=Q(is_primary=True, slot=1) | Q(is_primary=False, slot__gt=1),
                name="primary_profile_is_slot_1",
            ),
            models.CheckConstraint(condition=~Q(is_primary=True, is_kids=True), name="primary_profile_not_kids"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("consent:privacy", kwargs={"profile": self.pk})


class PhoneNumber(models.Model):
    # One-to-one: at most one phone number per account, stored in E.164.
    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="phone")
    number = PhoneNumberField(region=None)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "phone number"

    def __str__(self) -> str:
        # Never the number: the admin copies str() into its history (django_admin_log), which outlives a
        # deleted number (R-SMS-2).
        return "Phone number"


class PasswordResetCode(models.Model):
    """A pending password reset by text: the 6-digit code, stored only as a keyed hash, with its tries."""

    # Opaque id kept in the asker's session: the code is checked against this row only.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="password_reset_code")
    code_hash = models.CharField(max_length=64)
    tries = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "password reset code"

    def __str__(self) -> str:
        return "Password reset code"
