"""R-MIC-1: privacy-protective identifiers are SHA-256 lower-case hex of the normalised email or E.164 phone."""

import re

import phonenumbers
import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.normalize import normalize_email
from consent.identifiers import (
    SQL_EXACT_EMAIL,
    SQL_EXACT_PHONE,
    InvalidIdentifier,
    Sha256Hex,
    hash_email,
    hash_phone,
    normalize_phone,
    sha256_hex,
)
from tests.factories import AccountFactory

# Published digests, not computed by the code under test.
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
TEST_EXAMPLE_COM = "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"
PHONE_14155550123 = "36a2cef4ff9bf7a1abd2a93359136b870393be4106e6c5d19b72ff564f9deca4"


def test_sha256_is_lower_case_hex_of_known_digest__R_MIC_1():
    assert sha256_hex("") == EMPTY_SHA256
    assert sha256_hex("test@example.com") == TEST_EXAMPLE_COM


@pytest.mark.parametrize(
    "email", ["test@example.com", "  Test@Example.COM ", "TEST@EXAMPLE.COM\n", "\ttest@example.com"]
)
def test_email_is_trimmed_and_lower_cased_before_hashing__R_MIC_1(email):
    assert hash_email(email) == TEST_EXAMPLE_COM


def test_email_digest_is_64_lower_case_hex_characters__R_MIC_1():
    digest = hash_email("Someone@Example.org")
    assert len(digest) == 64
    assert digest == digest.lower()
    assert "someone" not in digest


@pytest.mark.parametrize("phone", ["+14155550123", "+1 415-555-0123", "(415) 555-0123", " 415.555.0123 "])
def test_phone_is_hashed_in_e164__R_MIC_1(phone):
    assert normalize_phone(phone, default_region="US") == "+14155550123"
    assert hash_phone(phone, default_region="US") == PHONE_14155550123


@pytest.mark.parametrize("bad", ["", "   ", "not a phone", "+1 555", "12"])
def test_invalid_phone_is_refused_not_hashed__R_MIC_1(bad):
    with pytest.raises(InvalidIdentifier):
        hash_phone(bad, default_region="US")


def test_empty_email_is_refused__R_MIC_1():
    with pytest.raises(InvalidIdentifier):
        hash_email("  ")


# The same digest in SQL (consent.identifiers docstring): the database hashes a stored value only when its
# stored form is already what the Python functions would hash.

PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
EXACT_EMAIL_CHARS = [chr(c) for c in range(0x21, 0x7F) if not "A" <= chr(c) <= "Z"]
any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=80)
email_like = st.one_of(
    st.emails(),
    st.emails().map(str.upper),
    st.emails().map(lambda e: f" {e}\t"),
    st.text(alphabet=EXACT_EMAIL_CHARS, min_size=1, max_size=80),
    st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=0x7F), min_size=1, max_size=80),
    any_text,
)
e164_like = st.from_regex(SQL_EXACT_PHONE, fullmatch=True)


def _exact(pattern: str, value: str) -> bool:
    return re.fullmatch(pattern, value) is not None


@PROPERTY
@given(value=email_like)
def test_an_email_the_database_may_hash_is_already_normalised__R_MIC_1(value):
    if _exact(SQL_EXACT_EMAIL, value):
        assert normalize_email(value) == value
        assert hash_email(value) == sha256_hex(value)


def test_the_database_may_hash_printable_ascii_without_capitals_or_spaces_only__R_MIC_1():
    allowed = {chr(c) for c in range(128) if _exact(SQL_EXACT_EMAIL, chr(c))}
    assert allowed == set(EXACT_EMAIL_CHARS)
    assert not _exact(SQL_EXACT_EMAIL, "")
    assert not _exact(SQL_EXACT_EMAIL, "a@example.com\n")


def _example_numbers():
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in range(phonenumbers.PhoneNumberType.UNKNOWN):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                yield region, number
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        yield str(code), phonenumbers.example_number_for_non_geo_entity(code)


