#!/usr/bin/env python
"""The embedded shared cache, chosen by measurement: Django's database cache next to its file-based cache (and
Redis, production's), for the operations the site makes, in one run, plus the property a throttle needs.

    .venv/bin/python bench/cache_backends.py [--operations 2000] [--redis redis://127.0.0.1:6379/9]

Each backend gets a fresh store in a temporary folder (a SQLite file for the database cache, as the embedded
default). Timed per operation, CPU and wall clock, with a warm store holding as many entries as the operations:
- `get_many` of two keys (what common.cache does per kept read: the version token and the value);
- `set` of a small value; `add` of a new key (a throttle slot);
Then the property: several processes race to `add` the same keys; a shared throttle is only sound when exactly
one `add` per key wins across processes.
"""

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RACERS = 4
KEYS = 200


def configure(url: str, folder: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netflix_privacy.settings.local")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/db.sqlite3"
    os.environ["CACHE_URL"] = url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def race(url: str, folder: str, prefix: str, queue) -> None:
    configure(url, folder)
    from django.core.cache import cache

    queue.put(sum(1 for i in range(KEYS) if cache.add(f"{prefix}:{i}", os.getpid(), timeout=60)))


def measure(name: str, url: str, operations: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="cache-bench-") as folder:
        url = url.format(folder=folder)
        context = multiprocessing.get_context("spawn")
        child = context.Process(target=setup_and_time, args=(url, folder, operations, queue := context.Queue()))
        child.start()
        timings = queue.get(timeout=600)
        child.join(60)
        prefix = f"race-{time.time_ns()}"
        racers = [context.Process(target=race, args=(url, folder, prefix, queue)) for _ in range(RACERS)]
        for racer in racers:
            racer.start()
        won = sum(queue.get(timeout=600) for _ in racers)
        for racer in racers:
            racer.join(60)
    return {"name": name, **timings, "won": won}


def setup_and_time(url: str, folder: str, operations: int, queue) -> None:
    configure(url, folder)
    from django.core.cache import cache
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    cache.clear()
    for i in range(operations):
        cache.set(f"value:{i}", ("token", {"mic": True, "ba": False}), timeout=600)
        cache.set(f"version:{i}", "token", timeout=None)

    def timed(work) -> tuple[float, float]:
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(operations):
            work(i)
        return (time.process_time() - cpu) / operations * 1e6, (time.perf_counter() - wall) / operations * 1e6

    queue.put(
        {
            "get_many": timed(lambda i: cache.get_many([f"version:{i}", f"value:{i}"])),
            "set": timed(lambda i: cache.set(f"value:{i}", ("token", {"mic": False}), timeout=600)),
            "add": timed(lambda i: cache.add(f"slot:{i}", 1, timeout=600)),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--operations", type=int, default=2000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9", help="a Redis URL, or '' to leave it out")
    args = parser.parse_args()
    backends = [("database (dbcache, SQLite)", "dbcache://django_cache"), ("file-based", "filecache://{folder}/c")]
    if args.redis:
        backends.append(("Redis", args.redis))
    print(f"load average before: {os.getloadavg()[0]:.2f}; {args.operations} operations each; µs per operation")
    print(f"{'backend':<28}{'get_many cpu/wall':>20}{'set cpu/wall':>18}{'add cpu/wall':>18}  add race")
    for name, url in backends:
        m = measure(name, url, args.operations)
        cells = "".join(f"{m[op][0]:>9.1f}/{m[op][1]:<8.1f}" for op in ("get_many", "set", "add"))
        print(f"{name:<28}{cells}  {m['won']} of {KEYS} keys won ({'sound' if m['won'] == KEYS else 'NOT sound'})")


if __name__ == "__main__":
    main()
