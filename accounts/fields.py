"""A profile name field that normalises and validates in forms (members' and admin) and in model validation."""

from django import forms
from django.db import models

from accounts.normalize import normalize_profile_name, validate_profile_name


class ProfileNameFormField(forms.CharField):
    default_validators = [validate_profile_name]

    def to_python(self, value: object) -> str:
        # Normalise before the length and character checks run, so they judge what will be stored.
        return normalize_profile_name(super().to_python(value))


class ProfileNameField(models.CharField):
    default_validators = [validate_profile_name]

    def to_python(self, value: object) -> str | None:
        value = super().to_python(value)
        return None if value is None else normalize_profile_name(value)

    def formfield(self, **kwargs):  # type: ignore[override]
        return super().formfield(**{"form_class": ProfileNameFormField, **kwargs})
