"""Django's own PostgreSQL backend, subclassed as Django documents ("Subclassing the built-in database backends"), so
that a transaction's end waits no longer than its statements do.

A COMMIT or ROLLBACK is no query: psycopg sends it from `connection.commit()` / `rollback()`, outside every execute
wrapper, so on a frozen backend it would wait forever although each statement before it was bounded. Here both run
under the same watchdog deadline (common.db.transaction_end_deadline) while a request's bound is active.
"""

from django.db.backends.postgresql import base

from common import db


class DatabaseWrapper(base.DatabaseWrapper):
    def commit(self) -> None:
        with db.transaction_end_deadline(self):
            super().commit()

    def rollback(self) -> None:
        with db.transaction_end_deadline(self):
            super().rollback()
