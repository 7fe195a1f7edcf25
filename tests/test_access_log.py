"""Nothing secret or personal reaches the access log: gunicorn (gunicorn.conf.py, common.logs) logs the path without
its query string and with a password reset link's uid and token masked, so neither a reset link, a one-click
unsubscribe token nor an admin search for an email address is kept (docs/rules.md, Qualities)."""

import contextlib
import logging
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from common.logs import MaskSecretPaths, masked_path
from tests.helpers import HOST, clean_environment, gunicorn

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "eyJwIjoiZmFrZSJ9:1tSecretTokenValue:abcdefSIGNATURE"
RESET_LINK = "/password-reset/MTIzNDU/cxyz12-SecretResetToken0123456789abcdef/"


def test_the_access_log_keeps_paths_without_tokens_or_searched_emails(tmp_path):
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="netflix_privacy.settings.production",
        DJANGO_SECRET_KEY="test-only-access-log",
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=120)
    log = tmp_path / "gunicorn.log"
    with gunicorn(cwd=ROOT, env=env, log=log, workers=1, threads=1) as port:
        paths = (
            f"/unsubscribe/?t={TOKEN}",
            f"/unsubscribe/{TOKEN}/",
            "/admin/accounts/account/?q=ads%40example.com",
            "/?email=x@y.z",
            RESET_LINK,
            "/password-reset/sent/",
        )
        for path in paths:
            request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers={"X-Forwarded-Proto": "https"})
            with contextlib.suppress(urllib.error.HTTPError):  # the bad link's 400 is logged like any answer
                urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 (loopback test server)
    text = log.read_text()
    assert '"GET /unsubscribe/ HTTP/1.1" 400' in text
    assert '"GET /admin/accounts/account/ HTTP/1.1"' in text
    assert '"GET /password-reset/<uidb64>/<token>/ HTTP/1.1"' in text
    assert '"GET /unsubscribe/<token> HTTP/1.1"' in text
    assert '"GET /password-reset/sent/ HTTP/1.1"' in text
    for secret in ("SecretTokenValue", "SecretResetToken", "MTIzNDU", "ads%40example.com", "ads@example.com", "x@y.z"):
        assert secret not in text
    assert "email=" not in text


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (RESET_LINK, "/password-reset/<uidb64>/<token>/"),
        ("/password-reset/MTIzNDU/set-password/", "/password-reset/<uidb64>/<token>/"),
        ("/password-reset/MTIzNDU/token", "/password-reset/<uidb64>/<token>/"),
        ("/password-reset/", "/password-reset/"),
        ("/password-reset/text/code/", "/password-reset/text/code/"),
        ("/password-reset/sent/", "/password-reset/sent/"),
        ("/password-reset/done/", "/password-reset/done/"),
        (f"/unsubscribe/{TOKEN}", "/unsubscribe/<token>"),
        ("/unsubscribe/", "/unsubscribe/"),
        ("/account/", "/account/"),
    ],
)
def test_log_lines_name_reset_links_and_unsubscribe_paths_by_their_shape(path, logged):
    assert masked_path(path) == logged


def test_djangos_request_warnings_name_a_reset_link_by_its_shape():
    """Django logs a refused request with its path (here a POST without CSRF token to a reset link): the filter
    on the log's handler (settings.LOGGING) masks it."""
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["secret_paths"]
    assert settings.LOGGING["filters"]["secret_paths"]["()"] == "common.logs.MaskSecretPaths"
    args = ("CSRF cookie not set.", RESET_LINK)
    record = logging.LogRecord("django.security.csrf", logging.WARNING, __file__, 1, "Forbidden (%s): %s", args, None)
    MaskSecretPaths().filter(record)
    assert record.getMessage() == "Forbidden (CSRF cookie not set.): /password-reset/<uidb64>/<token>/"
