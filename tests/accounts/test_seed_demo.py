"""The README's demo data, exactly, and idempotent."""

import pytest
from django.core.management import call_command

from accounts.models import Account, PhoneNumber, Profile
from consent import selectors
from consent.choices import Choice
from consent.models import ChoiceValue, ConsentEvent, Device
from tests.helpers import values_of

pytestmark = pytest.mark.django_db

DEVICE_CHOICES = (Choice.DEVICE_LIMIT_AD_TRACKING, Choice.DEVICE_NOTIFICATIONS)


def snapshot() -> tuple:
    return (
        list(Account.objects.order_by("email").values_list("email", "plan", "region", "is_staff", "is_superuser")),
        [
            (p.account.email, p.name, p.is_primary, p.is_kids, values_of(p)[Choice.MIC], values_of(p)[Choice.BA])
            for p in Profile.objects.order_by("account__email", "slot").select_related("account")
        ],
        list(PhoneNumber.objects.values_list("account__email", "number")),
        [
            (d.account.email, d.platform, *(selectors.device_facts(device=d).values[c] for c in DEVICE_CHOICES))
            for d in Device.objects.order_by("account__email", "platform").select_related("account")
        ],
        ConsentEvent.objects.count(),
        ChoiceValue.objects.count(),
    )


def test_seed_demo_creates_the_readme_demo_accounts_exactly():
    call_command("seed_demo", stdout=None)
    accounts, profiles, phones, devices, *_ = snapshot()
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
    assert devices == [
        ("basic@example.com", "android", True, False),
        ("basic@example.com", "ios", False, True),
    ]
    for email in ("ads@example.com", "basic@example.com", "eu@example.com", "admin@example.com"):
        assert Account.objects.get(email=email).check_password("demo-pass-1234")


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
