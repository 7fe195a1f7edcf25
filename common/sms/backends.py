"""The shipped text-message backends (see common.sms)."""

import json
import logging
import sys
import urllib.error
import urllib.request

from django.conf import settings

from common.sms import BaseBackend, TextMessage

logger = logging.getLogger("common.sms")

# The locmem backend's messages, like django.core.mail.outbox; tests empty it.
outbox: list[TextMessage] = []


class ConsoleBackend(BaseBackend):
    """Local development: each text, number and body, on standard output, which is the server's log. Never in
    production: `manage.py check --deploy` refuses it (common.checks)."""

    writes_messages_to_log = True

    def send_messages(self, messages: list[TextMessage]) -> int:
        for message in messages:
            sys.stdout.write(f"SMS to {message.to}: {message.body}\n")
        sys.stdout.flush()
        return len(messages)


class LocmemBackend(BaseBackend):
    """Tests: texts are kept in `outbox`."""

    def send_messages(self, messages: list[TextMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


class HttpBackend(BaseBackend):
    """A provider's HTTP API, or a small adapter in front of one: each text is a POST of JSON
    `{"to": "+14155550123", "body": "..."}` to SMS_PROVIDER_URL (HTTPS) with `Authorization: Bearer
    SMS_PROVIDER_TOKEN`, answered 2xx when accepted. Every wait is bounded (SMS_PROVIDER_TIMEOUT_S); a refusal or
    timeout is logged without the number or the text, and that text counts as not sent."""

    def send_messages(self, messages: list[TextMessage]) -> int:
        return sum(self._send(message) for message in messages)

    def _send(self, message: TextMessage) -> bool:
        request = urllib.request.Request(  # noqa: S310 (the URL is the configured provider's HTTPS address)
            settings.SMS_PROVIDER_URL,
            data=json.dumps({"to": message.to, "body": message.body}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_PROVIDER_TOKEN}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_PROVIDER_TIMEOUT_S) as response:  # noqa: S310
                return 200 <= response.status < 300
        except urllib.error.HTTPError as error:
            logger.error("The SMS provider refused a text: HTTP %s", error.code)
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            logger.error("The SMS provider could not be reached: %s", type(error).__name__)
        return False
