"""Limits that hold for the whole site, whichever process or machine answers: counted in the shared cache
(settings.CACHES), never in a process's memory.

A limit of N per window is N slots, each a key of its own that `cache.add` takes and that expires a window after
it was taken. `add` is atomic on every cache shared by processes that Django ships or that production uses
(Redis's SET NX, the database cache's unique key), so two requests at once, on two machines, never take the same
slot: a limit is never exceeded, where a read-then-write counter (get, then set or incr on the database cache)
could be. Subjects are hashed: no email address, phone number or IP address is a cache key.

The slots live in the cache alias "throttles" (store()): with Django's database cache, the embedded default, a
table of its own, so that no flood of other keys can make Django cull a live slot (settings.CACHES); with
Redis, the one shared cache.
"""

import hashlib

from django.conf import settings
from django.core.cache import BaseCache, cache, caches

STORE = "throttles"


def store() -> BaseCache:
    """Where limits are counted: the "throttles" cache, or the default one where none is configured."""
    return caches[STORE] if STORE in settings.CACHES else cache


def _slot_key(name: str, subject: str, slot: int) -> str:
    digest = hashlib.sha256(f"{name}\x00{subject}".encode()).hexdigest()
    return f"throttle:{name}:{digest}:{slot}"


def take(name: str, subject: str, *, limit: int, window_seconds: int) -> bool:
    """Use one of the `limit` uses `subject` has in any `window_seconds`; False, using nothing, when none is
    left."""
    slots = store()
    return any(slots.add(_slot_key(name, subject, slot), 1, timeout=window_seconds) for slot in range(max(limit, 0)))


def exhausted(name: str, subject: str, *, limit: int) -> bool:
    """Whether every use of `subject` is taken, without using one."""
    keys = [_slot_key(name, subject, slot) for slot in range(max(limit, 0))]
    return len(store().get_many(keys)) >= len(keys)
