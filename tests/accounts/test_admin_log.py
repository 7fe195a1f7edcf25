"""The admin's own history (django_admin_log) names accounts and phone numbers without personal data: it copies
str(obj) into object_repr, keeps it after the object is gone and shows it on every admin's "Recent actions"."""

import importlib
from http import HTTPStatus

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.models import Account, PhoneNumber
from tests.factories import AccountFactory
from tests.helpers import change_form_data

pytestmark = pytest.mark.django_db


def test_an_account_and_its_phone_are_named_without_personal_data():
    member = AccountFactory(email="named@example.com", phone="+14155550123")
    assert (str(member), str(member.phone)) == (f"Account #{member.pk}", "Phone number")
    assert str(Account(email="new@example.com")) == "New account"


def test_the_admin_log_names_a_changed_account_by_its_number_not_its_email(staff_client):
    member = AccountFactory(email="logged@example.com")
    url = reverse("admin:accounts_account_change", args=[member.pk])
    data = change_form_data(staff_client, url, region="US-TX")
    data.update({"phone-TOTAL_FORMS": "1", "phone-0-number": "+14155550199", "phone-0-account": str(member.pk)})

    assert staff_client.post(url, data).status_code == HTTPStatus.FOUND

    entries = list(LogEntry.objects.values_list("object_repr", "change_message"))
    assert entries == [(f"Account #{member.pk}", entries[0][1])]
    assert "@" not in entries[0][1]
    assert "555" not in entries[0][1]
    history = staff_client.get(reverse("admin:accounts_account_history", args=[member.pk])).content.decode()
    assert "logged@example.com" not in history


def test_admin_log_entries_written_before_are_renamed_without_the_email(staff):
    member = AccountFactory(email="older@example.com", phone="+14155550123")
    for obj, old_repr in ((member, member.email), (member.phone, "+14155550123")):
        LogEntry.objects.create(
            user=staff,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=old_repr,
            action_flag=CHANGE,
            change_message="[]",
        )
    migration = importlib.import_module("accounts.migrations.0006_admin_log_names_accounts_without_email")

    migration.name_objects_without_personal_data(apps, None)

    assert sorted(LogEntry.objects.values_list("object_repr", flat=True)) == [
        f"Account #{member.pk}",
        "Phone number",
    ]
    assert PhoneNumber.objects.filter(account=member).exists(), "only the log is touched"
