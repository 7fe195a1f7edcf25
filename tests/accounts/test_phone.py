"""Change phone number and Delete phone number (SPEC §3, R-SMS-2)."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import PhoneNumber
from consent.models import ConsentEvent
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_account_page_links_to_change_phone_number(member_client):
    assert 'href="/account/phone/">Change phone number' in member_client.get(reverse("account")).content.decode()


def test_change_phone_number_stores_e164(member_client, ads_account):
    response = member_client.post(reverse("phone"), {"action": "change", "number": "+1 (415) 555-0199"}, follow=True)
    assert "Your phone number was saved." in response.content.decode()
    assert str(PhoneNumber.objects.get(account=ads_account).number) == "+14155550199"


def test_malformed_phone_number_gets_a_form_error_and_changes_nothing(member_client, ads_account):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    response = member_client.post(reverse("phone"), {"action": "change", "number": "12ab"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "valid phone number" in response.content.decode()
    assert str(PhoneNumber.objects.get(account=ads_account).number) == "+14155550123"


def test_delete_asks_for_confirmation_on_get_and_deletes_on_post__R_SMS_2(member_client, ads_account):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    other = AccountFactory(phone="+14155550124")
    events_before = ConsentEvent.objects.count()

    confirm = member_client.get(reverse("phone") + "?delete")
    assert "Delete +1 415-555-0123?" in confirm.content.decode()
    assert PhoneNumber.objects.filter(account=ads_account).exists()

    response = member_client.post(reverse("phone"), {"action": "delete"}, follow=True)

    assert "Your phone number was deleted." in response.content.decode()
    assert not PhoneNumber.objects.filter(account=ads_account).exists()
    assert PhoneNumber.objects.filter(account=other).exists()
    assert ConsentEvent.objects.count() == events_before, "the number leaves no trace in the consent trail"


def test_unknown_phone_action_is_400(member_client):
    assert member_client.post(reverse("phone"), {"action": "steal"}).status_code == HTTPStatus.BAD_REQUEST
