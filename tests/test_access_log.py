"""Nothing secret or personal reaches the access log: gunicorn (gunicorn.conf.py) logs the path without its query
string, so neither a one-click unsubscribe token nor an admin search for an email address is kept."""

import contextlib
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tests.helpers import HOST, clean_environment, gunicorn

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "eyJwIjoiZmFrZSJ9:1tSecretTokenValue:abcdefSIGNATURE"


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
        for path in (f"/unsubscribe/?t={TOKEN}", "/admin/accounts/account/?q=ads%40example.com", "/?email=x@y.z"):
            request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers={"X-Forwarded-Proto": "https"})
            with contextlib.suppress(urllib.error.HTTPError):  # the bad link's 400 is logged like any answer
                urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 (loopback test server)
    text = log.read_text()
    assert '"GET /unsubscribe/ HTTP/1.1" 400' in text
    assert '"GET /admin/accounts/account/ HTTP/1.1"' in text
    for secret in ("SecretTokenValue", "ads%40example.com", "ads@example.com", "x@y.z", "email="):
        assert secret not in text
