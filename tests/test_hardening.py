"""Issue 6: bad input, invisible names, phone numbers in the admin's history, caching and sign-in records."""

import logging
from datetime import timedelta
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import PhoneNumber, Profile
from accounts.services import profile_create
from tests.factories import PASSWORD, AccountFactory
from tests.helpers import profile_named

pytestmark = pytest.mark.django_db


# --- defect 5: "Who's watching?" next ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_value",
    [
        "foo",
        "null",
        "#",
        "account",
        "admin:index",
        "line\nbreak",
        "/ok\r\nSet-Cookie: x=1",
        "//evil.example/",
        "//",
        "/\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\x00",
        " /account/",
        "",
    ],
)
def test_whos_watching_next_that_is_not_a_safe_local_path_goes_to_the_account_page(
    member_client, ads_account, next_value, caplog
):
    sam = profile_named(ads_account, "Sam")
    with caplog.at_level(logging.WARNING):
        response = member_client.post(reverse("profiles"), {"profile": str(sam.pk), "next": next_value})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("account")
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_whos_watching_next_that_is_a_local_path_is_followed(member_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    target = reverse("consent:privacy", kwargs={"profile": sam.pk}) + "?from=picker"
    response = member_client.post(reverse("profiles"), {"profile": str(sam.pk), "next": target})
    assert response["Location"] == target


def test_whos_watching_page_only_carries_a_safe_next_into_its_forms(member_client):
    html = member_client.get(reverse("profiles"), {"next": "foo"}).content.decode()
    assert 'name="next" value="foo"' not in html
    assert html.count('name="next"') == html.count('name="action" value="accept_all"'), "only the cookie banner's"
    html = member_client.get(reverse("profiles"), {"next": "/account/"}).content.decode()
    assert 'name="next" value="/account/"' in html


# --- defect 6: profile names ---------------------------------------------------------------------------------

INVISIBLE_OR_CONTROL_NAMES = {
    "ansi escape": "\x1b[31mRed",
    "newline": "Sam\nAdmin",
    "tab": "Sam\tX",
    "bel": "Sam\x07",
    "del": "Sam\x7f",
    "right-to-left override": "\u202eevil",
    "zero-width only": "\u200b\u200b",
    "bom only": "\ufeff",
    "zero-width joiner inside": "Sa\u200dm",
    "hangul filler only": "\u3164",
    "combining mark only": "\u0301",
    "line separator": "Sam\u2028Bob",
    "spaces only": "   \u3000 ",
}


@pytest.mark.parametrize("name", INVISIBLE_OR_CONTROL_NAMES.values(), ids=INVISIBLE_OR_CONTROL_NAMES.keys())
def test_profile_names_with_control_or_invisible_characters_are_refused_on_the_members_form(
    member_client, ads_account, name
):
    response = member_client.post(reverse("profile_add"), {"name": name})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert ads_account.profiles.count() == 3


@pytest.mark.parametrize("name", INVISIBLE_OR_CONTROL_NAMES.values(), ids=INVISIBLE_OR_CONTROL_NAMES.keys())
def test_profile_names_with_control_or_invisible_characters_are_refused_in_the_admin(client, staff, ads_account, name):
    client.force_login(staff)
    sam = profile_named(ads_account, "Sam")
    response = client.post(reverse("admin:accounts_profile_change", args=[sam.pk]), {"name": name})
    assert response.status_code == HTTPStatus.OK  # the form again, with its error
    assert 'class="errorlist' in response.content.decode()
    assert Profile.objects.get(pk=sam.pk).name == "Sam"


@pytest.mark.parametrize("name", INVISIBLE_OR_CONTROL_NAMES.values(), ids=INVISIBLE_OR_CONTROL_NAMES.keys())
def test_profile_names_with_control_or_invisible_characters_are_refused_by_the_service(ads_account, name):
    with pytest.raises(ValidationError):
        profile_create(account=ads_account, name=name, acting_user=None)
    assert ads_account.profiles.count() == 3


def test_profile_names_are_stored_nfc_and_trimmed(member_client, ads_account):
    decomposed = "  Ame\u0301lie\u00a0 "  # e + combining acute, no-break space at the end
    response = member_client.post(reverse("profile_add"), {"name": decomposed})
    assert response.status_code == HTTPStatus.FOUND
    assert ads_account.profiles.filter(name="Amélie").exists()


def test_profile_names_keep_letters_of_every_script_and_emoji(ads_account):
    for name in ("Zoë", "محمد", "李雷", "🎬 Movie night", "O'Brien-Smith", "Ω"):
        assert profile_create(account=ads_account, name=name, acting_user=None).name == name
        Profile.objects.filter(account=ads_account, slot__gt=3).delete()


def test_admin_inline_cannot_rename_profiles_so_names_change_only_through_the_validated_profile_page(
    client, staff, ads_account
):
    """The account page lists profiles read-only; a forged inline edit is ignored (the profile page, tested
    above, is where a name changes, through the same validation)."""
    client.force_login(staff)
    profiles = list(ads_account.profiles.order_by("slot"))
    data = {
        "email": ads_account.email,
        "plan": ads_account.plan,
        "region": ads_account.region,
        "is_active": "on",
        "profiles-TOTAL_FORMS": str(len(profiles)),
        "profiles-INITIAL_FORMS": str(len(profiles)),
        "phone-TOTAL_FORMS": "0",
        "phone-INITIAL_FORMS": "0",
    }
    for i, profile in enumerate(profiles):
        data |= {f"profiles-{i}-id": str(profile.pk), f"profiles-{i}-account": str(ads_account.pk)}
        data[f"profiles-{i}-name"] = "\u202eevil" if profile.name == "Sam" else profile.name
    response = client.post(reverse("admin:accounts_account_change", args=[ads_account.pk]), data)
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.FOUND}
    assert profile_named(ads_account, "Sam")
    assert not ads_account.profiles.filter(name__contains="\u202e").exists()


