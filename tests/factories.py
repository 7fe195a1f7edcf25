"""Factories build accounts and profiles through the services, so every test object keeps the invariants
(a primary profile, audited initial choices) that real ones have."""

import factory
from factory.django import DjangoModelFactory

from accounts.models import Account, Plan, Profile
from accounts.services import account_create, profile_create

PASSWORD = "test-pass-1234"


class AccountFactory(DjangoModelFactory):
    class Meta:
        model = Account

    email = factory.Sequence(lambda n: f"member{n}@example.com")
    password = PASSWORD
    plan = Plan.STANDARD_WITH_ADS
    region = "US-CA"
    primary_profile_name = "Alex"

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> Account:
        return account_create(**kwargs)


class ProfileFactory(DjangoModelFactory):
    class Meta:
        model = Profile

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Profile {n}")
    is_kids = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> Profile:
        return profile_create(acting_user=None, **kwargs)


class StaffFactory(DjangoModelFactory):
    class Meta:
        model = Account

    email = factory.Sequence(lambda n: f"staff{n}@example.com")
    password = factory.django.Password(PASSWORD)
    is_staff = True
    is_superuser = True
