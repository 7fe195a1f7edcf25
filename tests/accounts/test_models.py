"""Invariants the database itself keeps."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Account, PhoneNumber, Profile
from accounts.services import ProfileLimitReached, account_create
from tests.factories import AccountFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def test_email_login_is_the_username_and_case_insensitive(client):
    account = AccountFactory(email="Mixed.Case@Example.com ")
    assert account.email == "mixed.case@example.com"
    assert Account.objects.get_by_natural_key("MIXED.case@example.com") == account


def test_an_account_is_created_with_exactly_one_primary_profile():
    account = AccountFactory(primary_profile_name="Alex")
    ProfileFactory(account=account)
    assert list(account.profiles.filter(is_primary=True).values_list("name", flat=True)) == ["Alex"]


def test_profile_ids_are_opaque_uuids():
    profile = AccountFactory().profiles.get()
    assert len(str(profile.pk)) == 36


def test_at_most_five_profiles_per_account():
    account = AccountFactory()
    for _ in range(4):
        ProfileFactory(account=account)
    with pytest.raises(ProfileLimitReached):
        ProfileFactory(account=account)
    assert account.profiles.count() == 5


def test_database_refuses_a_sixth_profile_slot():
    account = AccountFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.create(account=account, slot=6, name="Sixth")


def test_database_refuses_a_kids_primary_profile():
    primary = AccountFactory().profiles.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.filter(pk=primary.pk).update(is_kids=True)


def test_the_primary_profile_is_never_created_as_kids():
    account = account_create(
        email="k@example.com", password="x-pass-1234", plan="standard", region="US-TX", primary_profile_name="Kid"
    )
    assert not account.profiles.get().is_kids


def test_phone_is_stored_in_e164():
    account = AccountFactory(phone="+1 (415) 555-0123")
    assert str(PhoneNumber.objects.get(account=account).number) == "+14155550123"


def test_at_most_one_phone_number_per_account():
    account = AccountFactory(phone="+14155550123")
    with pytest.raises(IntegrityError), transaction.atomic():
        PhoneNumber.objects.create(account=account, number="+14155550124")


def test_malformed_phone_number_is_rejected_by_validation():
    phone = PhoneNumber(account=AccountFactory(), number="12345")
    with pytest.raises(ValidationError):
        phone.full_clean()


@pytest.mark.parametrize(("region", "valid"), [("US-CA", True), ("FR", True), ("CA-QC", True), ("california", False)])
def test_billing_region_is_an_iso_3166_code(region, valid):
    account = Account(email="region@example.com", region=region)
    account.set_password("x-pass-1234")
    if valid:
        account.full_clean()
    else:
        with pytest.raises(ValidationError):
            account.full_clean()
