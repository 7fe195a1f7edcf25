"""Forms for choices: switches that accept only what a checkbox sends."""

from django import forms
from django.core.exceptions import ValidationError

from consent.choices import Choice

CHECKED = "on"


class SwitchInput(forms.CheckboxInput):
    """A checkbox exposed as a switch; hands the raw value to the field instead of guessing truthiness."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs={"role": "switch", **(attrs or {})})

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def format_value(self, value):
        return None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value is True or value == CHECKED, attrs)
        context["widget"]["attrs"]["value"] = CHECKED
        return context


class SwitchField(forms.Field):
    """Absent means off, "on" means on, anything else is an error (never read as "on" by accident)."""

    widget = SwitchInput

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: object) -> bool:
        if value is None or value is False:
            return False
        if value is True or value == CHECKED:
            return True
        raise ValidationError("Send “on” to turn this on, or leave it out to turn it off.", code="invalid")


class PrivacyChoicesForm(forms.Form):
    mic = SwitchField(
        label=Choice.MIC.label,
        help_text="Lets us reach you with promotions on other sites and apps by sending a privacy-protective "
        "identifier instead of your email address or phone number.",
    )
    ba = SwitchField(
        label=Choice.BA.label,
        help_text="Lets the ads you see on your plan be tailored to your likely interests. With it off you "
        "still see ads, but they are not behavioral advertisements.",
    )

    def __init__(self, *args, choices: tuple[Choice, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in choices:
                del self.fields[name]

    def values(self) -> dict[Choice, bool]:
        return {Choice(name): value for name, value in self.cleaned_data.items()}
