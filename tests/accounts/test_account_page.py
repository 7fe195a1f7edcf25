"""Account: Membership & Billing, and each profile's Privacy and data settings link (docs/rules.md, Accounts and
profiles)."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Account, PhoneNumber
from tests.factories import StaffFactory
from tests.helpers import GPC

pytestmark = pytest.mark.django_db


def test_account_page_shows_membership_and_every_profiles_settings_link(member_client, ads_account):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    html = member_client.get(reverse("account")).content.decode()
    assert "Membership &amp; Billing" in html
    assert ads_account.email in html
    assert "Standard with ads" in html
    assert "+1 415-555-0123" in html
    for profile in ads_account.profiles.all():
        assert profile.get_absolute_url() in html
    assert html.count("Privacy and data settings") == 3


def test_an_account_without_profiles_gets_the_member_pages_not_an_error(client):
    """View-only staff have an account and no profile at all; the pages that need none answer as for anyone."""
    staff = StaffFactory(is_superuser=False)
    staff.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(Account.objects.get(pk=staff.pk))
    for url in (
        reverse("account"),
        reverse("profiles"),
        reverse("phone"),
        reverse("phone") + "?delete",
        reverse("profile_add"),
        reverse("consent:texts"),
    ):
        assert client.get(url, **GPC).status_code == HTTPStatus.OK, url
