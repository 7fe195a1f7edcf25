"""The embedded SQLite database serves a web server's concurrent writers (docs/rules.md, Qualities).

A real server (gunicorn, 2 processes x 5 threads) on a temporary SQLite *file*, 10 members each firing 10 POSTs
(profile adds and privacy saves) at once: every one must succeed, none may answer "database is locked".
"""

import http.client
import json
import sys
import threading
import urllib.parse
from http import HTTPStatus

from django.conf import settings

from tests.helpers import HOST, clean_environment, gunicorn, run

CLIENTS = 10
POSTS_PER_CLIENT = 10
CSRF = "c" * 32  # a CSRF secret: sent as the cookie and, unmasked, as the form token

SETUP = f"""
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from accounts.models import Plan
from accounts.services import account_create

out = []
for i in range({CLIENTS}):
    account = account_create(email=f"writer{{i}}@example.com", password="unused-pass-1234",
                             plan=Plan.STANDARD_WITH_ADS, region="US-CA", primary_profile_name="Main")
    session = SessionStore()
    session[SESSION_KEY] = str(account.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.AccountBackend"
    session[HASH_SESSION_KEY] = account.get_session_auth_hash()
    session.create()
    out.append([session.session_key, str(account.profiles.get().pk)])
print(json.dumps(out))
"""

CHECK = """
import json
from accounts.models import Account, Profile
writers = Account.objects.filter(email__startswith="writer")
print(json.dumps([sorted(set(writers.values_list("profiles__slot", flat=True))),
                  Profile.objects.filter(account__in=writers).count()]))
"""


def test_sqlite_file_database_serves_10_concurrent_writers_without_errors(tmp_path):
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="netflix_privacy.settings.local",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="concurrency-test-only",
        DJANGO_ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_LOG_LEVEL="ERROR",
    )
    manage = [str(settings.BASE_DIR / "manage.py")]
    python = sys.executable
    run([python, *manage, "migrate", "--no-input", "-v", "0"], cwd=settings.BASE_DIR, env=env)
    members = json.loads(run([python, *manage, "shell", "-v", "0", "-c", SETUP], cwd=settings.BASE_DIR, env=env))

    results: list[tuple[int, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def member(port: int, session_key: str, profile_id: str) -> None:
        cookie = f"sessionid={session_key}; csrftoken={CSRF}"
        privacy = f"/account/profiles/{profile_id}/privacy/"
        posts: list[tuple[str, dict[str, str]]] = []
        for i in range(POSTS_PER_CLIENT):
            if i % 2 == 0 and len([p for p in posts if p[0] == "/profiles/add/"]) < 4:
                posts.append(("/profiles/add/", {"name": f"Added {i}"}))
            else:
                # Alternate MIC off and on: every save is a real write (profile row and a consent event).
                mic = {} if sum(1 for p in posts if p[0] == privacy) % 2 == 0 else {"mic": "on"}
                posts.append((privacy, {"action": "save", **mic}))
        start.wait()
        for path, data in posts:
            connection = http.client.HTTPConnection(HOST, port, timeout=60)
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": CSRF, **data})
            headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
            try:
                connection.request("POST", path, body, headers)
                response = connection.getresponse()
                location = response.getheader("Location", "")
                outcome = (response.status, location + " " + response.read().decode(errors="replace")[:200])
            except OSError as error:
                outcome = (0, repr(error))
            finally:
                connection.close()
            with lock:
                results.append(outcome)

    with gunicorn(cwd=settings.BASE_DIR, env=env, log=tmp_path / "gunicorn.log") as port:
        threads = [threading.Thread(target=member, args=(port, *m)) for m in members]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    # Each POST redirects to its page (POST/redirect/GET); a redirect to sign in would be a failure too.
    errors = [r for r in results if r[0] != HTTPStatus.FOUND or r[1].startswith("/login/")]
    log = (tmp_path / "gunicorn.log").read_text()
    assert len(results) == CLIENTS * POSTS_PER_CLIENT
    assert errors == [], f"{len(errors)} failed: {errors[:3]}\n{log[-3000:]}"
    assert "database is locked" not in log
    check = run([python, *manage, "shell", "-v", "0", "-c", CHECK], cwd=settings.BASE_DIR, env=env)
    slots, profiles = json.loads(check)
    assert (slots, profiles) == ([1, 2, 3, 4, 5], CLIENTS * 5)