def test_every_regions_numbers_are_stored_in_a_form_the_database_hashes_like_python__R_MIC_1():
    """What PhoneNumberField stores (E.164 of a valid number) matches SQL_EXACT_PHONE and parses back to itself,
    so its digest as stored is hash_phone's."""
    checked = 0
    for region, number in _example_numbers():
        stored = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        assert _exact(SQL_EXACT_PHONE, stored), (region, stored)
        assert hash_phone(stored) == sha256_hex(stored), (region, stored)
        checked += 1
    assert checked > 1000


@PROPERTY
@given(value=e164_like)
def test_a_valid_numbers_e164_form_is_its_own_e164_form__R_MIC_1(value):
    try:
        stored = normalize_phone(value)
    except InvalidIdentifier:
        return
    assert _exact(SQL_EXACT_PHONE, stored)
    assert normalize_phone(stored) == stored


@pytest.mark.django_db
def test_phone_numbers_are_stored_as_their_e164_text__R_MIC_1():
    account = AccountFactory(phone="+1 415-555-0123")
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM accounts_phonenumber WHERE account_id = %s", [account.pk])
        assert cursor.fetchone() == ("+14155550123",)


def _in_database(expression: str, values: list[str], *params: str) -> list:
    """`expression` (of x, and of `params`) evaluated by PostgreSQL for each value, in order."""
    query = f"SELECT {expression} FROM unnest(%s::text[]) WITH ORDINALITY AS t(x, n) ORDER BY n"  # noqa: S608 (the expressions are this file's constants; values are bound)
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, values])
        return [row[0] for row in cursor.fetchall()]


def _sql_digests(values: list[str]) -> list[str]:
    return _in_database(Sha256Hex.template % {"expressions": "x"}, values)


@pytest.mark.postgres
@pytest.mark.django_db
def test_sql_digest_of_known_values__R_MIC_1():
    assert _sql_digests(["", "test@example.com", "+14155550123"]) == [EMPTY_SHA256, TEST_EXAMPLE_COM, PHONE_14155550123]


@pytest.mark.postgres
@pytest.mark.django_db
@PROPERTY
@given(values=st.lists(st.one_of(email_like, e164_like, any_text), min_size=1, max_size=20))
def test_sql_digest_is_sha256_hex_of_the_text__R_MIC_1(values):
    assert _sql_digests(values) == [sha256_hex(value) for value in values]
    emails = [value for value in values if _exact(SQL_EXACT_EMAIL, value)]
    assert _sql_digests(emails) == [hash_email(value) for value in emails]


@pytest.mark.postgres
@pytest.mark.django_db
@PROPERTY
@given(values=st.lists(st.one_of(email_like, e164_like, any_text), min_size=1, max_size=20))
def test_database_reads_the_patterns_as_python_does__R_MIC_1(values):
    for pattern in (SQL_EXACT_EMAIL, SQL_EXACT_PHONE):
        assert _in_database("x ~ %s", values, pattern) == [_exact(pattern, value) for value in values]


@pytest.mark.postgres
@pytest.mark.django_db
def test_database_reads_the_email_pattern_as_python_does_on_every_ascii_character__R_MIC_1():
    characters = [chr(c) for c in range(1, 256)] + [
        "\u00e9",  # é
        "\u0131",  # dotless i
        "\u0130",  # I with a dot, which Turkish lower-cases to i
        "\u00df",  # sharp s
        "\uff21",  # fullwidth A, which NFKC folds to A
        "\uff41",  # fullwidth a
        "\u00a0",  # no-break space
        "\u2028",  # line separator
    ]
    for pattern in (SQL_EXACT_EMAIL, SQL_EXACT_PHONE):
        assert _in_database("x ~ %s", characters, pattern) == [_exact(pattern, c) for c in characters]
