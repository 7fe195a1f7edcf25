"""Reads that scale out: with a real streaming replica (.ci/with_replica), the eligibility API, the change feed
(R-API-3) and the MIC export read from it, while a member's own pages and every write stay on the primary; and a
replica that lags (its replay paused) delays the feed without ever handing out a cursor ahead of what it holds."""

import csv
import hashlib
import time
from collections.abc import Iterator
from http import HTTPStatus
from io import StringIO
from typing import cast

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Account, Plan
from common import replica
from consent import services
from consent.choices import Choice, Source
from tests.factories import PASSWORD, AccountFactory
from tests.helpers import actor, switches

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]

AUTH = {"Authorization": "Bearer test-service-token-0123456789"}
WAIT_S = 30


def _one(alias: str, sql: str, params: tuple = ()) -> object:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def caught_up() -> None:
    """Wait until the replica has replayed everything the primary has committed."""
    target = _one("default", "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + WAIT_S
    while not _one("replica", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.02)


@pytest.fixture
def paused() -> Iterator[None]:
    """The replica's replay paused (it keeps receiving WAL, applies none) until the test ends: a lagging replica."""
    caught_up()
    _one("replica", "SELECT pg_wal_replay_pause()::text")
    deadline = time.monotonic() + WAIT_S
    while _one("replica", "SELECT pg_get_wal_replay_pause_state()") != "paused":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    try:
        yield
    finally:
        _one("replica", "SELECT pg_wal_replay_resume()::text")


@pytest.fixture(autouse=True)
def _feed_unthrottled():
    with override_settings(PRIVACY_FEED_PAGES_PER_SECOND=1000):
        yield


@pytest.fixture
def account() -> Account:
    made = cast(Account, AccountFactory(plan=Plan.STANDARD_WITH_ADS, email="replica@example.com"))
    caught_up()
    return made


def mic_of(client: Client, profile_id) -> bool:
    response = client.get("/api/v1/eligibility", {"profile": str(profile_id)}, headers=AUTH)
    assert response.status_code == HTTPStatus.OK
    return response.json()["mic"]


def follow(client: Client, after: str) -> tuple[list[dict], str]:
    seen: list[dict] = []
    while True:
        got = client.get("/api/v1/changes", {"after": after, "limit": "100"}, headers=AUTH).json()
        seen += got["changes"]
        after = got["next"]
        if not got["more"]:
            return seen, after


def test_the_replica_is_a_real_standby_and_the_router_sends_reads_there():
    assert replica.configured()
    assert _one("replica", "SELECT pg_is_in_recovery()") is True
    assert _one("default", "SELECT pg_is_in_recovery()") is False
    with replica.reads():
        assert replica.read_alias() == replica.REPLICA
    assert replica.read_alias() == "default"


def test_the_api_reads_the_replica_and_the_members_page_the_primary(account, paused):
    profile = account.profiles.get()
    client = Client()
    assert mic_of(client, profile.pk) is True
    services.profile_set_choices(profile=profile, values={Choice.MIC: False}, actor=actor(Source.MEMBER))
    # The write went to the primary; the replica has not replayed it: the API still answers from before.
    assert mic_of(client, profile.pk) is True
    batch = client.post(
        "/api/v1/eligibility/batch", {"profiles": [str(profile.pk)]}, content_type="application/json", headers=AUTH
    )
    assert batch.json()["results"][0]["mic"] is True
    member = Client()
    member.force_login(account)
    page = member.get(reverse("consent:privacy", kwargs={"profile": profile.pk}))
    assert page.status_code == HTTPStatus.OK
    assert switches(page.content.decode())[Choice.MIC] is False  # the member sees their own change at once
    # The app's token and device writes go to the primary while the replica lags.
    token = Client().post(
        "/api/v1/app/tokens",
        {"email": "replica@example.com", "password": PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == HTTPStatus.CREATED


def test_the_export_reads_the_replica(account, paused):
    profile = account.profiles.get()
    services.profile_set_choices(profile=profile, values={Choice.MIC: False}, actor=actor(Source.MEMBER))
    out = StringIO()
    call_command("export_mic_audience", "--out", "-", stdout=out)
    digests = [row[0] for row in csv.reader(StringIO(out.getvalue()))][1:]
    assert hashlib.sha256(b"replica@example.com").hexdigest() in digests  # the replica's snapshot, from before


def test_a_lagging_replica_delays_the_feed_and_never_hands_out_a_cursor_ahead_of_it__R_API_3(account):
    profile = account.profiles.get()
    client = Client()
    start = client.get("/api/v1/changes/cursor", headers=AUTH).json()["cursor"]
    services.profile_set_choices(profile=profile, values={Choice.MIC: False}, actor=actor(Source.MEMBER))
    caught_up()
    first, after = follow(client, start)
    assert [entry["profile"] for entry in first] == [str(profile.pk)]

    _one("replica", "SELECT pg_wal_replay_pause()::text")
    try:
        deadline = time.monotonic() + WAIT_S
        while _one("replica", "SELECT pg_get_wal_replay_pause_state()") != "paused":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        services.profile_set_choices(profile=profile, values={Choice.MIC: True}, actor=actor(Source.MEMBER))
        # Committed on the primary, not yet on the replica: nothing new, and the head is not ahead of it.
        assert follow(client, after) == ([], after)
        assert client.get("/api/v1/changes/cursor", headers=AUTH).json()["cursor"] == after
    finally:
        _one("replica", "SELECT pg_wal_replay_resume()::text")
    caught_up()
    seen: list[dict] = []
    deadline = time.monotonic() + WAIT_S
    while not seen and time.monotonic() < deadline:  # another server transaction may hold the horizon a moment
        seen, after = follow(client, after)
        time.sleep(0.05)
    assert [entry["profile"] for entry in seen] == [str(profile.pk)]
    assert seen[0]["answer"]["mic"] is True
    assert follow(client, after) == ([], after)
