"""An account: one email address whatever its case or spaces (the login, the database's uniqueness, the admin),
and a billing region that is an ISO 3166 code (docs/rules.md, Accounts and profiles)."""

from http import HTTPStatus
from typing import cast

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Account
from accounts.normalize import normalize_email
from tests.factories import PASSWORD, AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eu(db) -> Account:
    return cast(Account, AccountFactory(email="eu@example.com"))


def admin_account_form(account: Account, email: str) -> dict[str, str]:
    return {
        "email": email,
        "plan": account.plan,
        "region": account.region,
        "is_active": "on",
        "profiles-TOTAL_FORMS": "0",
        "profiles-INITIAL_FORMS": "0",
        "phone-TOTAL_FORMS": "0",
        "phone-INITIAL_FORMS": "0",
    }


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("EU@example.com", "eu@example.com"),
        (" eu@example.com\t", "eu@example.com"),
        ("\uff45\uff55@example.\uff43\uff4f\uff4d", "eu@example.com"),  # fullwidth forms fold under NFKC
        (None, ""),
    ],
)
def test_email_normalisation_is_nfkc_trimmed_lower_case(raw, normalised):
    assert normalize_email(raw) == normalised
    assert normalize_email(normalised) == normalised


def test_accounts_store_the_normalised_email_and_find_it_in_any_case():
    account = AccountFactory(email="Mixed.Case@Example.com ")
    assert account.email == "mixed.case@example.com"
    assert Account.objects.get_by_natural_key("MIXED.case@example.com") == account
    assert Account.objects.create_user("  \uff2dixed@Example.COM ", "x").email == "mixed@example.com"


def test_two_accounts_cannot_hold_the_same_email_in_different_case(eu):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(email="EU@EXAMPLE.COM")
    assert Account.objects.filter(email__iexact="eu@example.com").count() == 1


def test_admin_cannot_save_an_email_that_differs_only_in_case_and_login_still_works(client, eu, staff):
    other = AccountFactory(email="other@example.com")
    client.force_login(staff)
    response = client.post(
        reverse("admin:accounts_account_change", args=[other.pk]), admin_account_form(other, "EU@EXAMPLE.COM")
    )
    assert response.status_code == HTTPStatus.OK
    assert "An account with this email address already exists." in response.content.decode()
    assert Account.objects.get(pk=other.pk).email == "other@example.com"

    client.logout()
    response = client.post(reverse("login"), {"username": "eu@example.com", "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND


def test_admin_stores_a_changed_email_normalised(client, staff):
    other = AccountFactory(email="other@example.com")
    client.force_login(staff)
    client.post(
        reverse("admin:accounts_account_change", args=[other.pk]),
        admin_account_form(other, " New.Address@Example.COM "),
    )
    assert Account.objects.get(pk=other.pk).email == "new.address@example.com"


@pytest.mark.parametrize(("region", "valid"), [("US-CA", True), ("FR", True), ("CA-QC", True), ("california", False)])
def test_billing_region_is_an_iso_3166_code(region, valid):
    account = Account(email="region@example.com", region=region)
    account.set_password("x-pass-1234")
    if valid:
        account.full_clean()
    else:
        with pytest.raises(ValidationError):
            account.full_clean()
