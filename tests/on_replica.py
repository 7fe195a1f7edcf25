"""A pytest plugin (`-p tests.on_replica`) that runs the tests it is given against a real streaming replica, the way
production reads (common/replica.py): .ci/with_replica starts one and runs the API and feed tests with it.

- Every database test is made a transactional one over every database (`django_db(transaction=True,
  databases="__all__")`): a test's writes then commit, so the replica replays them, and the router, outside a
  primary transaction, sends the API's reads there. (A test wrapped in one transaction would read the primary.)
- Before each read on the replica, while its replay runs, the read waits until the replica has replayed what the
  primary has written so far: a write of the test is then on the replica as it is moments later in production,
  and a test that expects its own write in an answer holds. While a test has paused the replay (a lagging
  replica, tests/consent/test_replica_pg.py), reads do not wait: they see the lag.
- It also waits, for at most FEED_WAIT_S, until the replica's snapshot xmin (the feed's horizon) has passed every
  feed entry committed before the oldest transaction still open in the test database: a transaction elsewhere
  on the server (another database's, even) holds the horizon back for a moment, which the feed is built to wait
  for, and a test expecting its committed change in the next page would otherwise race it. A transaction the
  test itself holds open is not waited for.

The waits use a connection of their own (psycopg), so a test counting the queries a request makes counts only
the request's.
"""

import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from django.db import connections

from common import replica

WAIT_S = 30
FEED_WAIT_S = 10

# The newest feed entry committed before the oldest transaction still open in this database (pg_stat_activity's
# xid, widened to a 64-bit xid8 with the epoch of the current snapshot's xmax); 0 without one.
SETTLED_FEED_TXID = """
WITH open AS (
    SELECT min(backend_xid::text::bigint) AS xid FROM pg_stat_activity
    WHERE datname = current_database() AND backend_xid IS NOT NULL
), now AS (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax),
oldest AS (
    SELECT CASE WHEN open.xid IS NULL THEN NULL
        WHEN ((xmax >> 32) << 32) + open.xid > xmax THEN ((xmax >> 32) << 32) + open.xid - 4294967296
        ELSE ((xmax >> 32) << 32) + open.xid END AS xid8
    FROM open, now
)
SELECT coalesce(max(txid), 0) FROM consent_eligibilitychange, oldest
WHERE oldest.xid8 IS NULL OR txid < oldest.xid8
"""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not replica.configured():
        raise pytest.UsageError("-p tests.on_replica needs DATABASE_REPLICA_URL (run it under .ci/with_replica)")
    for item in items:
        if item.get_closest_marker("django_db") is not None:
            item.add_marker(pytest.mark.django_db(transaction=True, databases="__all__"), append=False)


def _server(alias: str) -> psycopg.Connection:
    settings = connections[alias].settings_dict
    return psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    )


def _value(server: psycopg.Connection, sql: str, params: tuple = ()) -> Any:
    row = server.execute(sql, params).fetchone()
    assert row is not None
    return row[0]


@pytest.fixture(scope="session")
def _replay_watch(django_db_setup: None, django_db_blocker: Any) -> Iterator[Callable[[], None]]:
    with django_db_blocker.unblock():
        primary, standby = _server("default"), _server(replica.REPLICA)
    assert _value(standby, "SELECT pg_is_in_recovery()") is True

    def replayed() -> None:
        """Wait until the replica has replayed the primary's WAL as of now, unless its replay is paused."""
        if _value(standby, "SELECT pg_get_wal_replay_pause_state()") != "not paused":
            return
        target = _value(primary, "SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + WAIT_S
        while not _value(standby, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)):
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.005)
        settled = _value(primary, SETTLED_FEED_TXID)
        deadline = time.monotonic() + FEED_WAIT_S
        while time.monotonic() < deadline:
            if _value(standby, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint > %s", (settled,)):
                return
            time.sleep(0.01)

    try:
        yield replayed
    finally:
        primary.close()
        standby.close()


@pytest.fixture(autouse=True)
def _reads_wait_for_replay(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    replayed = request.getfixturevalue("_replay_watch")

    def waiting(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        replayed()
        return execute(sql, params, many, context)

    # Documented: a wrapper around every query this thread makes on the replica's connection.
    with connections[replica.REPLICA].execute_wrapper(waiting):
        yield
