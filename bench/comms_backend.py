"""Django's locmem email backend, counting and then emptying its outbox after each batch (bench/comms.py)."""

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

SENT = 0


class CountingLocmemBackend(EmailBackend):
    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        global SENT
        sent = super().send_messages(messages)
        SENT += sent
        mail.outbox.clear()
        return sent
