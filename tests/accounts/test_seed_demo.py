"""SPEC §10 demo data, exactly, and idempotent."""

import pytest
from django.core.management import call_command

from accounts.models import Account, PhoneNumber, Profile
from consent.models import ConsentEvent

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    return (
        list(Account.objects.order_by("email").values_list("email", "plan", "region", "is_staff", "is_superuser")),
        list(
            Profile.objects.order_by("account__email", "slot").values_list(
                "account__email", "name", "is_primary", "is_kids", "mic_on", "ba_on"
            )
        ),
        list(PhoneNumber.objects.values_list("account__email", "number")),
        ConsentEvent.objects.count(),
    )


def test_seed_demo_creates_spec_data_exactly():
    call_command("seed_demo", stdout=None)
    accounts, profiles, phones, _ = snapshot()
    assert accounts == [
        ("admin@example.com", "standard", "", True, True),
        ("ads@example.com", "standard_with_ads", "US-CA", False, False),
        ("basic@example.com", "standard", "US-TX", False, False),
        ("eu@example.com", "premium", "FR", False, False),
    ]
    assert profiles == [
        ("ads@example.com", "Alex", True, False, True, True),
        ("ads@example.com", "Sam", False, False, True, True),
        ("ads@example.com", "Kids", False, True, True, True),
        ("basic@example.com", "Jordan", True, False, True, True),
        ("basic@example.com", "Riley", False, False, True, True),
        ("eu@example.com", "Camille", True, False, True, True),
    ]
    assert [(email, str(number)) for email, number in phones] == [("ads@example.com", "+14155550123")]
    for email in ("ads@example.com", "basic@example.com", "eu@example.com", "admin@example.com"):
        assert Account.objects.get(email=email).check_password("demo-pass-1234")


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
