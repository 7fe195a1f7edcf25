"""Faults (docs/rules.md, Qualities): a hung or blocked database fails a request within seconds, with the friendly error
page, instead of holding a worker."""

import socket
import subprocess
import sys
import threading
import time
from http import HTTPStatus

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from consent.choices import Choice
from tests.factories import AccountFactory
from tests.helpers import HOST, clean_environment, profile_named, values_of


def test_databases_keep_persistent_connections_health_checked_where_the_check_is_bounded():
    """SQLite checks a kept connection before reuse; PostgreSQL does not, because Django's check (a `SELECT 1`
    outside every execute wrapper) could wait forever on a frozen backend (common.db): a connection broken while
    idle fails its first query under the deadline instead."""
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is (database["ENGINE"] != "common.postgresql")


def test_hung_postgresql_fails_to_connect_within_seconds_not_30():
    """A server that accepts the connection and then never answers (a frozen PostgreSQL)."""
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_hang() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_hang, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="netflix_privacy.settings.local",
        DATABASE_URL=f"postgres://postgres@{HOST}:{port}/frozen",
    )
    code = (
        "from django.db import connection\n"
        "try:\n connection.ensure_connection()\n"
        "except Exception as error: print(type(error).__name__)"
    )
    try:
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()
    assert "OperationalError" in result.stdout, result.stdout + result.stderr
    assert elapsed < 10, f"connecting to a frozen database took {elapsed:.1f} s"


@pytest.mark.postgres
def test_request_blocked_by_a_row_lock_fails_within_3_seconds_with_the_friendly_page(client, transactional_db):
    account = AccountFactory(primary_profile_name="Alex")
    alex = profile_named(account, "Alex")
    client.force_login(account)
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or HOST, port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], autocommit=False
    ) as holder:
        holder.execute("SELECT id FROM accounts_account WHERE id = %s FOR UPDATE", [account.pk])
        # Without a lock timeout the request would wait for ever; let go after 10 s so such a failure is reported.
        release = threading.Timer(10, holder.rollback)
        release.start()
        started = time.monotonic()
        try:
            response = client.post(reverse("consent:privacy", kwargs={"profile": alex.pk}), {"action": "opt_out_all"})
        finally:
            elapsed = time.monotonic() - started
            release.cancel()
        holder.rollback()

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert "Something went wrong" in response.content.decode()
    assert response["Retry-After"]
    assert elapsed < 3, f"the blocked request took {elapsed:.1f} s"
    assert values_of(alex)[Choice.MIC], "nothing was changed"
