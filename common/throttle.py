"""Limits that hold for the whole site, whichever process or machine answers: counted in the shared cache
(settings.CACHES), never in a process's memory.

A limit of N per window is N slots, each a key of its own that `cache.add` takes and that expires a window after
it was taken. `add` is atomic on every cache shared by processes that Django ships or that production uses
(Redis's SET NX, the database cache's unique key), so two requests at once, on two machines, never take the same
slot: a limit is never exceeded, where a read-then-write counter (get, then set or incr on the database cache)
could be. Subjects are hashed: no email address, phone number or IP address is a cache key.
"""

import hashlib

from django.core.cache import cache


def _slot_key(name: str, subject: str, slot: int) -> str:
    digest = hashlib.sha256(f"{name}\x00{subject}".encode()).hexdigest()
    return f"throttle:{name}:{digest}:{slot}"


def take(name: str, subject: str, *, limit: int, window_seconds: int) -> bool:
    """Use one of the `limit` uses `subject` has in any `window_seconds`; False, using nothing, when none is
    left."""
    return any(cache.add(_slot_key(name, subject, slot), 1, timeout=window_seconds) for slot in range(max(limit, 0)))


def exhausted(name: str, subject: str, *, limit: int) -> bool:
    """Whether every use of `subject` is taken, without using one."""
    keys = [_slot_key(name, subject, slot) for slot in range(max(limit, 0))]
    return len(cache.get_many(keys)) >= len(keys)
