"""The member's privacy history in plain words (R-HIST-1): one consent event becomes one row, read the same way by
the page and by both downloads (CSV, JSON).

Pure apart from the active language and time zone: plain values in (an event's fields as
`consent.selectors.history_events` selects them, and the account's profile names and devices), a `Row` out. No
query, no request. The words never name a staff member (a change by staff is "support staff"), never show an
internal id (a device is its platform and the day it was added) and say nothing the member could not see
already (R-HIST-1).
"""

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from uuid import UUID

from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy, pgettext, pgettext_lazy

from consent.choices import REGISTRY, Choice, Source
from consent.models import Platform
from consent.places import place_name

# Changes per page of /account/privacy-history/ (docs/rules.md, R-HIST-1). A download has every page.
PAGE_SIZE = 25

# What the history reads of an event, and all it reads: never the acting user, the account or the event's id.
FIELDS = ("created_at", "profile_id", "choice", "old_value", "new_value", "source", "jurisdiction", "context")

# Who or what made a change, as the downloads' `changed_by` column names it, on its own.
CHANGED_BY = {
    Source.MEMBER: pgettext_lazy("who changed a choice", "you"),
    Source.GPC: pgettext_lazy("who changed a choice", "the Global Privacy Control signal from your browser"),
    Source.ADMIN: pgettext_lazy("who changed a choice", "support staff"),
    Source.OPT_OUT_ALL: pgettext_lazy("who changed a choice", "you, with “Opt out of all”"),
    Source.OPT_ALL_PROFILES: pgettext_lazy("who changed a choice", "you, with “Opt all profiles out of all”"),
    Source.UNSUBSCRIBE_LINK: pgettext_lazy("who changed a choice", "an unsubscribe link in an email"),
    Source.SMS_STOP: pgettext_lazy("who changed a choice", "a STOP text message"),
    Source.SYSTEM: pgettext_lazy("who changed a choice", "the system"),
    Source.APP: pgettext_lazy("who changed a choice", "the mobile app"),
}
# A new profile's starting values while "Opt all profiles out of all" is in force carry that source.
IN_FORCE = pgettext_lazy("who changed a choice", "“Opt all profiles out of all”, which was in force")

# How, where and when, as the member reads it after the change: one whole sentence per source, with and without a
# place, so that a language says "by" its own way for each (Spanish "por ti", not "por tú").
HOW = {
    Source.MEMBER: (
        gettext_lazy("by you, in %(place)s, %(when)s"),
        gettext_lazy("by you, %(when)s"),
    ),
    Source.GPC: (
        gettext_lazy("by the Global Privacy Control signal from your browser, in %(place)s, %(when)s"),
        gettext_lazy("by the Global Privacy Control signal from your browser, %(when)s"),
    ),
    Source.ADMIN: (
        gettext_lazy("by support staff, in %(place)s, %(when)s"),
        gettext_lazy("by support staff, %(when)s"),
    ),
    Source.OPT_OUT_ALL: (
        gettext_lazy("by you, with “Opt out of all”, in %(place)s, %(when)s"),
        gettext_lazy("by you, with “Opt out of all”, %(when)s"),
    ),
    Source.OPT_ALL_PROFILES: (
        gettext_lazy("by you, with “Opt all profiles out of all”, in %(place)s, %(when)s"),
        gettext_lazy("by you, with “Opt all profiles out of all”, %(when)s"),
    ),
    Source.UNSUBSCRIBE_LINK: (
        gettext_lazy("by an unsubscribe link in an email, in %(place)s, %(when)s"),
        gettext_lazy("by an unsubscribe link in an email, %(when)s"),
    ),
    Source.SMS_STOP: (
        gettext_lazy("by a STOP text message, in %(place)s, %(when)s"),
        gettext_lazy("by a STOP text message, %(when)s"),
    ),
    Source.SYSTEM: (
        gettext_lazy("by the system, in %(place)s, %(when)s"),
        gettext_lazy("by the system, %(when)s"),
    ),
    Source.APP: (
        gettext_lazy("by the mobile app, in %(place)s, %(when)s"),
        gettext_lazy("by the mobile app, %(when)s"),
    ),
}
# The signal's own arrival already names the signal ("Global Privacy Control signal received for Sam"): its how
# says only from where it came, where and when, not "by the Global Privacy Control signal" a second time.
HOW_SIGNAL_RECEIVED = (
    gettext_lazy("from your browser, in %(place)s, %(when)s"),
    gettext_lazy("from your browser, %(when)s"),
)
HOW_IN_FORCE = (
    gettext_lazy("by “Opt all profiles out of all”, which was in force, in %(place)s, %(when)s"),
    gettext_lazy("by “Opt all profiles out of all”, which was in force, %(when)s"),
)


@dataclass(frozen=True)
class DeviceRef:
    """What the member knows of one of their devices: its platform and the day the app registered it."""

    platform: str
    added: datetime


