"""Every wait of a request on PostgreSQL is bounded, whatever the database does.

PostgreSQL enforces `statement_timeout` and `lock_timeout` itself, and `connect_timeout` bounds a new connection;
but a backend that is frozen (stopped, swapped out, a hung host behind a live network) enforces nothing, and the
client waits on its socket forever. So each query a request sends is registered with a watchdog thread (one per
process) for DATABASE_QUERY_DEADLINE_S; a query still unanswered then has its connection's socket shut down, which
ends the wait at once with an OperationalError. The request answers 503 with Retry-After (common.middleware and
common.views.server_error), Django discards the broken connection when the request ends, and the next request
opens a new one: service is back as soon as the database answers new connections.

The deadline is registered through Django's documented `connection.execute_wrapper()`, around each request
(common.middleware.DatabaseDeadlineMiddleware). A transaction's COMMIT or ROLLBACK passes no execute wrapper (the
driver sends it from `connection.commit()`), so the project's PostgreSQL backend (common.postgresql, Django's own
subclassed) puts both under the same deadline while a request's bound is active: a save on a frozen backend
answers 503 like a query does. Management commands and task workers run without it: they may legitimately wait
longer, and they hold no web worker.
"""

import contextlib
import contextvars
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connections

# How often the watchdog looks; a frozen query is cut within its deadline plus this.
CHECK_EVERY_S = 0.25


class _Watchdog:
    """The in-flight queries of this process's threads: (deadline, socket's file descriptor) per thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.inflight: dict[int, tuple[float, int]] = {}
        self.pid = 0

    def ensure_running(self) -> None:
        with self.lock:
            if self.pid == os.getpid():
                return
            self.pid = os.getpid()  # after a fork (gunicorn's workers) each process starts its own
            self.inflight.clear()
        threading.Thread(target=self._run, name="database-deadline", daemon=True).start()

    def _run(self) -> None:
        while True:
            time.sleep(CHECK_EVERY_S)
            now = time.monotonic()
            with self.lock:
                late = [(ident, fd) for ident, (deadline, fd) in self.inflight.items() if deadline <= now]
                for ident, fd in late:
                    del self.inflight[ident]
                    _shut_down(fd)

    @contextlib.contextmanager
    def watching(self, fd: int, seconds: float) -> Iterator[None]:
        self.ensure_running()
        ident = threading.get_ident()
        with self.lock:
            self.inflight[ident] = (time.monotonic() + seconds, fd)
        try:
            yield
        finally:
            with self.lock:
                self.inflight.pop(ident, None)


def _shut_down(fd: int) -> None:
    """End every wait on the connection behind `fd`: shutdown() acts on the socket itself, so the client library's
    blocked read returns at once; the duplicate descriptor closed here leaves the library's own untouched."""
    try:
        with socket.socket(fileno=os.dup(fd)) as duplicate:
            duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed or not a socket: nothing is waiting on it


_watchdog = _Watchdog()

# Whether the running request's waits are bounded (bounded_waits); a COMMIT outside a request is not.
_bounded: contextvars.ContextVar[bool] = contextvars.ContextVar("database_deadline", default=False)


def deadline(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    """An execute wrapper (Django's database instrumentation): the query runs under the watchdog's deadline."""
    cursor = context["cursor"]
    fileno = getattr(getattr(cursor, "connection", None), "fileno", None)
    if context["connection"].vendor != "postgresql" or fileno is None:
        return execute(sql, params, many, context)
    with _watchdog.watching(fileno(), settings.DATABASE_QUERY_DEADLINE_S):
        return execute(sql, params, many, context)


@contextlib.contextmanager
def transaction_end_deadline(wrapper: Any) -> Iterator[None]:
    """A COMMIT or ROLLBACK on `wrapper` (a PostgreSQL DatabaseWrapper) under the deadline, inside bounded_waits."""
    driver = wrapper.connection  # psycopg's connection; None before the first query
    if not _bounded.get() or driver is None or driver.closed:
        yield
        return
    with _watchdog.watching(driver.fileno(), settings.DATABASE_QUERY_DEADLINE_S):
        yield


@contextlib.contextmanager
def bounded_waits() -> Iterator[None]:
    """Every query, COMMIT and ROLLBACK on every configured database, inside the block, under the deadline."""
    token = _bounded.set(True)
    try:
        with contextlib.ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(deadline))
            yield
    finally:
        _bounded.reset(token)
