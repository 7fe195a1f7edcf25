"""The language a member reads in (R-I18N-1).

Pages follow the browser's Accept-Language until the visitor picks a language with the chooser (Django's
LocaleMiddleware and set_language, which keeps the choice in a cookie). Messages that reach a member away from
the browser (emails and texts) go out in the language the member last used here: the one active when they signed
in or picked with the chooser, kept on the account. Everything that writes to a member renders inside
`speaking_to(account)`.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

from accounts.models import Account


def supported(code: str | None) -> str | None:
    """The language of settings.LANGUAGES that `code` names ("es-MX" is "es"), or None for any other value."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def offered(code: str | None) -> bool:
    """Whether `code` is exactly one of the languages the chooser offers (settings.LANGUAGES): "es", not "es-MX",
    "ES" or "sk", which Django's set_language would keep because it has a catalog of them."""
    return code in dict(settings.LANGUAGES)


def remember(account: Account, code: str | None) -> None:
    """Keep `code` as the account's language for its emails and texts; an unsupported code changes nothing."""
    language = supported(code)
    if language and account.language != language:
        account.language = language
        Account.objects.filter(pk=account.pk).update(language=language)


def of(account: Account | None) -> str:
    """The language to write to this account in: its own, else the one active now, else the site's default."""
    return (account and supported(account.language)) or supported(translation.get_language()) or settings.LANGUAGE_CODE


@contextmanager
def speaking_to(account: Account | None) -> Iterator[str]:
    """Render and send inside this block to write to the account in its language."""
    language = of(account)
    with translation.override(language):
        yield language
