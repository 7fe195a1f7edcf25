"""A pytest plugin (`-p tests.on_replica`) that runs the tests it is given against a real streaming replica, the way
production reads (common/replica.py): .ci/with_replica starts one and runs the API and feed tests with it.

- Every database test is made a transactional one over every database (`django_db(transaction=True,
  databases="__all__")`): a test's writes then commit, so the replica replays them, and the router, outside a
  primary transaction, sends the API's reads there. (A test wrapped in one transaction would read the primary.)
- Before each read on the replica, while its replay runs, the read waits until the replica has replayed what the
  primary has written so far: a write of the test is then on the replica as it is moments later in production,
  and a test that expects its own write in an answer holds. While a test has paused the replay (a lagging
  replica, tests/consent/test_replica_pg.py), reads do not wait: they see the lag.

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
