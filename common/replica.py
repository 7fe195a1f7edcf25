"""Reads that scale out: with DATABASE_REPLICA_URL set, what downstream systems read (the eligibility API, the
change feed, the exports) comes from a streaming replica; a member's own pages, the admin and every write stay on
the primary.

A read goes to the replica only inside `reads()`, and only while no transaction is open on the primary: inside a
transaction a read must see that transaction's own writes and locks, so it stays where they are. Without a replica
configured, `reads()` changes nothing. Models are never migrated on the replica: it is a copy of the primary.

A replica lags the primary by a little (normally well under a second). The eligibility answers may be that much
older; the change feed is built so that lag only delays it and never makes it skip (consent.selectors.feed_page:
a standby's snapshot knows only what it has replayed, so the feed never hands out a position ahead of it).
"""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction

REPLICA = "replica"

_reading: ContextVar[bool] = ContextVar("replica_reads", default=False)


def configured() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def reads() -> Iterator[None]:
    """Send the reads inside to the replica, if one is configured (and no primary transaction is open)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def read_alias() -> str:
    """The database a read made now goes to: the replica inside `reads()` (with one configured and outside a
    transaction on the primary), else the primary."""
    if _reading.get() and configured() and transaction.get_autocommit(using=DEFAULT_DB_ALIAS):
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads as `read_alias()` says, writes on the primary, no migration on the
    replica."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: object, obj2: object, **hints: Any) -> bool:
        return True  # one database and its copy

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA
