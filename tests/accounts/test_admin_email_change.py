"""Support staff changing the address a member signs in with (R-AU-1, R-AU-4): it needs a permission of its own
(change_account_email, apart from change_account), goes through accounts.services (normalised, unique,
atomic), is recorded on the consent trail without either address, and tells the old address."""

import logging
import smtplib
from datetime import UTC, datetime
from http import HTTPStatus
from typing import cast

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from accounts import services
from accounts.models import Account
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
OLD = "old.address@example.com"
NEW = "new.address@example.org"
MAY_CHANGE = (*VIEW_ONLY, "change_account")
MAY_CHANGE_EMAIL = (*MAY_CHANGE, "change_account_email")


@pytest.fixture
def member() -> Account:
    return cast(Account, AccountFactory(email=OLD, region="US-CA"))


def stored_email(account: Account) -> str:
    return Account.objects.values_list("email", flat=True).get(pk=account.pk)


def test_changing_a_members_email_needs_its_own_permission__R_AU_4(member, django_capture_on_commit_callbacks):
    client = signed_in(staff_with(*MAY_CHANGE))
    page = client.get(admin_account_url(member)).content.decode()
    assert 'name="email"' not in page, "read-only: shown, not editable"
    assert OLD in page
    mark = last_event_id()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            admin_account_url(member),
            change_form_data(client, admin_account_url(member), region="US-TX") | {"email": NEW},
        )

    assert response.status_code == HTTPStatus.FOUND, "the rest of the form saves; the forged address is ignored"
    assert Account.objects.values_list("email", "region").get(pk=member.pk) == (OLD, "US-TX")
    assert trail_since(mark) == []
    assert mail.outbox == []


def test_the_email_permission_alone_changes_nothing__R_AU_4(member):
    client = signed_in(staff_with(*VIEW_ONLY, "change_account_email"))
    response = client.post(admin_account_url(member), {"email": NEW})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert stored_email(member) == OLD


@time_machine.travel(NOW, tick=False)
def test_staff_change_an_email_normalised_and_on_the_trail_without_addresses__R_AU_4_R_AU_1(
    member, django_capture_on_commit_callbacks
):
    staff = staff_with(*MAY_CHANGE_EMAIL)
    client = signed_in(staff)
    mark = last_event_id()

    with django_capture_on_commit_callbacks(execute=True):
        data = change_form_data(client, admin_account_url(member), email="  New.Address@EXAMPLE.org ")
        response = client.post(admin_account_url(member), data)

    assert response.status_code == HTTPStatus.FOUND
    assert stored_email(member) == NEW
    assert trail_since(mark) == [
        (member.pk, None, Choice.EMAIL_CHANGED, False, True, Source.ADMIN, staff.pk, "US-CA", {}, NOW)
    ]
    assert "@" not in repr(trail_since(mark))


def test_the_old_address_is_told_by_email_and_the_new_one_is_not_named(member, django_capture_on_commit_callbacks):
    client = signed_in(staff_with(*MAY_CHANGE_EMAIL))

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        client.post(admin_account_url(member), change_form_data(client, admin_account_url(member), email=NEW))

    [notice] = mail.outbox
    assert (notice.to, notice.subject) == ([OLD], "Your Privacy Center sign-in email address was changed")
    assert "changed by our support team on 25 November 2026 at 12:30 UTC" in notice.body
    assert "contact Privacy Center member support" in notice.body
    assert NEW not in notice.body + notice.subject
    assert "new.address" not in notice.body


def test_an_address_another_account_uses_is_a_form_error_whatever_its_case__R_AU_4(
    member, django_capture_on_commit_callbacks
):
    AccountFactory(email="taken@example.com")
    client = signed_in(staff_with(*MAY_CHANGE_EMAIL))
    mark = last_event_id()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            admin_account_url(member), change_form_data(client, admin_account_url(member), email="TAKEN@example.com")
        )

    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors["email"]
    assert stored_email(member) == OLD
    assert (trail_since(mark), mail.outbox) == ([], [])


