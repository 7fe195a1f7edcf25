"""Nothing secret or personal reaches a log (docs/rules.md, Qualities): every log record of every test's flows, at INFO
and above (what production keeps), is checked for email addresses, phone numbers, reset codes, tokens and session keys;
a test whose flow logged one fails. Loaded by tests/conftest.py."""

import logging
import re

import pytest

PATTERNS = {
    "email address": re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),
    "phone number": re.compile(r"\+\d[\d ().-]{7,18}\d"),
    "reset code": re.compile(r"\bcode\b\D{0,20}\d{6}\b", re.IGNORECASE),
    # Django's session keys: 32 of [a-z0-9] (a UUID's 32 hex digits, an opaque id, has no letter past f).
    "session key": re.compile(r"\b(?=[a-z0-9]*[g-z])[a-z0-9]{32}\b"),
    "token": re.compile(r"\b[A-Za-z0-9_-]{40,}\b|\b[\w-]+:[\w-]{6,}:[\w-]{20,}\b"),
}


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def leaks(record: logging.LogRecord) -> list[str]:
    text = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None:
        text += f"\n{record.exc_info[1]}"
    return [name for name, pattern in PATTERNS.items() if pattern.search(text)]


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs():
    handler = _Records()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(min(level, logging.INFO))
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    found = [(record.name, record.getMessage()[:200], kinds) for record in handler.records if (kinds := leaks(record))]
    assert not found, f"personal or secret data in the log: {found}"