# --- defect 7: a deleted phone number leaves no copy -----------------------------------------------------------


def test_deleting_a_phone_in_the_admin_keeps_no_copy_of_the_number_in_the_admin_log__R_SMS_2(client, staff):
    member = AccountFactory(email="phone@example.com")
    client.force_login(staff)
    change = reverse("admin:accounts_account_change", args=[member.pk])
    base = {
        "email": member.email,
        "plan": member.plan,
        "region": member.region,
        "is_active": "on",
        "profiles-TOTAL_FORMS": "0",
        "profiles-INITIAL_FORMS": "0",
    }
    added = client.post(
        change,
        base | {"phone-TOTAL_FORMS": "1", "phone-INITIAL_FORMS": "0", "phone-0-number": "+14155550123"},
    )
    assert added.status_code == HTTPStatus.FOUND
    phone = PhoneNumber.objects.get(account=member)
    changed = client.post(
        change,
        base
        | {
            "phone-TOTAL_FORMS": "1",
            "phone-INITIAL_FORMS": "1",
            "phone-0-id": str(phone.pk),
            "phone-0-account": str(member.pk),
            "phone-0-number": "+14155550199",
        },
    )
    assert changed.status_code == HTTPStatus.FOUND
    deleted = client.post(
        change,
        base
        | {
            "phone-TOTAL_FORMS": "1",
            "phone-INITIAL_FORMS": "1",
            "phone-0-id": str(phone.pk),
            "phone-0-account": str(member.pk),
            "phone-0-number": "+14155550199",
            "phone-0-DELETE": "on",
        },
    )
    assert deleted.status_code == HTTPStatus.FOUND
    assert not PhoneNumber.objects.filter(account=member).exists()
    # The consent trail says that staff deleted it, not what it was.
    from consent.models import ConsentEvent

    event = ConsentEvent.objects.filter(account=member, choice="phone_on_file").values().get()
    assert (event["old_value"], event["new_value"], event["source"]) == (True, False, "admin")
    assert event["acting_user_id"] == staff.pk
    assert "555" not in repr(event)

    entries = list(LogEntry.objects.values_list("object_repr", "change_message"))
    assert len(entries) == 3
    for digits in ("4155550123", "4155550199", "415"):
        assert not any(digits in repr_ + message for repr_, message in entries), entries
    history = client.get(reverse("admin:accounts_account_history", args=[member.pk])).content.decode()
    assert "555" not in history


