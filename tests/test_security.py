"""Security (docs/rules.md, Qualities): CSRF on every change, security headers and a Content-Security-Policy without
inline script, deploy checks, bogus headers never a 500, markup in a member's data escaped on every page, and pages with
personal data never stored by a browser's or a proxy's cache."""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import parse_http_date

from accounts.models import PhoneNumber
from common import checks
from tests.factories import ProfileFactory
from tests.helpers import events_since, last_event_id, profile_named

pytestmark = pytest.mark.django_db


def post_endpoints(account) -> list[tuple[str, dict]]:
    alex = profile_named(account, "Alex")
    privacy = reverse("consent:privacy", kwargs={"profile": alex.pk})
    return [
        (reverse("login"), {"username": account.email, "password": "x"}),
        (reverse("logout"), {}),
        (reverse("profiles"), {"profile": str(alex.pk)}),
        (reverse("profile_add"), {"name": "Forged"}),
        (reverse("phone"), {"action": "delete"}),
        (privacy, {"action": "save"}),
        (privacy, {"action": "opt_out_all"}),
        (privacy, {"action": "opt_all_profiles"}),
    ]


def test_every_post_endpoint_refuses_a_request_without_csrf_token(ads_account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ads_account)
    mark = last_event_id()
    for url, data in post_endpoints(ads_account):
        response = client.post(url, data)
        assert response.status_code == HTTPStatus.FORBIDDEN, url
        assert "This form has expired" in response.content.decode()
    assert events_since(mark) == []
    assert ads_account.profiles.count() == 3
    assert "_auth_user_id" in client.session


def test_responses_carry_csp_without_inline_script_and_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_script_or_style():
    for path in (settings.BASE_DIR / "templates").rglob("*.html"):
        text = path.read_text()
        for forbidden in ("<script>", "<style", "style=", "onclick"):
            assert forbidden not in text, path


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_SEC_GPC": "garbage"}, {"HTTP_X_PRIVACY_REGION": "\x00;DROP"}, {"HTTP_COOKIE": "sessionid=tampered"}],
)
def test_bogus_headers_never_produce_a_500(client, headers):
    assert client.get("/", **headers).status_code == HTTPStatus.OK


def test_check_deploy_is_clean_with_production_settings():
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright's event loop; a deployment never has it.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "netflix_privacy.settings.production",
        "DJANGO_SECRET_KEY": "dummy-" + "k3y!" * 16,
        "DJANGO_ALLOWED_HOSTS": "privacy.example.com",
        "DATABASE_URL": "sqlite:///:memory:",
        "SMS_PROVIDER_URL": "https://sms.example.invalid/v1/messages",
        "SMS_PROVIDER_TOKEN": "dummy-provider-token",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


MARKUP = '<script>alert("name")</script>'


def test_a_profile_name_with_markup_is_escaped_on_member_pages_in_the_header_and_in_messages(
    member_client, ads_account
):
    profile = ProfileFactory(account=ads_account, name=MARKUP)
    chosen = member_client.post(reverse("profiles"), {"profile": str(profile.pk)}, follow=True)
    assert f"You are watching as {escape(MARKUP)}." in chosen.content.decode()
    for url in (
        profile.get_absolute_url(),
        reverse("account"),
        reverse("profiles"),
        reverse("consent:emails", kwargs={"profile": profile.pk}),
    ):
        html = member_client.get(url).content.decode()
        assert "<script" not in html, url
        assert f"Watching as {escape(MARKUP)}</a>" in html, url
        assert f"{escape(MARKUP)}" in html.split("</header>", 1)[1], url


def member_pages(account) -> list[str]:
    alex = profile_named(account, "Alex")
    return [
        reverse("home"),
        reverse("profiles"),
        reverse("account"),
        reverse("phone"),
        reverse("phone") + "?delete",
        reverse("profile_add"),
        alex.get_absolute_url(),
        reverse("consent:emails", kwargs={"profile": alex.pk}),
        reverse("consent:texts"),
        reverse("cookies"),
        reverse("privacy_statement"),
    ]


@pytest.mark.time_machine(datetime(2027, 5, 4, 10, 0, tzinfo=UTC), tick=False)
def test_pages_for_a_signed_in_member_are_never_stored_and_answer_head_like_get(member_client, ads_account):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    for url in member_pages(ads_account):
        for method in (member_client.get, member_client.head):
            response = method(url)
            assert response.status_code == HTTPStatus.OK, url
            directives = {each.strip() for each in response["Cache-Control"].split(",")}
            assert {"no-store", "private"} <= directives, url
            assert parse_http_date(response["Expires"]) <= time.time(), "already expired"


def test_the_public_landing_page_may_be_cached_when_signed_out(client):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


@pytest.mark.parametrize(
    ("overrides", "refused"),
    [
        ({"SMS_BACKEND": "common.sms.backends.ConsoleBackend"}, "common.E001"),
        (
            {"SMS_BACKEND": "common.sms.backends.HttpBackend", "SMS_PROVIDER_URL": "http://sms.example.invalid/"},
            "common.E002",
        ),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "common.E003"),
        ({"EMAIL_BACKEND": "tests.test_security.ConsoleSubclassBackend"}, "common.E003"),
    ],
)
def test_deploy_checks_refuse_backends_that_write_texts_or_emails_to_the_log(overrides, refused):
    """Nothing secret or personal in any log (docs/rules.md, Qualities): reset codes and reset links are secrets,
    so `check --deploy` refuses a text or email backend that writes messages where the log goes."""
    safe = {
        "SMS_BACKEND": "common.sms.backends.HttpBackend",
        "SMS_PROVIDER_URL": "https://sms.example.invalid/v1/messages",
        "SMS_PROVIDER_TOKEN": "dummy-provider-token",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    }
    with override_settings(**safe):
        assert checks.text_messages_stay_out_of_logs(None) + checks.emails_stay_out_of_logs(None) == []
    with override_settings(**{**safe, **overrides}):
        found = checks.text_messages_stay_out_of_logs(None) + checks.emails_stay_out_of_logs(None)
    assert [message.id for message in found] == [refused]
    assert all(message.is_serious() for message in found)


class ConsoleSubclassBackend(ConsoleEmailBackend):
    """A backend built on Django's console backend: it writes to the log all the same."""
