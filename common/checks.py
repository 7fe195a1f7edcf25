"""System checks for a deployment (`manage.py check --deploy`): nothing secret or personal where logs go."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend
from django.utils.module_loading import import_string


@register(deploy=True)
def text_messages_stay_out_of_logs(app_configs: object, **kwargs: object) -> list[CheckMessage]:
    """Production never writes texts (reset codes, numbers) where logs go, and talks to its provider over
    HTTPS with a token."""
    backend = import_string(settings.SMS_BACKEND)
    if getattr(backend, "writes_messages_to_log", False):
        return [
            Error(
                f"SMS_BACKEND {settings.SMS_BACKEND} writes every text, with its number and any reset code, to the "
                "server's log.",
                hint="Set SMS_BACKEND to your provider's backend, e.g. common.sms.backends.HttpBackend with "
                "SMS_PROVIDER_URL and SMS_PROVIDER_TOKEN.",
                id="common.E001",
            )
        ]
    if settings.SMS_BACKEND == "common.sms.backends.HttpBackend" and (
        urlsplit(settings.SMS_PROVIDER_URL).scheme != "https" or not settings.SMS_PROVIDER_TOKEN
    ):
        return [
            Error(
                "common.sms.backends.HttpBackend needs an https:// SMS_PROVIDER_URL and an SMS_PROVIDER_TOKEN.",
                id="common.E002",
            )
        ]
    return []


@register(deploy=True)
def emails_stay_out_of_logs(app_configs: object, **kwargs: object) -> list[CheckMessage]:
    """Production never writes emails (password reset links, addresses) to its output, where the server's log
    goes: Django's console backend, or any backend built on it, is refused."""
    try:
        backend = import_string(settings.EMAIL_BACKEND)
    except ImportError:
        return []  # Django's own check (and the first email) reports a backend that does not exist
    if isinstance(backend, type) and issubclass(backend, ConsoleEmailBackend):
        return [
            Error(
                f"EMAIL_BACKEND {settings.EMAIL_BACKEND} writes every email, with its address and any password reset "
                "link, to the server's log.",
                hint="Set DJANGO_EMAIL_BACKEND to django.core.mail.backends.smtp.EmailBackend (the default) or your "
                "provider's backend.",
                id="common.E003",
            )
        ]
    return []
