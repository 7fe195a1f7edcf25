"""Who may do what in the admin (R-AU-4; docs/rules.md, Qualities): every action and editable field is tried by
view-only staff, by staff without the permission it needs, and by the user on their own account. Only superusers change
privileges (their own never), groups, and staff accounts with their profiles."""

from http import HTTPStatus
from typing import cast

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import Account
from consent.choices import Choice, Source
from consent.models import Jurisdiction
from tests.factories import PASSWORD, AccountFactory
from tests.helpers import events_since, last_event_id, mic_ba, profile_named, staff_with

pytestmark = pytest.mark.django_db

VIEW_ONLY = ["view_account", "view_profile", "view_consentevent", "view_phonenumber"]


def superuser_with_a_profile() -> Account:
    boss = cast(Account, AccountFactory(email="boss@example.com", primary_profile_name="Boss"))
    Account.objects.filter(pk=boss.pk).update(is_staff=True, is_superuser=True)
    return Account.objects.get(pk=boss.pk)


def signed_in(client, user: Account):
    client.force_login(user)
    return client


def account_form(account: Account, **changes) -> dict:
    """The account change form as the admin posts it, inline management forms included."""
    data = {
        "email": account.email,
        "plan": account.plan,
        "region": account.region,
        "is_active": "on" if account.is_active else "",
        "profiles-TOTAL_FORMS": "0",
        "profiles-INITIAL_FORMS": "0",
        "profiles-MIN_NUM_FORMS": "0",
        "profiles-MAX_NUM_FORMS": "1000",
        "phone-TOTAL_FORMS": "0",
        "phone-INITIAL_FORMS": "0",
        "phone-MIN_NUM_FORMS": "0",
        "phone-MAX_NUM_FORMS": "1",
        **changes,
    }
    return {k: v for k, v in data.items() if v != ""}


def run_action(client, changelist: str, action: str, selected: list[str]):
    return client.post(reverse(changelist), {"action": action, "_selected_action": selected, "index": "0"})


# --- actions ------------------------------------------------------------------------------------------------


def test_admin_opt_out_actions_need_change_permission_view_only_staff_gets_403(client, ads_account):
    client = signed_in(client, staff_with(*VIEW_ONLY))
    mark = last_event_id()

    page = client.get(reverse("admin:accounts_account_changelist")).content.decode()
    assert "opt_accounts_out_of_all" not in page
    assert "opt_profiles_out_of_all" not in client.get(reverse("admin:accounts_profile_changelist")).content.decode()

    sam = profile_named(ads_account, "Sam")
    account_run = run_action(
        client, "admin:accounts_account_changelist", "opt_accounts_out_of_all", [str(ads_account.pk)]
    )
    profile_run = run_action(client, "admin:accounts_profile_changelist", "opt_profiles_out_of_all", [str(sam.pk)])

    assert (account_run.status_code, profile_run.status_code) == (HTTPStatus.FORBIDDEN, HTTPStatus.FORBIDDEN)
    assert events_since(mark) == []
    assert {mic for _, mic, _ in mic_ba(ads_account)} == {True}


def test_admin_account_action_needs_change_account_not_just_change_profile(client, ads_account):
    client = signed_in(client, staff_with(*VIEW_ONLY, "change_profile"))
    mark = last_event_id()
    response = run_action(client, "admin:accounts_account_changelist", "opt_accounts_out_of_all", [str(ads_account.pk)])
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert events_since(mark) == []


def test_admin_profile_action_needs_change_profile_not_just_change_account(client, ads_account):
    client = signed_in(client, staff_with(*VIEW_ONLY, "change_account"))
    mark = last_event_id()
    sam = profile_named(ads_account, "Sam")
    response = run_action(client, "admin:accounts_profile_changelist", "opt_profiles_out_of_all", [str(sam.pk)])
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert events_since(mark) == []


def test_admin_actions_run_for_staff_with_change_permission(client, ads_account):
    staff = staff_with(*VIEW_ONLY, "change_account", "change_profile")
    client = signed_in(client, staff)
    mark = last_event_id()
    sam = profile_named(ads_account, "Sam")
    response = run_action(client, "admin:accounts_profile_changelist", "opt_profiles_out_of_all", [str(sam.pk)])
    assert response.status_code == HTTPStatus.FOUND
    assert events_since(mark) == [
        ("Sam", Choice.MIC, True, False, Source.ADMIN, staff.email),
        ("Sam", Choice.BA, True, False, Source.ADMIN, staff.email),
    ]
    run_action(client, "admin:accounts_account_changelist", "opt_accounts_out_of_all", [str(ads_account.pk)])
    assert {by for *_, by in events_since(mark)} == {staff.email}


def test_admin_unknown_action_is_refused(client, ads_account):
    client = signed_in(client, staff_with(*VIEW_ONLY, "change_account"))
    response = run_action(client, "admin:accounts_account_changelist", "delete_everything", [str(ads_account.pk)])
    assert response.status_code == HTTPStatus.FORBIDDEN


# --- privileges ---------------------------------------------------------------------------------------------


def test_staff_cannot_make_themselves_superuser(client):
    staff = staff_with(*VIEW_ONLY, "change_account")
    client = signed_in(client, staff)
    admins = Group.objects.create(name="admins")
    admins.permissions.set(Permission.objects.all())

    response = client.post(
        reverse("admin:accounts_account_change", args=[staff.pk]),
        account_form(staff, is_superuser="on", is_staff="on", groups=[str(admins.pk)]),
    )

    assert response.status_code == HTTPStatus.FOUND  # the rest of the form saves; privileges are not in it
    staff.refresh_from_db()
    assert (staff.is_superuser, list(staff.groups.all())) == (False, [])


