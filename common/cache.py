"""Reads kept in the configured cache (settings.CACHES), shared by every process and machine, and dropped
everywhere by the next request after a committed change.

Each value belongs to a *version*: a random token stored under its own key (`"account", 7` for everything about
account 7; `"rules", "all"` for the jurisdiction rules and the cookie registry). A value is kept under
`<name>:<version>`, so replacing the token once a change commits makes every process read the database again on
its next request, with no waiting for a timeout and nothing to delete.

Why this is correct under concurrency: a reader fetches the token before it reads the database, and a writer
replaces the token only after its transaction commits. A reader that read the old rows stored them under the
old token, which nobody asks for again; a reader that fetched the old token but read the new rows stored fresh
rows under a token about to be replaced. Inside a transaction the cache is not used at all: what a transaction
reads may include its own uncommitted writes, which must never be shared, and the rows it locked are newer than
any copy.
"""

import uuid
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

# A value is kept at most this long even if nothing changes: a bound on what a forgotten invalidation could cost.
KEPT_SECONDS = 600

_MISSING = object()


def _version_key(scope: str, key: Hashable) -> str:
    return f"version:{scope}:{key}"


def _version(scope: str, key: Hashable) -> str:
    version_key = _version_key(scope, key)
    version = cache.get(version_key)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(version_key, version, timeout=None):  # another process made one first: use that one
            version = cache.get(version_key, version)
    return version


def cached(scope: str, key: Hashable, name: str, load: Callable[[], T]) -> T:
    """`load()`'s value, kept in the shared cache until the version (scope, key) changes. Inside a transaction,
    always `load()`."""
    if not transaction.get_autocommit():
        return load()
    data_key = f"{name}:{scope}:{key}:{_version(scope, key)}"
    value = cache.get(data_key, _MISSING)
    if value is _MISSING:
        value = load()
        cache.set(data_key, value, timeout=KEPT_SECONDS)
    return value


def changed(scope: str, key: Hashable) -> None:
    """Values of this version are stale once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: cache.set(_version_key(scope, key), uuid.uuid4().hex, timeout=None))
