"""The demo data (README, "Demo accounts"). Idempotent: an account that already exists is left exactly as it is."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Account, Plan
from accounts.services import account_create, profile_create
from consent import services as consent_services
from consent.models import Platform

DEMO_PASSWORD = "demo-pass-1234"  # noqa: S105 (published demo credentials, README)

# email, plan, region, phone, [(profile name, is kids)] with the primary profile first.
DEMO_ACCOUNTS = [
    (
        "ads@example.com",
        Plan.STANDARD_WITH_ADS,
        "US-CA",
        "+14155550123",
        [("Alex", False), ("Sam", False), ("Kids", True)],
    ),
    ("basic@example.com", Plan.STANDARD, "US-TX", None, [("Jordan", False), ("Riley", False)]),
    ("eu@example.com", Plan.PREMIUM, "FR", None, [("Camille", False)]),
]
DEMO_ADMIN = "admin@example.com"

# The app on the devices of one demo account (R-DEV-1, /account/devices/), as the app would report them:
# platform, advertising id (a made-up one), limits ad tracking, allows notifications.
DEMO_DEVICES = {
    "basic@example.com": [
        (Platform.IOS, "6d1f3c2a-0b7e-4f4e-9a51-demo00000001", False, True),
        (Platform.ANDROID, "", True, False),
    ],
}


class Command(BaseCommand):
    help = "Create the README's demo accounts (password demo-pass-1234); running it again changes nothing."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        for email, plan, region, phone, profiles in DEMO_ACCOUNTS:
            if Account.objects.filter(email=email).exists():
                self.stdout.write(f"{email}: already there")
                continue
            (primary, _), *others = profiles
            account = account_create(
                email=email,
                password=DEMO_PASSWORD,
                plan=plan,
                region=region,
                primary_profile_name=primary,
                phone=phone,
            )
            for name, is_kids in others:
                profile_create(account=account, name=name, is_kids=is_kids, acting_user=None)
            for platform, advertising_id, limited, notifications in DEMO_DEVICES.get(email, []):
                consent_services.device_register(
                    account=account,
                    platform=platform,
                    advertising_id=advertising_id,
                    limit_ad_tracking=limited,
                    notifications=notifications,
                    acting_user=account,
                )
            self.stdout.write(f"{email}: created with {len(profiles)} profile(s)")

        if Account.objects.filter(email=DEMO_ADMIN).exists():
            self.stdout.write(f"{DEMO_ADMIN}: already there")
        else:
            Account.objects.create_superuser(email=DEMO_ADMIN, password=DEMO_PASSWORD)
            self.stdout.write(f"{DEMO_ADMIN}: created (staff superuser)")