@dataclass(frozen=True)
class Subjects:
    """The account's profile names and devices, looked up once for a page or a download."""

    profiles: Mapping[UUID, str]
    devices: Mapping[str, DeviceRef]  # by Device.event_ref, as events name them


@dataclass(frozen=True)
class Row:
    """One change, as the page shows it and the downloads carry it."""

    time: datetime  # in the site's time zone
    profile: str  # the profile's name; empty for the account's own choices and its devices'
    choice: str
    old_value: bool | None  # None: the choice was first set
    new_value: bool
    changed_by: str
    jurisdiction: str  # ISO 3166 code, empty when unknown
    what: str  # "Behavioral Advertising turned off for Sam"
    how: str  # "by the Global Privacy Control signal from your browser, in California, 1 Dec 2026 14:02"

    @property
    def sentence(self) -> str:
        return gettext("%(what)s — %(how)s") % {"what": self.what, "how": self.how}

    def as_dict(self) -> dict[str, Any]:
        """The row under the downloads' stable column names (CSV_COLUMNS), JSON-ready."""
        return {
            "time": self.time.isoformat(timespec="seconds"),
            "profile": self.profile or None,
            "choice": self.choice,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "changed_by": self.changed_by,
            "jurisdiction": self.jurisdiction or None,
            "description": self.sentence,
        }


CSV_COLUMNS = ("time", "profile", "choice", "old_value", "new_value", "changed_by", "jurisdiction", "description")


def when(moment: datetime) -> str:
    """A change's time in the site's time zone, through Django's date formatting ("1 Dec 2026 14:02"); the
    format is a translatable string, so a language can order it its own way."""
    return formats.date_format(timezone.localtime(moment), pgettext("privacy history time", "j M Y H:i"))


def _day(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), pgettext("privacy history day", "j M Y"))


def choice_words(key: str) -> str:
    """The choice's name away from its page ("Surveys (email)"), in the active language; a key no longer
    registered as it is."""
    if key not in REGISTRY:
        return key
    spec = REGISTRY[key]
    if spec.signal_consent_for is not None:
        return gettext("%(choice)s (kept on despite the signal)") % {"choice": choice_words(spec.signal_consent_for)}
    return gettext(spec.short_label)


def _subject(event: Mapping[str, Any], subjects: Subjects) -> str:
    profile_id = event["profile_id"]
    if profile_id is not None:
        return subjects.profiles.get(profile_id) or gettext("a profile no longer on your account")
    device_ref = event["context"].get("device")
    if device_ref is None:
        return gettext("your account")
    device = subjects.devices.get(device_ref) or _signed_out_device(event["context"])
    if device is None:
        return gettext("a device no longer on your account")
    return gettext("your %(platform)s device added %(day)s") % {"platform": device.platform, "day": _day(device.added)}


def _signed_out_device(context: Mapping[str, Any]) -> DeviceRef | None:
    """A device signed out (R-DEV-1) is gone; its sign-out event says what it was: platform and the day added."""
    platform, added = context.get("platform"), context.get("device_added")
    if platform not in Platform.values or not isinstance(added, str):
        return None
    try:
        day = date.fromisoformat(added)
    except ValueError:
        return None
    return DeviceRef(platform=Platform(platform).label, added=timezone.make_aware(datetime.combine(day, time(12))))


def _effect_changed(choice: str, subject: str, cause: object, new: bool) -> str:
    """An effective-only event (docs/choices.md): the stored value stayed, a plan or kids change moved its effect."""
    values = {"choice": choice, "subject": subject}
    if cause == "is_kids":
        if new:
            return gettext("%(choice)s started applying to %(subject)s because it is no longer a kids profile") % values
        return gettext("%(choice)s stopped applying to %(subject)s because it became a kids profile") % values
    if cause == "plan":
        if new:
            return (
                gettext("%(choice)s started applying to %(subject)s because the plan changed to one with ads") % values
            )
        return (
            gettext("%(choice)s stopped applying to %(subject)s because the plan changed to one without ads") % values
        )
    if new:
        return gettext("%(choice)s started applying to %(subject)s") % values
    return gettext("%(choice)s stopped applying to %(subject)s") % values


def _says_signal_received(event: Mapping[str, Any]) -> bool:
    """The event reads as the signal's arrival ("Global Privacy Control signal received for Sam")."""
    return (
        event["choice"] == Choice.SIGNAL_RECEIVED
        and bool(event["new_value"])
        and not event["context"].get("effective_only")
    )


