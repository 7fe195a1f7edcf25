"""Text messages, in the manner of Django's email backends: code calls `send_text`; the SMS_BACKEND setting
chooses what happens to the message. Shipped (common.sms.backends): `ConsoleBackend` (prints it; local development
only, refused by `check --deploy`), `LocmemBackend` (keeps it in `outbox`; tests) and `HttpBackend` (a provider's
HTTP API; production's default). Another provider is one class with `send_messages`, named in SMS_BACKEND
(docs/downstream.md, "Text messages").

Nothing here decides whether a text may be sent: marketing texts ask consent.policy first, and a password-reset
text needs only a number on file (R-SMS-1, R-SMS-2).
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class TextMessage:
    to: str  # E.164
    body: str


class BaseBackend:
    def send_messages(self, messages: list[TextMessage]) -> int:
        """Send the messages; return how many were sent."""
        raise NotImplementedError


def get_backend(path: str | None = None) -> BaseBackend:
    return import_string(path or settings.SMS_BACKEND)()


def send_text(*, to: str, body: str) -> int:
    return get_backend().send_messages([TextMessage(to=to, body=body)])
