"""Change phone number and Delete phone number (SPEC §3, R-SMS-2): both ask for the password again."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import PhoneNumber
from consent.choices import Choice, Source
from consent.models import ConsentEvent
from tests.factories import PASSWORD, AccountFactory
from tests.helpers import events_since, last_event_id

pytestmark = pytest.mark.django_db


def test_account_page_links_to_change_phone_number(member_client):
    assert 'href="/account/phone/">Change phone number' in member_client.get(reverse("account")).content.decode()


def test_change_phone_number_stores_e164(member_client, ads_account):
    response = member_client.post(
        reverse("phone"), {"action": "change", "number": "+1 (415) 555-0199", "password": PASSWORD}, follow=True
    )
    assert "Your phone number was saved." in response.content.decode()
    assert str(PhoneNumber.objects.get(account=ads_account).number) == "+14155550199"
    page = member_client.get(reverse("phone")).content.decode()
    assert "Your phone number is <strong>+1 415-555-0199</strong>." in page
    assert 'name="number" value="+14155550199"' in page, "the form starts from the stored number"


@pytest.mark.parametrize("password", ["", "wrong-password", PASSWORD.upper()])
def test_changing_the_number_asks_for_the_password_again__R_SMS_2(member_client, ads_account, password):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    response = member_client.post(
        reverse("phone"), {"action": "change", "number": "+14155550199", "password": password}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'name="password"' in response.content.decode()
    assert str(PhoneNumber.objects.get(account=ads_account).number) == "+14155550123"


@pytest.mark.parametrize(
    "number",
    [
        "12ab",  # letters
        "+1415555012345678901234",  # too long
        "+999 123",  # no such region
        "020 7946 0958",  # a UK number without its country code reads as a (wrong) US one
        "+\uff11\uff14\uff11\uff15\uff15\uff15\uff15\uff10\uff11\uff19\uff19",  # fullwidth (unicode) digits
        "+1415\u0665\u0665\u06650199",  # Arabic-Indic digits mixed in
        "",  # empty
        "   ",
    ],
)
def test_malformed_phone_number_gets_a_form_error_and_changes_nothing(member_client, ads_account, number):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    mark = last_event_id()
    response = member_client.post(reverse("phone"), {"action": "change", "number": number, "password": PASSWORD})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'class="error"' in response.content.decode()
    assert str(PhoneNumber.objects.get(account=ads_account).number) == "+14155550123"
    assert events_since(mark) == []


def test_delete_asks_for_confirmation_and_the_password_then_removes_the_number__R_SMS_2(member_client, ads_account):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    other = AccountFactory(phone="+14155550123")  # the same number on another account stays there
    mark = last_event_id()

    confirm = member_client.get(reverse("phone") + "?delete")
    assert "Delete +1 415-555-0123?" in confirm.content.decode()
    assert 'name="password"' in confirm.content.decode()

    refused = member_client.post(reverse("phone"), {"action": "delete", "password": "nope"})
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert PhoneNumber.objects.filter(account=ads_account).exists()
    assert events_since(mark) == []

    response = member_client.post(reverse("phone"), {"action": "delete", "password": PASSWORD}, follow=True)

    html = response.content.decode()
    assert "Your phone number was deleted." in html
    assert "555-0123" not in html
    assert "Text message preferences" not in html
    assert not PhoneNumber.objects.filter(account=ads_account).exists()
    assert PhoneNumber.objects.filter(account=other).exists()
    # The trail records that it happened, never the number.
    assert events_since(mark) == [(None, Choice.PHONE_ON_FILE, True, False, Source.MEMBER, ads_account.email)]
    event = ConsentEvent.objects.get(choice=Choice.PHONE_ON_FILE)
    assert "5550123" not in repr(ConsentEvent.objects.filter(pk=event.pk).values().get())


def test_deleting_without_a_number_does_nothing(member_client, ads_account):
    mark = last_event_id()
    response = member_client.post(reverse("phone"), {"action": "delete", "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    assert events_since(mark) == []


def test_unknown_phone_action_is_400(member_client):
    assert member_client.post(reverse("phone"), {"action": "steal"}).status_code == HTTPStatus.BAD_REQUEST