# --- defect 11: caching, sign-in records, phone extensions ------------------------------------------------------


@pytest.mark.parametrize("page", ["profiles", "account", "phone", "profile_add"])
def test_pages_showing_personal_data_are_not_stored_by_caches(member_client, page):
    response = member_client.get(reverse(page))
    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_privacy_page_is_not_stored_by_caches(member_client, ads_account):
    response = member_client.get(profile_named(ads_account, "Alex").get_absolute_url())
    assert "no-store" in response["Cache-Control"]


def test_public_landing_page_may_be_cached_when_signed_out(client):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_successful_sign_in_keeps_no_access_log_of_email_ip_and_user_agent(client, ads_account):
    response = client.post(
        reverse("login"), {"username": ads_account.email, "password": PASSWORD}, HTTP_USER_AGENT="Browser/1.0"
    )
    assert response.status_code == HTTPStatus.FOUND
    assert AccessLog.objects.count() == 0


def test_login_records_are_purged_after_the_documented_period(ads_account, settings):
    settings.LOGIN_RECORD_RETENTION_DAYS = 30
    now = timezone.now()

    def attempt(age: timedelta, username: str) -> None:
        AccessAttempt.objects.create(username=username, ip_address="127.0.0.1", user_agent="UA", failures_since_start=1)
        AccessAttempt.objects.filter(username=username).update(attempt_time=now - age)

    attempt(timedelta(hours=2), "old@example.com")  # cool-off (15 minutes) is over: no longer needed
    attempt(timedelta(minutes=1), "recent@example.com")  # still counts towards a lock-out
    AccessLog.objects.create(username="a@example.com", ip_address="127.0.0.1", user_agent="UA")
    AccessLog.objects.filter(username="a@example.com").update(attempt_time=now - timedelta(days=31))
    AccessLog.objects.create(username="b@example.com", ip_address="127.0.0.1", user_agent="UA")

    call_command("purge_login_records", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["recent@example.com"]
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["b@example.com"]


@pytest.mark.parametrize("number", ["+1 415 555 0123 ext. 12", "+14155550123;ext=5", "+1 415 555 0123 x7"])
def test_phone_numbers_with_an_extension_are_refused_not_truncated(member_client, ads_account, number):
    response = member_client.post(reverse("phone"), {"action": "change", "number": number})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "without an extension" in response.content.decode()
    assert not PhoneNumber.objects.filter(account=ads_account).exists()


# --- defect 9 (the part that runs in-process): no manifest is not a 500 ----------------------------------------


def test_production_storage_without_collectstatic_serves_pages_not_500(client, tmp_path, caplog):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "common.storage.ForgivingManifestStaticFilesStorage"},
    }
    with (
        override_settings(STORAGES=storages, STATIC_ROOT=tmp_path, WHITENOISE_USE_FINDERS=False),
        caplog.at_level(logging.ERROR, logger="common.static"),
    ):
        response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    assert "/static/css/site.css" in response.content.decode()
    assert "collectstatic" in caplog.text


def test_the_friendly_error_page_needs_no_template_context():
    assert "Something went wrong" in render_to_string("500.html")


def test_whos_watching_with_a_malformed_choice_re_renders_the_page_with_a_message(member_client):
    response = member_client.post(reverse("profiles"), {"profile": "not-a-uuid"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["Content-Type"].startswith("text/html")
    assert "Choose one of your profiles." in response.content.decode()


def test_phone_page_with_an_unknown_action_re_renders_the_page_with_a_message(member_client, ads_account):
    response = member_client.post(reverse("phone"), {"action": "explode"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["Content-Type"].startswith("text/html")
    assert "That request was not understood" in response.content.decode()


@pytest.mark.parametrize("url_name", ["home", "profiles", "account", "phone", "cookies", "privacy_statement"])
def test_head_requests_answer_like_get(member_client, url_name):
    assert member_client.head(reverse(url_name)).status_code == HTTPStatus.OK