def test_saving_the_same_address_in_another_case_is_no_change(member, django_capture_on_commit_callbacks):
    staff = staff_with(*MAY_CHANGE_EMAIL)
    mark = last_event_id()
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.account_change_email(account=member, email=" OLD.Address@example.com", acting_user=staff)
    assert changed is False
    assert (stored_email(member), trail_since(mark), mail.outbox) == (OLD, [], [])


def test_the_service_refuses_a_taken_or_invalid_address_and_writes_nothing(member, django_capture_on_commit_callbacks):
    AccountFactory(email="taken@example.com")
    staff = staff_with(*MAY_CHANGE_EMAIL)
    mark = last_event_id()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(services.EmailTaken):
            services.account_change_email(account=member, email="Taken@Example.com", acting_user=staff)
        for invalid in ("not an address", "", "a" * 250 + "@example.com"):
            with pytest.raises(ValidationError):
                services.account_change_email(account=member, email=invalid, acting_user=staff)
    assert (stored_email(member), trail_since(mark), mail.outbox) == (OLD, [], [])


def test_a_change_rolled_back_leaves_no_event_and_sends_no_notice(member, django_capture_on_commit_callbacks):
    staff = staff_with(*MAY_CHANGE_EMAIL)
    mark = last_event_id()

    def change_then_fail() -> None:
        with transaction.atomic():
            services.account_change_email(account=member, email=NEW, acting_user=staff)
            raise RuntimeError("the surrounding work failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        change_then_fail()
    assert (stored_email(member), trail_since(mark), mail.outbox) == (OLD, [], [])


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses the recipient, naming it in its error, as SMTP servers do."""

    def send_messages(self, email_messages):
        recipients = [to for message in email_messages for to in message.to]
        raise smtplib.SMTPRecipientsRefused({to: (550, b"no such mailbox") for to in recipients})


def test_a_refused_notice_keeps_the_change_and_logs_no_address(
    member, django_capture_on_commit_callbacks, caplog, settings
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    staff = staff_with(*MAY_CHANGE_EMAIL)
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        assert services.account_change_email(account=member, email=NEW, acting_user=staff) is True
    assert stored_email(member) == NEW
    assert [record.getMessage() for record in caplog.records] == [
        f"The email-change notice for account {member.pk} was not sent (SMTPRecipientsRefused)."
    ]
    assert "@" not in caplog.text


@pytest.mark.parametrize("staff_language", ["en", "es"])
def test_the_email_change_notice_is_in_the_members_language_not_the_staff_members__R_I18N_1(
    django_capture_on_commit_callbacks, staff_language
):
    """R-I18N-1: a member who reads Spanish is told in Spanish, with the date in Spanish, whichever language the
    admin is in."""
    member = reads_in("es", email=OLD, region="US-CA")
    client = signed_in(staff_with(*MAY_CHANGE_EMAIL))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = staff_language

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        client.post(admin_account_url(member), change_form_data(client, admin_account_url(member), email=NEW))

    [notice] = mail.outbox
    assert notice.subject == "Se cambió el correo electrónico con el que inicias sesión en Privacy Center"
    assert "el 25 de noviembre de 2026, 12:30 UTC." in notice.body
    assert "comunícate de inmediato con el equipo de asistencia para miembros de Privacy Center" in notice.body
    assert NEW not in notice.body


def test_the_email_change_notice_to_a_member_without_a_language_is_in_english_whatever_the_admins__R_I18N_1(
    member, django_capture_on_commit_callbacks
):
    client = signed_in(staff_with(*MAY_CHANGE_EMAIL))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        client.post(admin_account_url(member), change_form_data(client, admin_account_url(member), email=NEW))

    [notice] = mail.outbox
    assert notice.subject == "Your Privacy Center sign-in email address was changed"
    assert "changed by our support team on 25 November 2026 at 12:30 UTC." in notice.body
