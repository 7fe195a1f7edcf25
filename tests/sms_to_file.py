"""A text-message backend for tests that run the app in several server processes: each text sent appends one line,
the number it went to (never the body, which holds a reset code), to the file named by TEST_SMS_FILE, so a test
counts what every process sent. One `write` per line on a file opened for appending: lines from processes writing
at once never mix."""

import os

from common.sms import BaseBackend, TextMessage

FILE_VARIABLE = "TEST_SMS_FILE"


class FileBackend(BaseBackend):
    def send_messages(self, messages: list[TextMessage]) -> int:
        descriptor = os.open(os.environ[FILE_VARIABLE], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            for message in messages:
                os.write(descriptor, f"{message.to}\n".encode())
        finally:
            os.close(descriptor)
        return len(messages)
