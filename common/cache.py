"""Reads kept in the configured cache (settings.CACHES), shared by every process and machine, and read afresh
everywhere on the next request after a change commits.

Each value belongs to a *version*: a random token kept under its own key, one per thing that changes together
(`"account", 7` for what is kept about account 7; `"rules", "all"` for the jurisdiction rules and the cookie
registry). A value is kept with the token it was read under, and is used only while that token is current; a
writer replaces the token once its transaction commits (`changed`). One cache round trip reads both.

Why this is correct under concurrency: a reader fetches the token before it reads the database, and a writer
replaces the token only after its transaction commits. A reader that read the old rows kept them with the old
token, which no later reader accepts; a reader that fetched the old token but read the new rows kept fresh rows
under a token about to be replaced (one more read, no harm). Inside a transaction the cache is not used at all:
what a transaction reads may include its own uncommitted writes, which must never be shared, and the rows it
locked are newer than any copy. A value read from a replica (common/replica.py) is used but never kept: the
replica may be behind the version the value would be kept under.
"""

import uuid
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction

from common import replica

T = TypeVar("T")

# A value is kept at most this long even if nothing changes: a bound on what a forgotten invalidation could cost.
KEPT_SECONDS = 600


def _version_key(scope: str, key: Hashable) -> str:
    return f"version:{scope}:{key}"


def cached(scope: str, key: Hashable, name: str, load: Callable[[], T]) -> T:
    """`load()`'s value, kept in the shared cache while the version (scope, key) stays the same. Inside a
    transaction, always `load()`."""
    if not transaction.get_autocommit():
        return load()
    version_key, value_key = _version_key(scope, key), f"{name}:{scope}:{key}"
    found = cache.get_many([version_key, value_key])
    version, kept = found.get(version_key), found.get(value_key)
    if version is not None and isinstance(kept, tuple) and len(kept) == 2 and kept[0] == version:
        return cast(T, kept[1])
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(version_key, version, timeout=None):  # another process made one first: use that one
            version = cache.get(version_key, version)
    value = load()
    if replica.read_alias() != DEFAULT_DB_ALIAS:
        # Read from a replica, which may not have replayed the change that made this version yet: kept under it,
        # an older value would pass for current. Only the primary's reads are kept.
        return value
    cache.set(value_key, (version, value), timeout=KEPT_SECONDS)
    return value


def forget(scope: str, key: Hashable, name: str) -> None:
    """Like `changed`, and the kept value itself is removed from the cache once the transaction commits: for a
    value that must leave no copy behind (a deleted phone number, a deleted account)."""
    changed(scope, key)
    transaction.on_commit(lambda: cache.delete(f"{name}:{scope}:{key}"), robust=True)


def changed(scope: str, key: Hashable) -> None:
    """Values of this version are stale once the current transaction commits (at once outside one). The write has
    committed by then: a cache that fails to take the new token is logged, not raised, and what it keeps expires
    within KEPT_SECONDS."""
    transaction.on_commit(lambda: cache.set(_version_key(scope, key), uuid.uuid4().hex, timeout=None), robust=True)
