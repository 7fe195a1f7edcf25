"""Forms for choices, built from the registry: one switch per choice a page shows; and the privacy history's filter."""

from collections.abc import Iterable
from enum import StrEnum
from typing import cast
from uuid import UUID

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy

from accounts.models import Profile
from consent.choices import REGISTRY, ChoiceSpec, Page
from consent.selectors import HistoryFilter

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
        raise ValidationError(
            gettext_lazy("Send “on” to turn this on, or leave it out to turn it off."), code="invalid"
        )


class ChoicesForm(forms.Form):
    """One switch per registered choice the page shows; the field name is the choice's key."""

    def __init__(self, *args, choices: Iterable[ChoiceSpec], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for spec in choices:
            self.fields[spec.key] = SwitchField(
                label=spec.label, help_text=spec.help_text, disabled=not spec.can_turn_off
            )

    def values(self) -> dict[str, bool]:
        return {key: value for key, value in self.cleaned_data.items() if not self.fields[key].disabled}


class PostProblem(StrEnum):
    """Why a choices page refuses a POST before reading its values (nothing is changed either way)."""

    NOT_UNDERSTOOD = "not_understood"  # not a form this page sends: 400
    STALE = "stale"  # a form of this page as it was before the plan, profile or phone changed: 409


# Fields every choices form may carry besides its switches.
FORM_FIELDS = frozenset({"csrfmiddlewaretoken", "action", "shown", "confirm_signal"})


def choices_post_problem(
    data: QueryDict, *, shown: Iterable[ChoiceSpec], page: Page, actions: Iterable[str] = ("save",)
) -> PostProblem | None:
    """None when `data` is a POST this page sent; else what is wrong with it. One form sends one action (two are a
    forged or broken request, never read as "the last one") and only switches of its page; the `shown` field
    lists the switches the page showed, so a form drawn before the plan or kids flag changed is stale."""
    sent_actions = data.getlist("action") or ["save"]
    posted = set(data) - FORM_FIELDS
    if len(sent_actions) != 1 or sent_actions[0] not in actions:
        return PostProblem.NOT_UNDERSTOOD
    if not posted <= {spec.key for spec in REGISTRY.on_page(page)}:
        return PostProblem.NOT_UNDERSTOOD
    shown_keys = {spec.key for spec in shown}
    if posted - shown_keys or ("shown" in data and set(str(data.get("shown")).split()) != shown_keys):
        return PostProblem.STALE
    return None


def shown_keys(shown: Iterable[ChoiceSpec]) -> str:
    """The `shown` field's value: the keys of the switches a page draws."""
    return " ".join(spec.key for spec in shown)


# The privacy history's filter (R-HIST-1) -----------------------------------------------------------------------

ACCOUNT_ONLY = "account"
DOWNLOAD_FORMATS = ("csv", "json")


class HistoryForm(forms.Form):
    """The privacy history's GET form: whose changes, and a download format. A profile that is not one of the
    account's is as unknown as one that does not exist; the view answers 404 for both (R-PDS-6)."""

    profile = forms.ChoiceField(label=gettext_lazy("Show changes for"), required=False)
    format = forms.ChoiceField(required=False, choices=[("", ""), *((kind, kind) for kind in DOWNLOAD_FORMATS)])

    def __init__(self, data: QueryDict, *, profiles: Iterable[Profile]) -> None:
        super().__init__(data)
        field = cast(forms.ChoiceField, self.fields["profile"])
        field.choices = [
            ("", gettext_lazy("All profiles and the account")),
            *((str(profile.pk), profile.name) for profile in profiles),
            (ACCOUNT_ONLY, gettext_lazy("The account itself and its devices")),
        ]

    def selection(self) -> HistoryFilter:
        """The part of the history asked for; call after is_valid()."""
        profile = self.cleaned_data["profile"]
        if profile == ACCOUNT_ONLY:
            return HistoryFilter(account_only=True)
        return HistoryFilter(profile_id=UUID(profile)) if profile else HistoryFilter()


class DeviceSignOutForm(forms.Form):
    """R-DEV-1: which of the account's devices to sign out (POST), or to ask about first (GET ?confirm=). The id
    is checked against the account's devices by the view: another account's is as unknown as a malformed one."""

    device = forms.UUIDField()
