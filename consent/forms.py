"""Forms for choices, built from the registry: one switch per choice a page shows."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from consent.choices import ChoiceSpec

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


@dataclass(frozen=True)
class Switch:
    """What a page needs to render one switch: plain values, so the template writes the input itself instead of
    going through three nested widget templates (the most expensive part of a member page, bench/README.md).
    The markup matches SwitchInput's: type, name, value, role, id, aria-describedby, checked, disabled."""

    name: str
    id: str
    label: str
    help_text: str
    checked: bool
    disabled: bool
    errors: tuple[str, ...]


class ChoicesForm(forms.Form):
    """One switch per registered choice the page shows; the field name is the choice's key."""

    def __init__(self, *args, choices: Iterable[ChoiceSpec], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for spec in choices:
            self.fields[spec.key] = SwitchField(
                label=spec.label, help_text=spec.help_text, disabled=not spec.can_turn_off
            )

    def switches(self) -> list[Switch]:
        result = []
        for name, field in self.fields.items():
            bound = self[name]
            value = bound.value()
            result.append(
                Switch(
                    name=bound.html_name,
                    id=bound.auto_id,
                    label=str(field.label),
                    help_text=str(field.help_text),
                    checked=value is True or value == CHECKED,
                    disabled=field.disabled,
                    errors=tuple(str(error) for error in bound.errors),
                )
            )
        return result

    def values(self) -> dict[str, bool]:
        return {key: value for key, value in self.cleaned_data.items() if not self.fields[key].disabled}


def switches_of(choices: Iterable[ChoiceSpec], values: Mapping[str, bool]) -> list[Switch]:
    """What `ChoicesForm(choices=choices, initial=values).switches()` returns, without building the form: a page
    shown on GET needs nothing else (building the form and its bound fields was ~5% of such a page). The
    form is built when there is something to check: a POST."""
    return [
        Switch(
            name=spec.key,
            id=f"id_{spec.key}",
            label=str(spec.label),
            help_text=str(spec.help_text),
            checked=values.get(spec.key) is True,
            disabled=not spec.can_turn_off,
            errors=(),
        )
        for spec in choices
    ]
