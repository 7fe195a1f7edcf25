"""The inbound-text webhook (R-SMS-3), provider-neutral: any SMS provider (or a small adapter in front of it)
POSTs JSON {"from": "+14155550123", "text": "STOP"} signed with the shared secret, and sends the `reply` of
the answer back to the number.

Signature: header `X-Signature-Timestamp` (Unix seconds) and `X-Signature` = hex HMAC-SHA256 with
SMS_WEBHOOK_SECRET over `<timestamp>.` followed by the raw body. A timestamp further than SMS_WEBHOOK_MAX_AGE_S
from now, or a signature already seen within that window, is a replay and is refused.
"""

import hashlib
import hmac
import time
import unicodedata
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext_lazy

from common import json as bounded_json
from common import throttle

# R-SMS-3: the whole message is one of these, in any case, with spaces and punctuation around and inside it
# ignored ("Opt-out!" is OPT OUT). A message that merely contains one ("please don't stop") is not an opt-out.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPT OUT", "OPTOUT"})
START_WORDS = frozenset({"START", "UNSTOP", "YES"})
HELP_WORDS = frozenset({"HELP", "INFO"})

# The replies are text messages to a member: sent in the member's language (services.text_reply, R-I18N-1). The
# keywords stay as carriers define them (STOP, START, HELP), in Spanish too.
STOP_REPLY = gettext_lazy(
    "Privacy Center: you will get no more alerts, offers or surveys by text. Reply START to resume."
)
START_REPLY = gettext_lazy(
    "Privacy Center: you can get texts from us again. Choose which in your account's Text message preferences."
)
HELP_REPLY = gettext_lazy(
    "Privacy Center: manage texts in your account settings. Reply STOP to stop alerts, offers and surveys."
)

# An inbound text is at most 1,600 characters (10 concatenated parts): a body past this is no text message.
BODY_MAX_BYTES = 16 * 1024

TIMESTAMP_HEADER = "X-Signature-Timestamp"
SIGNATURE_HEADER = "X-Signature"


class Refused(Exception):
    """Not signed with the secret, signed too long ago, or seen before: nothing is read or changed."""


class Malformed(Exception):
    """Signed, but not a message this webhook understands."""


@dataclass(frozen=True)
class Inbound:
    number: str  # E.164
    keyword: str


def sign(*, body: bytes, timestamp: int, secret: str) -> str:
    """The signature a provider sends for this body at this time (also what tests and adapters use)."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def verify(*, body: bytes, timestamp: str | None, signature: str | None, now: float | None = None) -> None:
    """Raise Refused unless the body is signed with the configured secret, recently, and for the first time."""
    secret = settings.SMS_WEBHOOK_SECRET
    if not secret or not timestamp or not signature:
        raise Refused("unsigned")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise Refused("bad timestamp")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > settings.SMS_WEBHOOK_MAX_AGE_S:
        raise Refused("stale timestamp")
    expected = sign(body=body, timestamp=int(timestamp), secret=secret)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode("utf-8", "replace")):
        raise Refused("bad signature")
    # Within the window the same signed request is accepted once.
    if not throttle.store().add(f"sms-webhook-seen:{expected}", True, timeout=2 * settings.SMS_WEBHOOK_MAX_AGE_S + 1):
        raise Refused("replayed")


def keyword(text: str) -> str:
    """The message as a keyword, as a member means it: compatibility forms folded (NFKC: fullwidth letters),
    invisible format characters some keyboards add dropped (category Cf, e.g. U+200B), punctuation of any script
    (category P*) and runs of spaces made one space, trimmed, upper-case: "  Stop. " is STOP, "opt-out!" is
    OPT OUT. Anything still not ASCII is no keyword."""
    folded = unicodedata.normalize("NFKC", text[:160])
    kept = "".join(
        " " if unicodedata.category(ch).startswith("P") else ch for ch in folded if unicodedata.category(ch) != "Cf"
    )
    word = " ".join(kept.split()).upper()
    return word if word.isascii() else ""


def parse(body: bytes) -> Inbound:
    try:
        data = bounded_json.loads(body)
    except ValueError as error:  # not JSON, not UTF-8, or nested too deeply
        raise Malformed("not JSON") from error
    if not isinstance(data, dict) or not isinstance(data.get("from"), str) or not isinstance(data.get("text"), str):
        raise Malformed("expected from and text")
    raw = data["from"]
    if len(raw) > 32:
        raise Malformed("number too long")
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException as error:
        raise Malformed("not a number") from error
    if not phonenumbers.is_valid_number(number):
        raise Malformed("not a valid number")
    return Inbound(
        number=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), keyword=keyword(data["text"])
    )