def _what(event: Mapping[str, Any], subject: str) -> str:
    key, old, new, context = event["choice"], event["old_value"], event["new_value"], event["context"]
    choice = choice_words(key)
    values = {"choice": choice, "subject": subject}
    if context.get("effective_only"):
        return _effect_changed(choice, subject, context.get("cause"), new)
    if key == Choice.PHONE_ON_FILE and not new:
        return gettext("Your phone number was deleted")
    if key == Choice.EMAIL_CHANGED:
        return gettext("Your sign-in email address was changed")
    if key == Choice.PHONE_CHANGED:
        return gettext("Your phone number was changed")
    if key == Choice.DEVICE_SIGNED_OUT:
        return capfirst(gettext("%(subject)s was signed out") % values)
    if _says_signal_received(event):
        return gettext("Global Privacy Control signal received for %(subject)s") % values
    if key == Choice.ALL_PROFILES_OPT_OUT:
        if new:
            return gettext("All profiles opted out of all, including profiles added later")
        return gettext("Profiles added later no longer start opted out")
    consent_for = REGISTRY[key].signal_consent_for if key in REGISTRY else None
    if consent_for is not None:
        values["choice"] = choice_words(consent_for)
        if new:
            return gettext("%(choice)s kept on for %(subject)s despite the Global Privacy Control signal") % values
        return (
            gettext("%(choice)s no longer kept on for %(subject)s despite the Global Privacy Control signal") % values
        )
    if old is None:
        if new:
            return gettext("%(choice)s first set to on for %(subject)s") % values
        return gettext("%(choice)s first set to off for %(subject)s") % values
    if new:
        return gettext("%(choice)s turned on for %(subject)s") % values
    return gettext("%(choice)s turned off for %(subject)s") % values


def _in_force(event: Mapping[str, Any]) -> bool:
    """A new profile's starting value while the account-wide opt-out is in force: that opt-out's, being in force."""
    return event["source"] == Source.OPT_ALL_PROFILES and event["old_value"] is None


def _known_source(event: Mapping[str, Any]) -> Source:
    """The event's source; one no longer known reads as the system's."""
    source = event["source"]
    return Source(source) if source in CHANGED_BY else Source.SYSTEM


def changed_by(event: Mapping[str, Any]) -> str:
    """Who or what made the change, in the member's words; never who on the staff."""
    return str(IN_FORCE if _in_force(event) else CHANGED_BY[_known_source(event)])


def _how(event: Mapping[str, Any]) -> str:
    """ "by <who>, in <place>, <when>", with "in <place>" left out when the jurisdiction is unknown."""
    if _in_force(event):
        with_place, without_place = HOW_IN_FORCE
    elif _says_signal_received(event) and event["source"] == Source.GPC:
        with_place, without_place = HOW_SIGNAL_RECEIVED
    else:
        with_place, without_place = HOW[_known_source(event)]
    place, at = place_name(event["jurisdiction"]), when(event["created_at"])
    return str(with_place) % {"place": place, "when": at} if place else str(without_place) % {"when": at}


def row(event: Mapping[str, Any], subjects: Subjects) -> Row:
    """One event (a dict of FIELDS) as one row of the history."""
    subject = _subject(event, subjects)
    profile_id = event["profile_id"]
    return Row(
        time=timezone.localtime(event["created_at"]),
        profile=subject if profile_id is not None else "",
        choice=choice_words(event["choice"]),
        old_value=event["old_value"],
        new_value=event["new_value"],
        changed_by=changed_by(event),
        jurisdiction=event["jurisdiction"],
        what=_what(event, subject),
        how=_how(event),
    )


def rows(events: Iterable[Mapping[str, Any]], subjects: Subjects) -> Iterator[Row]:
    return (row(event, subjects) for event in events)


# Downloads ------------------------------------------------------------------------------------------------------

# Rows per chunk of a streamed download: few enough to keep memory flat, enough to spare the server many writes.
CHUNK_ROWS = 200
# A spreadsheet runs a cell starting with one of these as a formula; a profile name is the member's own text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else "off"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Line:
    """csv.writer's file: hands each written line back instead of storing it (Django's streaming CSV recipe)."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[Row]) -> Iterator[str]:
    """The rows as CSV: a byte-order mark (spreadsheets then read UTF-8), the header, one line per row, in
    chunks of CHUNK_ROWS lines. Values: "on"/"off", empty for none; the time in ISO 8601 with its offset."""
    writer = csv.writer(_Line())
    chunk = ["\ufeff" + writer.writerow(CSV_COLUMNS)]
    for each in rows:
        values = each.as_dict()
        values["old_value"], values["new_value"] = each.old_value, each.new_value
        chunk.append(writer.writerow([_cell(values[column]) for column in CSV_COLUMNS]))
        if len(chunk) >= CHUNK_ROWS:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)


def json_chunks(rows: Iterable[Row]) -> Iterator[str]:
    """The rows as one JSON array of objects under CSV_COLUMNS' names (true/false/null for the values), in
    chunks of CHUNK_ROWS objects."""
    chunk = ["["]
    separator = "\n"
    for each in rows:
        chunk.append(separator + json.dumps(each.as_dict(), ensure_ascii=False))
        separator = ",\n"
        if len(chunk) >= CHUNK_ROWS:
            yield "".join(chunk)
            chunk = []
    chunk.append("\n]\n")
    yield "".join(chunk)


def download_name(today: date, extension: str) -> str:
    return f"privacy-history-{today.isoformat()}.{extension}"
