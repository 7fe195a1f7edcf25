"""R-API-3 on PostgreSQL, with real concurrent transactions: a change committed late (its transaction took its id
and its entry's id before another's, and committed after it) is never skipped, and no change is served twice,
whatever a polling reader and concurrent writers do."""

import random
import threading
import time
from http import HTTPStatus
from typing import cast

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings

from accounts.models import Account, Profile
from consent import services
from consent.choices import Choice, Source
from consent.models import EligibilityChange
from tests.factories import AccountFactory, ProfileFactory
from tests.helpers import actor

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_feed_unthrottled"),
]

AUTH = {"Authorization": "Bearer test-service-token-0123456789"}


@pytest.fixture
def _feed_unthrottled():
    with override_settings(PRIVACY_FEED_PAGES_PER_SECOND=1000):
        yield


def head(client: Client) -> str:
    return client.get("/api/v1/changes/cursor", headers=AUTH).json()["cursor"]


def settled_head(client: Client) -> str:
    """The head once it covers every entry committed so far: a transaction elsewhere on the server (another
    database's, even) may hold the snapshot's xmin back for a moment."""
    newest = EligibilityChange.objects.order_by("-txid", "-id").values_list("txid", "id").first()
    deadline = time.monotonic() + 30
    while True:
        cursor = head(client)
        if newest is None or tuple(int(part) for part in cursor.split(".")) >= newest:
            return cursor
        assert time.monotonic() < deadline, "the feed's horizon did not move"
        time.sleep(0.05)


def follow(client: Client, after: str, limit: int = 100) -> tuple[list[dict], str]:
    seen: list[dict] = []
    while True:
        response = client.get("/api/v1/changes", {"after": after, "limit": str(limit)}, headers=AUTH)
        assert response.status_code == HTTPStatus.OK
        got = response.json()
        seen += got["changes"]
        after = got["next"]
        if not got["more"]:
            return seen, after


def toggle_mic(profile_id) -> None:
    profile = Profile.objects.select_related("account").get(pk=profile_id)
    stored = profile.choice_values.filter(choice=Choice.MIC).values_list("value", flat=True).first()
    services.profile_set_choices(
        profile=profile, values={Choice.MIC: not (True if stored is None else stored)}, actor=actor(Source.MEMBER)
    )


def test_a_change_committed_late_is_served_after_the_one_that_committed_first_never_skipped__R_API_3():
    early = cast(Account, AccountFactory()).profiles.get()
    late = cast(Account, AccountFactory()).profiles.get()
    client = Client()
    start = settled_head(client)
    written, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def held_open() -> None:
        try:
            with transaction.atomic():
                toggle_mic(early.pk)  # takes the lower transaction id and the lower entry id
                written.set()
                assert release.wait(30)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    holder = threading.Thread(target=held_open)
    holder.start()
    try:
        assert written.wait(30)
        toggle_mic(late.pk)  # commits now, with a higher entry id than the transaction still open
        newest_visible = EligibilityChange.objects.order_by("id").values_list("profile_id", "id").last()
        assert newest_visible is not None
        assert newest_visible[0] == late.pk, "only the later entry is committed yet"

        # A reader following entry ids would serve the later entry now and skip the earlier one when it commits.
        entries, after = follow(client, start)
        assert entries == [], "nothing is served while an older transaction is still open"
        assert head(client) == start
    finally:
        release.set()
        holder.join(30)
    assert not errors, errors
    seen: list[dict] = []
    deadline = time.monotonic() + 30  # another transaction on the server may hold the horizon a moment
    while len(seen) < 2 and time.monotonic() < deadline:
        more, after = follow(client, after)
        seen += more
        time.sleep(0.05)
    assert [entry["profile"] for entry in seen] == [str(early.pk), str(late.pk)]
    early_id, late_id = (int(entry["cursor"].split(".")[1]) for entry in seen)
    assert early_id < late_id, "the late commit had the lower entry id"
    assert seen[0]["answer"]["mic"] is False
    assert follow(client, after)[0] == []


def test_concurrent_writers_and_a_polling_reader_see_every_change_exactly_once__R_API_3():
    accounts = [cast(Account, AccountFactory()) for _ in range(4)]
    for account in accounts:
        ProfileFactory(account=account)
    profiles = list(Profile.objects.filter(account__in=accounts).values_list("pk", flat=True))
    client = Client()
    start = settled_head(client)
    writers_done = threading.Event()
    errors: list[BaseException] = []
    served: list[dict] = []

    def writer(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - test schedule, not a secret
        try:
            for _ in range(12):
                with transaction.atomic():
                    toggle_mic(rng.choice(profiles))
                    time.sleep(rng.choice([0, 0, 0.01, 0.05]))  # some commit late
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def reader() -> None:
        after = start
        try:
            while True:
                finished = writers_done.is_set()
                entries, after = follow(Client(), after, limit=3)
                served.extend(entries)
                if finished and not entries and after == settled_head(Client()):
                    return  # every write has ended and the feed has caught up with all of them
                time.sleep(0.005)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
    polling = threading.Thread(target=reader)
    polling.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    writers_done.set()
    polling.join(120)
    assert not polling.is_alive()
    assert not errors, errors

    begin = tuple(int(part) for part in start.split("."))
    committed = [
        f"{txid}.{pk}"
        for txid, pk in EligibilityChange.objects.order_by("txid", "id").values_list("txid", "id")
        if (txid, pk) > begin
    ]
    cursors = [entry["cursor"] for entry in served]
    assert len(committed) >= 4 * 12 - 12  # a toggle that meets another on the same profile may change nothing
    assert cursors == committed, "every committed change, each once, in feed order"
