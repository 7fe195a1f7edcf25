"""Privacy-protective identifiers (R-MIC-1): the one place that normalises and hashes an email or phone.

Pure: no ORM, no settings. The audience export calls these; nothing else may put an identifier into a file
that leaves the system. The digest is SHA-256 as lower-case hex of the normalised value:
- email: accounts.normalize.normalize_email (NFKC, trimmed, lower-case), the same form accounts store;
- phone: E.164 (`+14155550123`), parsed with libphonenumber.
"""

import hashlib

import phonenumbers

from accounts.normalize import normalize_email


class InvalidIdentifier(ValueError):
    """An empty email, or a phone number that is not a valid number."""


def sha256_hex(value: str) -> str:
    """SHA-256 of the UTF-8 bytes, as 64 lower-case hexadecimal characters."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalize_phone(value: str, *, default_region: str | None = None) -> str:
    """A phone number in E.164. Numbers without a country code need `default_region` (e.g. "US")."""
    try:
        number = phonenumbers.parse(value.strip(), default_region)
    except phonenumbers.NumberParseException as error:
        raise InvalidIdentifier("not a phone number") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def hash_email(value: str) -> str:
    """R-MIC-1: the digest of the normalised email."""
    email = normalize_email(value)
    if not email:
        raise InvalidIdentifier("empty email")
    return sha256_hex(email)


def hash_phone(value: str, *, default_region: str | None = None) -> str:
    """R-MIC-1: the digest of the phone number in E.164."""
    return sha256_hex(normalize_phone(value, default_region=default_region))
