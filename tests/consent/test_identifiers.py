"""R-MIC-1: privacy-protective identifiers are SHA-256 lower-case hex of the normalised email or E.164 phone."""

import pytest

from consent.identifiers import InvalidIdentifier, hash_email, hash_phone, normalize_phone, sha256_hex

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