def test_nobody_edits_their_own_privileges_not_even_a_superuser(client):
    superuser = staff_with(superuser=True)
    client = signed_in(client, superuser)
    client.post(
        reverse("admin:accounts_account_change", args=[superuser.pk]),
        account_form(superuser, is_superuser="", is_staff="", is_active=""),
    )
    superuser.refresh_from_db()
    assert (superuser.is_superuser, superuser.is_staff, superuser.is_active) == (True, True, True)


def test_staff_without_superuser_cannot_grant_privileges_to_a_member(client):
    client = signed_in(client, staff_with(*VIEW_ONLY, "change_account"))
    member = AccountFactory()
    response = client.post(
        reverse("admin:accounts_account_change", args=[member.pk]),
        account_form(member, region="US-TX", is_staff="on", is_superuser="on"),
    )
    assert response.status_code == HTTPStatus.FOUND
    member.refresh_from_db()
    assert (member.region, member.is_staff, member.is_superuser) == ("US-TX", False, False)


def test_staff_without_superuser_cannot_change_another_staff_account(client):
    client = signed_in(client, staff_with(*VIEW_ONLY, "change_account", "delete_account"))
    superuser = staff_with(superuser=True)
    url = reverse("admin:accounts_account_change", args=[superuser.pk])
    response = client.post(url, account_form(superuser, email="mine@example.com"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    delete = client.post(reverse("admin:accounts_account_delete", args=[superuser.pk]), {"post": "yes"})
    assert delete.status_code == HTTPStatus.FORBIDDEN
    assert Account.objects.filter(pk=superuser.pk, email=superuser.email).exists()


def test_superuser_can_grant_staff_to_another_account(client):
    client = signed_in(client, staff_with(superuser=True))
    member = AccountFactory()
    response = client.post(
        reverse("admin:accounts_account_change", args=[member.pk]), account_form(member, is_staff="on")
    )
    assert response.status_code == HTTPStatus.FOUND
    member.refresh_from_db()
    assert member.is_staff


@pytest.mark.parametrize("field", ["email", "plan", "region"])
def test_view_only_staff_cannot_change_account_fields(client, field):
    client = signed_in(client, staff_with(*VIEW_ONLY))
    member = AccountFactory()
    changes = {"email": "other@example.com", "plan": "basic", "region": "FR"}
    response = client.post(
        reverse("admin:accounts_account_change", args=[member.pk]), account_form(member, **{field: changes[field]})
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert getattr(Account.objects.get(pk=member.pk), field) == getattr(member, field)


@pytest.mark.parametrize("data", [{"name": "Renamed"}, {"name": "Sam", "is_kids": "on"}])
def test_view_only_staff_cannot_change_profile_fields(client, ads_account, data):
    client = signed_in(client, staff_with(*VIEW_ONLY))
    sam = profile_named(ads_account, "Sam")
    response = client.post(reverse("admin:accounts_profile_change", args=[sam.pk]), data)
    assert response.status_code == HTTPStatus.FORBIDDEN
    sam.refresh_from_db()
    assert (sam.name, sam.is_kids) == ("Sam", False)


def test_staff_with_change_account_only_cannot_change_a_profile(client, ads_account):
    client = signed_in(client, staff_with(*VIEW_ONLY, "change_account"))
    sam = profile_named(ads_account, "Sam")
    response = client.post(reverse("admin:accounts_profile_change", args=[sam.pk]), {"name": "Renamed"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert profile_named(ads_account, "Sam")


def test_view_only_staff_cannot_add_change_or_delete_a_phone_number(client):
    client = signed_in(client, staff_with(*VIEW_ONLY, "change_account"))
    member = AccountFactory(phone="+14155550123")
    phone = member.phone
    client.post(
        reverse("admin:accounts_account_change", args=[member.pk]),
        account_form(
            member,
            **{
                "phone-TOTAL_FORMS": "1",
                "phone-INITIAL_FORMS": "1",
                "phone-0-id": str(phone.pk),
                "phone-0-account": str(member.pk),
                "phone-0-number": "+14155550199",
                "phone-0-DELETE": "on",
            },
        ),
    )
    assert str(Account.objects.get(pk=member.pk).phone.number) == "+14155550123"


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


def test_view_only_staff_cannot_change_a_jurisdiction__R_GPC_9(client):
    client = signed_in(client, staff_with(*VIEW_ONLY, "view_jurisdiction"))
    france = Jurisdiction.objects.get(code="FR")
    response = client.post(reverse("admin:consent_jurisdiction_change", args=[france.pk]), {"code": "FR", "name": "x"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Jurisdiction.objects.get(code="FR").cookie_opt_in_from is not None


def test_signing_in_as_staff_does_not_depend_on_admin_privileges(client):
    staff = staff_with(*VIEW_ONLY)
    response = client.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND


def test_staff_see_the_language_of_a_members_messages_and_cannot_change_it__R_I18N_1(client):
    """R-I18N-1: the account's language (its emails and texts) is the member's own choice, kept by the chooser
    and signing in: view-only staff see it on the account, and staff with change_account cannot change it."""
    member = AccountFactory()
    Account.objects.filter(pk=member.pk).update(language="es")
    viewer = signed_in(client, staff_with(*VIEW_ONLY))
    page = viewer.get(reverse("admin:accounts_account_change", args=[member.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Language of emails and texts" in page.text
    assert "Español" in page.text

    editor = signed_in(client, staff_with(*VIEW_ONLY, "change_account"))
    response = editor.post(
        reverse("admin:accounts_account_change", args=[member.pk]), account_form(member, language="en")
    )
    assert response.status_code == HTTPStatus.FOUND
    assert Account.objects.get(pk=member.pk).language == "es"
