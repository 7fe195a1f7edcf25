"""docs/rules.md, Qualities (many processes, many machines): a throttle's limit holds for the whole site, however
many requests take it at once, in its first window and in every one after, on every shared cache the site runs
on. Django's database cache on PostgreSQL is the case that needs care: it overwrites an expired key with an
UPDATE that two requests at once can both make, each told it won, so common.throttle never takes a key twice."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from common import throttle
from tests.helpers import run_concurrently

HOUR = 3600
LIMIT = 3
AT_ONCE = 24
START = datetime(2027, 3, 1, 9, 59, 40, tzinfo=UTC)  # 20 s before a lap of an hour begins

DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}


def taken_at_once(subject: str) -> int:
    """How many of AT_ONCE requests, all at the same moment, each on its own database connection, get a use."""
    won: list[bool] = []
    lock = threading.Lock()

    def request() -> None:
        result = throttle.take("test", subject, limit=LIMIT, window_seconds=HOUR)
        with lock:
            won.append(result)

    run_concurrently(*[request] * AT_ONCE)
    return sum(won)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(CACHES=DATABASE_CACHE)
def test_a_limit_taken_at_once_holds_in_every_window_on_the_database_cache_on_postgresql():
    call_command("createcachetable", verbosity=0)  # the test database is migrated with the tests' own cache
    with time_machine.travel(START, tick=True) as clock:
        assert taken_at_once("subject") == LIMIT
        for _ in range(3):
            clock.shift(timedelta(seconds=HOUR + 30))  # each use is more than a window old
            assert taken_at_once("subject") == LIMIT
        clock.shift(timedelta(minutes=59))
        assert not throttle.take("test", "subject", limit=LIMIT, window_seconds=HOUR)
        assert throttle.exhausted("test", "subject", limit=LIMIT, window_seconds=HOUR)


def test_a_use_counts_for_a_whole_window_across_a_lap_boundary():
    with time_machine.travel(START, tick=False) as clock:
        assert throttle.take("test", "subject", limit=1, window_seconds=HOUR)  # 20 s before the lap ends
        clock.shift(timedelta(seconds=40))  # in the next lap, 40 s after the use
        assert not throttle.take("test", "subject", limit=1, window_seconds=HOUR)
        assert throttle.exhausted("test", "subject", limit=1, window_seconds=HOUR)
        clock.shift(timedelta(seconds=HOUR - 40))  # a whole window after the use
        assert throttle.take("test", "subject", limit=1, window_seconds=HOUR)
        assert not throttle.take("test", "subject", limit=1, window_seconds=HOUR)


def test_a_take_reads_only_the_slots_it_needs_however_high_the_limit(monkeypatch):
    """R-API-3 (the feed's PRIVACY_FEED_PAGES_PER_SECOND may be high): a take and a check read the slots in order
    up to the first free one, so with a limit of a million they read a few dozen keys, not two million, and the
    limit still counts every take."""
    kept = throttle.store()
    read: list[int] = []
    get_many = kept.get_many

    def counted(keys, *args, **kwargs):
        read.append(len(keys))
        return get_many(keys, *args, **kwargs)

    monkeypatch.setattr(kept, "get_many", counted)
    with time_machine.travel(START, tick=False):
        for _ in range(40):  # past the first chunk of slots
            assert throttle.take("test", "subject", limit=1_000_000, window_seconds=HOUR)
        assert not throttle.exhausted("test", "subject", limit=1_000_000, window_seconds=HOUR)
        assert throttle.take("test", "subject", limit=41, window_seconds=HOUR)
        assert not throttle.take("test", "subject", limit=41, window_seconds=HOUR)
        assert throttle.exhausted("test", "subject", limit=41, window_seconds=HOUR)
    assert sum(read) < 10_000, sum(read)
