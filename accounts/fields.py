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
        text = super().to_python(value)
        return None if text is None else normalize_profile_name(str(text))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ProfileNameFormField, **kwargs})
