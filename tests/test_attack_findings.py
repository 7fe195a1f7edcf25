"""Defects found by the outside review (attack branch), one test per defect, named after it.

Each test failed before its fix; the commit that adds it says why.
"""

from http import HTTPStatus
from typing import cast

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import Account
from tests.factories import AccountFactory, StaffFactory
from tests.helpers import events_since, last_event_id, mic_ba, profile_named

pytestmark = pytest.mark.django_db


def staff_with(*codenames: str, superuser: bool = False) -> Account:
    user = cast(Account, StaffFactory(is_superuser=superuser))
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return Account.objects.get(pk=user.pk)  # fresh: no permission cache


def superuser_with_a_profile() -> Account:
    boss = cast(Account, AccountFactory(email="boss@example.com", primary_profile_name="Boss"))
    Account.objects.filter(pk=boss.pk).update(is_staff=True, is_superuser=True)
    return Account.objects.get(pk=boss.pk)


# --- privileges ------------------------------------------------------------------------------------------------


def test_staff_with_change_group_cannot_grant_their_own_group_permissions(client):
    """Only superusers change privileges: a group's permissions are privileges, so Django's stock Group admin,
    where any staff user with change_group can give their own group every permission, must not be open to them."""
    support = Group.objects.create(name="support")
    staff = staff_with("view_account", "view_group", "change_group", "add_group", "delete_group")
    staff.groups.add(support)
    client.force_login(staff)
    grant = Permission.objects.get(codename="change_account")

    changed = client.post(
        reverse("admin:auth_group_change", args=[support.pk]), {"name": "support", "permissions": [str(grant.pk)]}
    )
    added = client.post(reverse("admin:auth_group_add"), {"name": "mine", "permissions": [str(grant.pk)]})
    deleted = client.post(reverse("admin:auth_group_delete", args=[support.pk]), {"post": "yes"})

    assert (changed.status_code, added.status_code, deleted.status_code) == (HTTPStatus.FORBIDDEN,) * 3
    assert list(support.permissions.all()) == []
    assert list(Group.objects.values_list("name", flat=True)) == ["support"]
    assert not Account.objects.get(pk=staff.pk).has_perm("accounts.change_account")


def test_superuser_still_manages_groups(client):
    boss = staff_with(superuser=True)
    client.force_login(boss)
    grant = Permission.objects.get(codename="view_account")
    response = client.post(reverse("admin:auth_group_add"), {"name": "readers", "permissions": [str(grant.pk)]})
    assert response.status_code == HTTPStatus.FOUND
    assert list(Group.objects.get(name="readers").permissions.all()) == [grant]


def test_staff_without_superuser_cannot_opt_a_staff_account_out_through_the_account_action(client):
    """The change form refuses a non-superuser on a staff account; the bulk action must not be a way around it."""
    boss = superuser_with_a_profile()
    client.force_login(staff_with("view_account", "change_account"))
    mark = last_event_id()
    response = client.post(
        reverse("admin:accounts_account_changelist"),
        {"action": "opt_accounts_out_of_all", "_selected_action": [str(boss.pk)], "index": "0"},
    )
    assert response.status_code in {HTTPStatus.FOUND, HTTPStatus.FORBIDDEN}
    assert events_since(mark) == []
    assert mic_ba(boss) == [("Boss", True, True)]


def test_staff_without_superuser_cannot_change_a_staff_accounts_profile(client):
    """Profiles are part of the account: only superusers change the profiles of staff accounts (name, kids,
    "Opt out of all")."""
    boss = superuser_with_a_profile()
    client.force_login(staff_with("view_account", "view_profile", "change_profile"))
    profile = profile_named(boss, "Boss")
    mark = last_event_id()

    renamed = client.post(
        reverse("admin:accounts_profile_change", args=[profile.pk]), {"name": "Pwned", "_save": "Save"}
    )
    acted = client.post(
        reverse("admin:accounts_profile_changelist"),
        {"action": "opt_profiles_out_of_all", "_selected_action": [str(profile.pk)], "index": "0"},
    )

    assert renamed.status_code == HTTPStatus.FORBIDDEN
    assert acted.status_code in {HTTPStatus.FOUND, HTTPStatus.FORBIDDEN}
    assert profile_named(boss, "Boss")
    assert events_since(mark) == []


def test_superuser_may_still_opt_a_staff_accounts_profile_out(client):
    boss = superuser_with_a_profile()
    client.force_login(staff_with(superuser=True))
    profile = profile_named(boss, "Boss")
    client.post(
        reverse("admin:accounts_profile_changelist"),
        {"action": "opt_profiles_out_of_all", "_selected_action": [str(profile.pk)], "index": "0"},
    )
    assert mic_ba(boss) == [("Boss", False, False)]


# --- bad input in the admin ------------------------------------------------------------------------------------


# --- the privacy page ------------------------------------------------------------------------------------------


# --- the README's commands -------------------------------------------------------------------------------------


def test_stopping_tasks_run_with_ctrl_c_ends_cleanly_without_a_traceback(monkeypatch, capsys):
    """`python3 tasks.py run` is stopped with Ctrl+C; that printed a KeyboardInterrupt traceback from
    subprocess.run, which reads like a crash to a newcomer."""
    import tasks

    def manage(*args: str) -> None:
        if args[0] == "runserver":
            raise KeyboardInterrupt

    monkeypatch.setattr(tasks, "ensure_environment", lambda: None)
    monkeypatch.setattr(tasks, "manage", manage)
    try:
        result = tasks.run()
    except KeyboardInterrupt:
        pytest.fail("Ctrl+C escaped tasks.run() as a traceback")
    assert result == 0
    assert "Stopped." in capsys.readouterr().out
