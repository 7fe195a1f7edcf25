"""The consent trail, read-only for everyone: it is evidence (R-AU-2)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop

from accounts.admin_permissions import may_see_emails
from common.admin_inputs import BoundedInputsMixin
from consent.admin.filters import EventChoiceFilter, EventSourceFilter
from consent.models import ConsentEvent


@admin.register(ConsentEvent)
class ConsentEventAdmin(BoundedInputsMixin, admin.ModelAdmin):
    # Fits a 1280 px screen beside the filters: five columns, each with its main fact
    # and a quieter one below it: when and where, whose choice (account, profile), which choice, the change
    # ("on → off") with its context in a few words (the event's own page shows all of it), and the source with
    # the acting user.
    list_display = ["time", "subject_ref", "choice_label", "change", "source_ref"]
    list_filter = [EventSourceFilter, EventChoiceFilter, "created_at", "jurisdiction"]
    list_select_related = ["account", "profile", "acting_user"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]

    # An account reads "Account #42" (Account.__str__), sorted by its id rather than by the address; staff who
    # may see accounts get the email addresses in its place and can search by them.
    def get_list_display(self, request: HttpRequest) -> list[Any]:
        shown = list(super().get_list_display(request))
        if not may_see_emails(request.user):
            return shown
        emails: dict[Any, str] = {"subject_ref": "subject_email", "source_ref": "source_email"}
        return [emails.get(name, name) for name in shown]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return ["account__email"] if may_see_emails(request.user) else []

    @admin.display(description="time · jurisdiction", ordering="created_at")
    def time(self, event: ConsentEvent) -> str:
        # Breaks, where it must, only between the day and the time of day.
        when = formats.date_format(timezone.localtime(event.created_at), "j\u00a0M\u00a0Y H:i")
        return _two_lines(when, event.jurisdiction)

    @admin.display(description="account · profile", ordering="account_id")
    def subject_ref(self, event: ConsentEvent) -> str:
        return _two_lines(str(event.account), _subject(event))

    @admin.display(description="account · profile", ordering="account__email")
    def subject_email(self, event: ConsentEvent) -> str:
        return _two_lines(event.account.email, _subject(event))

    @admin.display(description="choice", ordering="choice")
    def choice_label(self, event: ConsentEvent) -> str:
        return event.choice_short_label

    @admin.display(description="change · context", ordering="new_value")
    def change(self, event: ConsentEvent) -> str:
        return _two_lines(value_change(event.old_value, event.new_value), context_summary(event.context))

    @admin.display(description="source · acting user", ordering="source")
    def source_ref(self, event: ConsentEvent) -> str:
        return _two_lines(event.source_label, str(event.acting_user) if event.acting_user else "")

    @admin.display(description="source · acting user", ordering="source")
    def source_email(self, event: ConsentEvent) -> str:
        return _two_lines(event.source_label, event.acting_user.email if event.acting_user else "")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ConsentEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ConsentEvent | None = None) -> bool:
        return False


def _two_lines(first: str, second: str) -> str:
    """A cell's main fact with a quieter one below it (the admin's own `quiet` style)."""
    if not second:
        return format_html("{}", first)
    return format_html('{}<br><span class="quiet">{}</span>', first, second)


def _subject(event: ConsentEvent) -> str:
    """Whose choice: the profile's name, else the device or the account itself."""
    if event.profile_id is not None:
        return event.profile.name if event.profile else gettext("profile no longer on file")
    return gettext("device") if "device" in event.context else gettext("account")


def _on_off(value: bool) -> str:
    return gettext("on") if value else gettext("off")


def value_change(old: bool | None, new: bool) -> str:
    """ "on → off", or "first set: on" for a starting value."""
    if old is None:
        return gettext("first set: %(new)s") % {"new": _on_off(new)}
    return f"{_on_off(old)} → {_on_off(new)}"


# The context keys the services write, in a few words each; any other key is shown as key: value.
CONTEXT_WORDS = {"overrides_signal": gettext_noop("overrides the signal")}
CAUSE_WORDS = {"is_kids": gettext_noop("kids flag"), "plan": gettext_noop("plan")}
CONTEXT_SUMMARY_MAX = 40


def context_summary(context: dict[str, Any]) -> str:
    """The event's context in a few words for the list ("effect only (kids flag)", "device …c0ffee"); the
    event's own page shows it whole."""
    parts = []
    for key, value in context.items():
        if key == "device" and isinstance(value, str):
            parts.append(gettext("device …%(end)s") % {"end": value[-6:]})
        elif key == "effective_only" and value is True:
            cause = context.get("cause")
            words = gettext(CAUSE_WORDS[cause]) if cause in CAUSE_WORDS else str(cause)
            parts.append(gettext("effect only (%(cause)s)") % {"cause": words})
        elif key == "cause" and context.get("effective_only") is True:
            continue
        elif key in CONTEXT_WORDS and value is True:
            parts.append(gettext(CONTEXT_WORDS[key]))
        else:
            parts.append(f"{key}: {value}")
    summary = ", ".join(parts)
    return summary if len(summary) <= CONTEXT_SUMMARY_MAX else summary[: CONTEXT_SUMMARY_MAX - 1] + "…"
