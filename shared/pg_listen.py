"""A dedicated PostgreSQL connection for LISTEN and session advisory locks.

Unpooled on purpose: closing it releases its locks and subscriptions, which a pooled
connection handed back to the pool would keep.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Engine


class Listener:
    def __init__(self, connection: sa.Connection):
        self._connection = connection
        self._raw = connection.connection.dbapi_connection

    def try_lock(self, key: int) -> bool:
        """Take session advisory lock `key` if free: at most one holder per database (e.g. a leader)."""
        return bool(self._connection.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar())

    def listen(self, channel: str) -> None:
        self._raw.execute(f"LISTEN {channel}")

    def wait(self, timeout: float, gather: float = 0.0) -> None:
        """Return after `timeout` seconds, or `gather` seconds after the next notification: in a
        burst of commits, one wake-up then serves many of them (as Kafka's linger.ms does)."""
        try:
            notified = any(True for _ in self._raw.notifies(timeout=timeout, stop_after=1))
            if notified and gather:
                for _ in self._raw.notifies(timeout=gather):
                    pass
        except psycopg.OperationalError as error:  # the server went away: say so as SQLAlchemy would
            raise sa.exc.OperationalError("LISTEN", None, error) from error


@contextmanager
def dedicated_connection(engine: Engine) -> Iterator[Listener]:
    unpooled = sa.create_engine(engine.url, poolclass=sa.pool.NullPool)
    try:
        with unpooled.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield Listener(connection)
    finally:
        unpooled.dispose()


_NOTIFY = sa.select(sa.func.pg_notify(sa.bindparam("channel", type_=sa.Text), ""))


def notify(connection: sa.Connection, channel: str) -> None:
    """Wake the listeners of `channel` when the caller's transaction commits.

    Asked once per transaction: PostgreSQL folds the repeats of a transaction into one
    notification anyway, so they would be round trips for nothing. (Inside a savepoint it is
    always asked: a savepoint rolled back takes its notification with it.)"""
    transaction = connection.get_transaction()
    notified = connection.info.setdefault("notified_in", {})
    if transaction is not None and notified.get(channel) is transaction:
        return
    connection.execute(_NOTIFY, {"channel": channel})
    if not connection.in_nested_transaction():
        notified[channel] = transaction
