"""The shipped text-message backends (see common.sms)."""

import sys

from common.sms import BaseBackend, TextMessage

# The locmem backend's messages, like django.core.mail.outbox; tests empty it.
outbox: list[TextMessage] = []


class ConsoleBackend(BaseBackend):
    def send_messages(self, messages: list[TextMessage]) -> int:
        for message in messages:
            sys.stdout.write(f"SMS to {message.to}: {message.body}\n")
        sys.stdout.flush()
        return len(messages)


class LocmemBackend(BaseBackend):
    def send_messages(self, messages: list[TextMessage]) -> int:
        outbox.extend(messages)
        return len(messages)
