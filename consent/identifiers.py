"""Privacy-protective identifiers (R-MIC-1): the one place that normalises and hashes an email or phone.

No database access, no settings. The audience export calls these; nothing else may put an identifier into a file
that leaves the system. The digest is SHA-256 as lower-case hex of the normalised value:
- email: accounts.normalize.normalize_email (NFKC, trimmed, lower-case), the same form accounts store;
- phone: E.164 (`+14155550123`), parsed with libphonenumber.

The same digest in SQL, for PostgreSQL (`Sha256Hex`), so that the export can stream a million rows without a
Python step per row. It is a second implementation only of SHA-256 over UTF-8 bytes, never of the normalisation:
`sql_digests_exact` admits a row only when the stored values are already in their normalised form, so hashing
them as they are gives exactly what the Python functions give. Every other row is hashed by the functions below.
- Email: the stored value matches `SQL_EXACT_EMAIL`, printable ASCII with no space and no A-Z. On such a string
  NFKC is the identity (ASCII has no compatibility or canonical decompositions), strip() removes nothing (all of
  Python's whitespace lies outside the class) and lower() changes nothing (no upper-case letter left: the class
  excludes A-Z rather than calling the database's lower(), whose result depends on the collation's locale), and
  its UTF-8 bytes are its ASCII bytes. So `hash_email(stored) == sha256(stored)`. An empty value never matches.
- Phone: the stored value matches `SQL_EXACT_PHONE`, `+`, a non-zero digit, up to 15 digits. The SQL digest
  then trusts that the number was written the way the application writes numbers: checked valid by
  libphonenumber (forms, admin) and stored as its E.164 text by PhoneNumberField (PHONENUMBER_DB_FORMAT =
  "E164"), a text libphonenumber parses and formats back to itself (tests check this for every region). Python
  would check validity again and leave out a number that a newer libphonenumber no longer accepts; the SQL
  path sends that number's digest. Checking every number again would be most of the export's time
  (bench/README.md), which is why the check is taken from the write. Any other stored text (spaces, a national format,
  letters) goes through hash_phone. No phone row: no phone digest, on both paths.
The export puts the predicate in a CASE whose ELSE takes every other row (false or NULL alike), so each row is
hashed once, by exactly one of the two.
"""

import hashlib

import phonenumbers
from django.db.models import Func, Q, TextField

from accounts.normalize import normalize_email

# Printable ASCII without space (0x20) and without A-Z (0x41-0x5A), written with escapes both PostgreSQL's
# regular expressions and Python's read the same way.
SQL_EXACT_EMAIL = r"^[\x21-\x40\x5b-\x7e]+$"
SQL_EXACT_PHONE = r"^\+[1-9][0-9]{1,14}$"


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


class Sha256Hex(Func):
    """sha256_hex in SQL (PostgreSQL 11+): SHA-256 of the UTF-8 bytes as lower-case hex; NULL stays NULL."""

    template = "encode(sha256(convert_to(%(expressions)s, 'UTF8')), 'hex')"
    arity = 1
    output_field = TextField()


def sql_digests_exact(*, email: str, phone: str) -> Q:
    """Where Sha256Hex of the stored email and phone (field paths; the phone may be NULL: no number) equals
    hash_email and hash_phone of them: the module docstring says why."""
    phone_exact = Q(**{f"{phone}__isnull": True}) | Q(**{f"{phone}__regex": SQL_EXACT_PHONE})
    return Q(**{f"{email}__regex": SQL_EXACT_EMAIL}) & phone_exact
