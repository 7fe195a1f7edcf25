"""What the consent pages share: the member's actor, the "saved" message and the words for refused posts."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from accounts.models import Account
from consent import services
from consent.choices import ChoiceSpec, Source
from consent.forms import ChoicesForm, shown_keys
from consent.middleware import RequestPrivacy

STALE = (
    "Your plan or this profile changed since the page was shown, so nothing was saved. "
    "These are the current settings: check them and save again."
)
NOT_UNDERSTOOD = "That request was not understood, so nothing was changed."


def member_actor(account: Account, privacy: RequestPrivacy, **fields: Any) -> services.Actor:
    """The signed-in member changing their own choices from a page, with the request's jurisdiction."""
    return services.Actor(source=Source.MEMBER, acting_user=account, jurisdiction=privacy.jurisdiction, **fields)


def saved_message(request: HttpRequest, changed: int, saved: str) -> None:
    if changed:
        messages.success(request, saved)
    else:
        messages.info(request, "Nothing changed: your settings were already like that.")


def switches_context(form: ChoicesForm, shown: tuple[ChoiceSpec, ...]) -> dict[str, object]:
    """What includes/switches.html draws: the form's switches (posted, or with the stored values) and the keys
    the page showed."""
    return {"form": form, "shown_keys": shown_keys(shown)}
