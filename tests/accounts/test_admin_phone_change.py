"""Support staff changing a member's phone number (R-AU-1, R-AU-4): whoever holds the number can reset the password
by text, so it needs a permission of its own (change_account_phone, apart from change_account), goes through
accounts.services, is recorded on the consent trail without either number, and the member is told at their
sign-in address."""

from datetime import UTC, datetime
from http import HTTPStatus
from typing import cast

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import services
from accounts.models import Account, PhoneNumber
from consent.choices import Choice, Source
from tests.factories import AccountFactory
from tests.helpers import (
    VIEW_ONLY,
    admin_account_url,
    change_form_data,
    last_event_id,
    reads_in,
    signed_in,
    staff_with,
    trail_since,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
EMAIL = "member@example.com"
OLD, NEW = "+14155550123", "+14155550199"
MAY_CHANGE = (*VIEW_ONLY, "change_account", "add_phonenumber", "change_phonenumber", "delete_phonenumber")
MAY_CHANGE_PHONE = (*MAY_CHANGE, "change_account_phone")


@pytest.fixture
def member() -> Account:
    return cast(Account, AccountFactory(email=EMAIL, phone=OLD, region="US-CA"))


def stored_number(account: Account) -> str | None:
    number = PhoneNumber.objects.filter(account=account).values_list("number", flat=True).first()
    return None if number is None else str(number)


def test_changing_a_members_phone_needs_its_own_permission__R_AU_4(member, django_capture_on_commit_callbacks):
    client = signed_in(staff_with(*MAY_CHANGE))
    page = client.get(admin_account_url(member)).content.decode()
    assert 'name="phone-0-number"' not in page, "read-only: shown, not editable"
    mark = last_event_id()

    with django_capture_on_commit_callbacks(execute=True):
        data = change_form_data(client, admin_account_url(member), region="US-TX")
        data.update(
            {
                "phone-TOTAL_FORMS": "1",
                "phone-INITIAL_FORMS": "1",
                "phone-0-number": NEW,
                "phone-0-id": str(member.phone.pk),
                "phone-0-account": str(member.pk),
            }
        )
        response = client.post(admin_account_url(member), data)

    assert response.status_code == HTTPStatus.FOUND, "the rest of the form saves; the forged number is ignored"
    assert stored_number(member) == OLD
    assert Account.objects.values_list("region", flat=True).get(pk=member.pk) == "US-TX"
    assert (trail_since(mark, leave_out=("jurisdiction",)), mail.outbox) == ([], [])


def test_without_the_permission_staff_cannot_delete_the_phone_either__R_AU_4(member):
    client = signed_in(staff_with(*MAY_CHANGE))
    data = change_form_data(client, admin_account_url(member))
    data.update(
        {
            "phone-TOTAL_FORMS": "1",
            "phone-INITIAL_FORMS": "1",
            "phone-0-DELETE": "on",
            "phone-0-id": str(member.phone.pk),
            "phone-0-account": str(member.pk),
        }
    )
    client.post(admin_account_url(member), data)
    assert stored_number(member) == OLD


@time_machine.travel(NOW, tick=False)
def test_staff_change_a_phone_on_the_trail_without_numbers_and_the_member_is_told__R_AU_4_R_AU_1(
    member, django_capture_on_commit_callbacks
):
    staff = staff_with(*MAY_CHANGE_PHONE)
    client = signed_in(staff)
    mark = last_event_id()

    with django_capture_on_commit_callbacks(execute=True):
        data = change_form_data(client, admin_account_url(member), **{"phone-0-number": NEW})
        response = client.post(admin_account_url(member), data)

    assert response.status_code == HTTPStatus.FOUND
    assert stored_number(member) == NEW
    assert trail_since(mark, leave_out=("jurisdiction",)) == [
        (member.pk, None, Choice.PHONE_CHANGED, False, True, Source.ADMIN, staff.pk, {}, NOW)
    ]
    [notice] = mail.outbox
    assert (notice.to, notice.subject) == ([EMAIL], "The phone number on your Privacy Center account was changed")
    assert "changed by our support team on 25 November 2026 at 12:30 UTC" in notice.body
    assert "contact Privacy Center member support" in notice.body
    for number in (OLD, NEW, OLD[-4:], NEW[-4:]):
        assert number not in notice.body + notice.subject + repr(trail_since(mark, leave_out=("jurisdiction",)))


def test_a_member_changing_their_own_number_is_not_told_about_it(member, django_capture_on_commit_callbacks):
    mark = last_event_id()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.phone_set(account=member, number=NEW, acting_user=member) is True
        assert services.phone_set(account=member, number=OLD) is True
    assert (trail_since(mark, leave_out=("jurisdiction",)), mail.outbox) == ([], [])


def test_the_same_number_again_is_no_change(member, django_capture_on_commit_callbacks):
    staff = staff_with(*MAY_CHANGE_PHONE)
    mark = last_event_id()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.phone_set(account=member, number=OLD, acting_user=staff) is False
    assert (trail_since(mark, leave_out=("jurisdiction",)), mail.outbox) == ([], [])


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(number=st.text(max_size=40) | st.from_regex(r"\+1415555\d{4}", fullmatch=True))
def test_any_posted_number_is_saved_or_a_form_error_never_a_server_error(member, number):
    client = signed_in(staff_with(*MAY_CHANGE_PHONE))
    data = change_form_data(client, admin_account_url(member), **{"phone-0-number": number})
    response = client.post(admin_account_url(member), data)
    assert response.status_code in {HTTPStatus.FOUND, HTTPStatus.OK}


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("member_language", "subject", "when"),
    [
        (
            "es",
            "Se cambió el número de teléfono de tu cuenta de Privacy Center",
            "el 25 de noviembre de 2026, 12:30",
        ),
        ("en", "The phone number on your Privacy Center account was changed", "on 25 November 2026 at 12:30 UTC"),
    ],
)
def test_the_phone_change_notice_is_in_the_members_language_not_the_staff_members__R_I18N_1(
    django_capture_on_commit_callbacks, member_language, subject, when
):
    """R-I18N-1: the notice follows the member's language; the staff member's admin is in the other one."""
    member = reads_in(member_language, email=EMAIL, phone=OLD, region="US-CA")
    client = signed_in(staff_with(*MAY_CHANGE_PHONE))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en" if member_language == "es" else "es"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            admin_account_url(member), change_form_data(client, admin_account_url(member), **{"phone-0-number": NEW})
        )

    [notice] = mail.outbox
    assert notice.subject == subject
    assert when in notice.body
    assert NEW not in notice.body
    assert OLD not in notice.body
