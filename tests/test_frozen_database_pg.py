"""docs/rules.md, Qualities (faults): no request waits on the database more than a few seconds, whatever the database
does. Proven with PostgreSQL backends frozen (SIGSTOP) under a real gunicorn: a request on a frozen connection answers
503 with Retry-After within the deadline, the other worker keeps serving what needs no database, and new requests are
served by fresh connections at once. Only the backends of this test's own server connections are frozen, and always
thawed. A COMMIT is bounded the same way (common.postgresql)."""

import contextlib
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction

from accounts.models import Account
from common import db
from tests.factories import AccountFactory
from tests.helpers import HOST, clean_environment, gunicorn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
APPLICATION_NAME = "privacy-frozen-backend-test"
DEADLINE_S = 2.0


def fetch(port: int, path: str, timeout: float = 20) -> tuple[int, dict[str, str], float]:
    started = time.monotonic()
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (loopback test server)
            status, headers = response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        status, headers = error.code, dict(error.headers)
    return status, headers, time.monotonic() - started


def server_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
            [APPLICATION_NAME],
        )
        return [row[0] for row in cursor.fetchall()]


def signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def test_a_frozen_backend_costs_a_503_within_the_deadline_and_service_goes_on(tmp_path):
    database = settings.DATABASES["default"]
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or HOST}:{database['PORT'] or 5432}/{database['NAME']}"
        f"?application_name={APPLICATION_NAME}"
    )
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="netflix_privacy.settings.production",
        DJANGO_SECRET_KEY="test-only-frozen-database",
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=url,
        CACHE_URL="locmemcache://",
        DATABASE_QUERY_DEADLINE_S=str(DEADLINE_S),
    )
    with gunicorn(cwd=ROOT, env=env, log=tmp_path / "gunicorn.log", workers=2, threads=1) as port:
        for _ in range(8):  # each worker opens its connection and keeps it (CONN_MAX_AGE)
            assert fetch(port, "/cookies/")[0] == HTTPStatus.OK
        frozen = server_backends()
        assert frozen, "the server's connections are visible to the test"
        signal_all(frozen, signal.SIGSTOP)
        try:
            answers: list[tuple[int, dict[str, str], float]] = []
            waiting = threading.Thread(target=lambda: answers.append(fetch(port, "/cookies/")))
            waiting.start()
            time.sleep(0.5)
            # While one worker waits on its frozen connection, what needs no database is still served.
            status, _, took = fetch(port, "/.well-known/gpc.json")
            assert status == HTTPStatus.OK
            assert took < DEADLINE_S
            waiting.join(timeout=30)
            assert answers, "a request on a frozen connection never answered"
            status, _, took = answers[0]
            assert status in {HTTPStatus.OK, HTTPStatus.SERVICE_UNAVAILABLE}
            assert took < DEADLINE_S + 2, f"a request waited {took:.1f} s on a frozen database"
            # The cut connections are replaced: every worker serves pages again while the old backends stay frozen.
            results = [fetch(port, "/cookies/") for _ in range(6)]
            unavailable = [result for result in (answers[0], *results) if result[0] == HTTPStatus.SERVICE_UNAVAILABLE]
            assert unavailable, "some request met a frozen connection"
            assert all(result[1].get("Retry-After") for result in unavailable)
            assert all(result[2] < DEADLINE_S + 2 for result in results)
            assert results[-1][0] == HTTPStatus.OK
        finally:
            signal_all(frozen, signal.SIGCONT)
        status, _, took = fetch(port, "/cookies/")
        assert status == HTTPStatus.OK
        assert took < 5


def save_then_freeze(pid: int) -> None:
    """A save whose backend freezes after its INSERT and before its COMMIT."""
    with transaction.atomic():
        AccountFactory()
        signal_all([pid], signal.SIGSTOP)


def test_a_commit_on_a_frozen_backend_is_cut_within_the_deadline(settings):
    """A COMMIT is no query (no execute wrapper sees it), yet inside a request's bound it waits no longer than one:
    a save whose backend freezes between its statements and its COMMIT fails with OperationalError (the request's
    503) within the deadline (docs/rules.md, Qualities: faults). Only this test's own backend is frozen; a timer
    thaws it if the COMMIT hangs."""
    settings.DATABASE_QUERY_DEADLINE_S = 1.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    thaw = threading.Timer(15, signal_all, args=([pid], signal.SIGCONT))
    thaw.start()
    started = time.monotonic()
    try:
        with pytest.raises(OperationalError), db.bounded_waits():
            save_then_freeze(pid)
    finally:
        took = time.monotonic() - started
        signal_all([pid], signal.SIGCONT)
        thaw.cancel()
        connection.close()
    assert took < 1.0 + 1.5, f"a COMMIT waited {took:.1f} s on a frozen database"
    # The COMMIT was already on its way when the backend froze, so whether it took effect is the database's to say
    # once thawed (as after any lost connection); the next query opens a fresh connection and is answered.
    assert Account.objects.count() in {0, 1}
