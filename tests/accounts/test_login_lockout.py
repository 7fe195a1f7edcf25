"""Issue 6, defects 3 and 4: one email, one account and one lock-out counter, whatever its case or spaces."""

from http import HTTPStatus
from typing import cast

import pytest
from axes.models import AccessAttempt
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Account
from accounts.normalize import normalize_email
from tests.factories import PASSWORD, AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eu(db) -> Account:
    return cast(Account, AccountFactory(email="eu@example.com"))


def sign_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_lockout_cannot_be_bypassed_by_email_case_or_spaces(client, eu):
    for _ in range(5):
        sign_in(client, "eu@example.com", "wrong")
    for variant in ("EU@example.com", " eu@example.com", "eu@EXAMPLE.COM ", "Eu@Example.Com"):
        response = sign_in(client, variant, PASSWORD)
        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS, variant
        assert "_auth_user_id" not in client.session


def test_login_lockout_counts_case_variants_as_one_email(client, eu):
    variants = ["eu@example.com", "EU@example.com", " eu@example.com", "eU@EXAMPLE.com", "Eu@example.COM"]
    statuses = [sign_in(client, variant, "wrong").status_code for variant in variants]
    assert statuses[:4] == [HTTPStatus.OK] * 4
    assert statuses[4] == HTTPStatus.TOO_MANY_REQUESTS
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["eu@example.com"]
    assert sign_in(client, "EU@EXAMPLE.COM", PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_sign_in_accepts_the_email_in_any_case_and_with_spaces(client, eu):
    response = sign_in(client, "  EU@Example.COM ", PASSWORD)
    assert response.status_code == HTTPStatus.FOUND
    assert client.session["_auth_user_id"] == str(eu.pk)


def test_two_accounts_cannot_hold_the_same_email_in_different_case(eu):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(email="EU@EXAMPLE.COM")
    assert Account.objects.filter(email__iexact="eu@example.com").count() == 1


def test_admin_cannot_save_an_email_that_differs_only_in_case_and_login_still_works(client, eu, staff):
    other = AccountFactory(email="other@example.com")
    client.force_login(staff)
    response = client.post(
        reverse("admin:accounts_account_change", args=[other.pk]),
        {
            "email": "EU@EXAMPLE.COM",
            "plan": other.plan,
            "region": other.region,
            "is_active": "on",
            "profiles-TOTAL_FORMS": "0",
            "profiles-INITIAL_FORMS": "0",
            "phone-TOTAL_FORMS": "0",
            "phone-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert "An account with this email address already exists." in response.content.decode()
    assert Account.objects.get(pk=other.pk).email == "other@example.com"

    client.logout()
    assert sign_in(client, "eu@example.com", PASSWORD).status_code == HTTPStatus.FOUND


def test_admin_stores_a_changed_email_normalised(client, staff):
    other = AccountFactory(email="other@example.com")
    client.force_login(staff)
    client.post(
        reverse("admin:accounts_account_change", args=[other.pk]),
        {
            "email": " New.Address@Example.COM ",
            "plan": other.plan,
            "region": other.region,
            "is_active": "on",
            "profiles-TOTAL_FORMS": "0",
            "profiles-INITIAL_FORMS": "0",
            "phone-TOTAL_FORMS": "0",
            "phone-INITIAL_FORMS": "0",
        },
    )
    assert Account.objects.get(pk=other.pk).email == "new.address@example.com"


def test_accounts_created_through_the_manager_store_the_normalised_email(db):
    account = Account.objects.create_user("  \uff2dixed@Example.COM ", "x")
    assert account.email == "mixed@example.com"


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
