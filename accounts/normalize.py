"""Identifiers and names are normalised once, here; every form, service, lookup, lock-out and constraint uses
the normalised value, so "EU@example.com", " eu@example.com" and "eu@example.com" are one account."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PROFILE_NAME_MAX_LENGTH = 50

# Unicode categories that never belong in a name: controls (Cc: NUL, BEL, ESC of ANSI escapes, DEL, newlines,
# tabs), format characters (Cf: right-to-left override, zero-width space and joiners, BOM), surrogates, private
# use and unassigned code points, and the line/paragraph separators.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# Letters and symbols that render as nothing, used to make a name look empty or to impersonate another one.
_INVISIBLE = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def normalize_email(value: str | None) -> str:
    """The one form of an email address we store and compare: NFKC, trimmed, lower-case (R-MIC-1)."""
    text = unicodedata.normalize("NFKC", value or "").strip().lower()
    # Lower-casing can produce characters that NFKC composes differently; normalising again makes this idempotent.
    return unicodedata.normalize("NFKC", text)


def normalize_profile_name(value: str | None) -> str:
    """NFC (how the name was meant to be written, not compatibility-folded) and trimmed."""
    return unicodedata.normalize("NFC", value or "").strip()


def _is_visible(char: str) -> bool:
    category = unicodedata.category(char)
    return not (char.isspace() or category[0] in {"Z", "M", "C"} or char in _INVISIBLE)


def validate_profile_name(value: str) -> None:
    """Refuse control, format and invisible characters, and names with nothing visible in them."""
    if any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in value):
        raise ValidationError(
            _("Use letters, numbers, spaces and punctuation only: no control or invisible characters."),
            code="invisible_characters",
        )
    if not any(_is_visible(char) for char in value):
        raise ValidationError(_("Enter a name with at least one visible character."), code="nothing_visible")


def clean_profile_name(value: str | None) -> str:
    """Normalise and validate a profile name (services call this; forms get it through the model field)."""
    name = normalize_profile_name(value)
    if len(name) > PROFILE_NAME_MAX_LENGTH:
        raise ValidationError(
            _("Use at most %(limit)d characters."), code="max_length", params={"limit": PROFILE_NAME_MAX_LENGTH}
        )
    validate_profile_name(name)
    return name
