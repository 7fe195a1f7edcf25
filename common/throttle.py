"""Limits that hold for the whole site, whichever process or machine answers: counted in the shared cache
(settings.CACHES), never in a process's memory.

A limit of N per window is N slots. A slot is taken at most once per *lap* (the window's length, counted from
the epoch) under a key of that slot and lap that is never taken again: `cache.add` of a key no one has written
is atomic on every cache shared by processes that Django ships or that production uses (Redis's SET NX, the
database cache's unique key), so two requests at once, on two machines, never take the same slot. A slot taken
in one lap is free in the next only once a whole window has passed since that take (its time is the key's
value). Keys are never reused because an expired key is not safe to take again on every cache: Django's
database cache overwrites an expired row with an UPDATE, which two requests on PostgreSQL can both do, each
told it won.

At a lap's boundary, two requests (or two machines' clocks a moment apart) can each take one slot for a
different lap at once; each reads the neighbouring laps' keys after its own write, so at least one sees the
other's take within the window and lets the slot go unused: the limit still holds.
Clocks are compared across machines (keep them in sync). Subjects are hashed: no email address, phone number
or IP address is a cache key.

The slots live in the cache alias "throttles" (store()): with Django's database cache, the embedded default, a
table of its own, so that no flood of other keys can make Django cull a live slot (settings.CACHES); with
Redis, the one shared cache.
"""

import hashlib
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import BaseCache, cache, caches

STORE = "throttles"


def store() -> BaseCache:
    """Where limits are counted: the "throttles" cache, or the default one where none is configured."""
    return caches[STORE] if STORE in settings.CACHES else cache


def _slot_key(name: str, subject: str, slot: int, lap: int) -> str:
    digest = hashlib.sha256(f"{name}\x00{subject}".encode()).hexdigest()
    return f"throttle:{name}:{digest}:{slot}:{lap}"


def _taken_within(value: object, now: float, window_seconds: int) -> bool:
    """Whether a slot's key holds a take less than a window before `now`."""
    return isinstance(value, float) and value > now - window_seconds


# Slots are read this many at a time, in order, up to the first free one: a take costs reads for the slots
# already taken (and one chunk), not for the whole limit, however high it is.
CHUNK = 32


def _chunks(limit: int) -> Iterator[range]:
    for first in range(0, max(limit, 0), CHUNK):
        yield range(first, min(first + CHUNK, limit))


def _laps(name: str, subject: str, slots: range, lap: int) -> tuple[dict[int, str], dict[int, str]]:
    """Each slot's key in the previous lap and in this one."""
    return (
        {slot: _slot_key(name, subject, slot, lap - 1) for slot in slots},
        {slot: _slot_key(name, subject, slot, lap) for slot in slots},
    )


def take(name: str, subject: str, *, limit: int, window_seconds: int) -> bool:
    """Use one of the `limit` uses `subject` has in any `window_seconds`; False, using nothing, when none is
    left."""
    kept = store()
    now = time.time()
    lap = int(now // window_seconds)
    for slots in _chunks(limit):
        previous, current = _laps(name, subject, slots, lap)
        found = kept.get_many([*previous.values(), *current.values()])
        for slot in slots:
            if current[slot] in found or _taken_within(found.get(previous[slot]), now, window_seconds):
                continue
            # Kept for two windows: a take late in this lap still counts in the next.
            if not kept.add(current[slot], now, timeout=2 * window_seconds):
                continue  # taken at the same moment by another request
            neighbours = kept.get_many([previous[slot], _slot_key(name, subject, slot, lap + 1)])
            if any(_taken_within(value, now, window_seconds) for value in neighbours.values()):
                continue  # taken at the same moment for the lap before or after (a clock a moment ahead): let it go
            return True
    return False


def exhausted(name: str, subject: str, *, limit: int, window_seconds: int) -> bool:
    """Whether every use of `subject` is taken, without using one."""
    kept = store()
    now = time.time()
    lap = int(now // window_seconds)
    for slots in _chunks(limit):
        previous, current = _laps(name, subject, slots, lap)
        found = kept.get_many([*previous.values(), *current.values()])
        if not all(
            current[slot] in found or _taken_within(found.get(previous[slot]), now, window_seconds) for slot in slots
        ):
            return False
    return True
