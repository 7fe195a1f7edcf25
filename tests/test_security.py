"""CSRF on every change, security headers, deploy checks and generic error pages."""

import os
import subprocess
import sys
from http import HTTPStatus

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

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


def test_unknown_page_gets_the_generic_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "Page not found" in response.content.decode()


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
