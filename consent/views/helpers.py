"""What the consent pages share: the member's actor, the "saved" message, the words for refused posts and a list
of words joined in the reader's language."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy
from django_stubs_ext import StrOrPromise

from accounts.models import Account
from consent import services
from consent.choices import ChoiceSpec, Source
from consent.email import and_list
from consent.forms import ChoicesForm, shown_keys
from consent.middleware import RequestPrivacy

STALE = gettext_lazy(
    "Your plan or this profile changed since the page was shown, so nothing was saved. "
    "These are the current settings: check them and save again."
)
NOT_UNDERSTOOD = gettext_lazy("That request was not understood, so nothing was changed.")


def member_actor(account: Account, privacy: RequestPrivacy, **fields: Any) -> services.Actor:
    """The signed-in member changing their own choices from a page, with the request's jurisdiction."""
    return services.Actor(source=Source.MEMBER, acting_user=account, jurisdiction=privacy.jurisdiction, **fields)


def saved_message(request: HttpRequest, changed: int, saved: StrOrPromise) -> None:
    if changed:
        messages.success(request, saved)
    else:
        messages.info(request, gettext("Nothing changed: your settings were already like that."))


def strong_list(words: list[StrOrPromise]) -> SafeString:
    """The words, each in <strong>, joined as and_list does: the safe HTML of a sentence's list of choices."""
    # Each part is escaped by format_html; the words joining them are the catalog's.
    return mark_safe(and_list([format_html("<strong>{}</strong>", each) for each in words]))


def switches_context(form: ChoicesForm, shown: tuple[ChoiceSpec, ...]) -> dict[str, object]:
    """What includes/switches.html draws: the form's switches (posted, or with the stored values) and the keys
    the page showed."""
    return {"form": form, "shown_keys": shown_keys(shown)}
