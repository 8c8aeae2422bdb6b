"""Transactional outbox: an event is written in the same transaction as the change it reports,
and a relay publishes it to Kafka afterwards.

A crash between the commit and the publish loses nothing (the row waits for the relay); a
crash between the publish and the marking publishes the row again, which consumers absorb
by event id. One relay per database publishes at a time (a PostgreSQL advisory lock elects
it), so the events of one aggregate reach Kafka in the order they were committed.
"""
from __future__ import annotations

import functools
import json
import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.engine import Connection, Engine

from shared.config import KafkaSettings
from shared.events import CONTENT_TYPE, CORRELATION_HEADER, Envelope
from shared.faults import crash_point
from shared.metrics import record_outbox_published
from shared.pg_listen import dedicated_connection, notify

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "outbox_events"
_RELAY_LOCK_ID = 0x0B0C5  # advisory lock key: one relay per service database


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "outbox_events", metadata,
        sa.Column("position", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("message_key", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("envelope", JSONB, nullable=False),
        sa.Column("correlation_id", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("publish_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Index("ix_outbox_events_pending", "position", postgresql_where=sa.text("published_at IS NULL")),
    )


def outbox_row(*, topic: str, envelope: Envelope, correlation_id: str) -> dict:
    """The outbox row that carries `envelope` to `topic`."""
    return {"event_id": envelope.id, "topic": topic, "message_key": envelope.subject, "event_type": envelope.type,
            "envelope": envelope.to_dict(), "correlation_id": correlation_id}


def record_event(connection: Connection, table: sa.Table, *, topic: str, envelope: Envelope,
                 correlation_id: str) -> None:
    """Write `envelope` into the outbox inside the caller's transaction and wake the relay on commit."""
    # Parameters rather than .values(): one cached statement instead of a new one per event.
    connection.execute(table.insert(), outbox_row(topic=topic, envelope=envelope, correlation_id=correlation_id))
    notify(connection, NOTIFY_CHANNEL)


def insert_with_events(connection: Connection, rows: list[tuple[sa.Table, list[dict]]], table: sa.Table,
                       events: list[dict]) -> None:
    """Insert new rows into several tables, and the outbox rows (`outbox_row`) of the events that
    report them, in one statement that also wakes the relay on commit.

    One round trip, and one short statement for PostgreSQL (and psycopg) to prepare once,
    instead of a statement per table and one for the wake-up: what a hot write path (a
    registration surge) is worth. Each table's rows travel as one JSON array, inserted in a
    data-modifying WITH clause in the order given (so outbox positions follow the events);
    foreign keys are checked at the end of the statement, so a parent and its children can go
    in together. The rows of one table must have the same keys, and values JSON can carry
    (datetimes as ISO 8601)."""
    inserts = [(target, target_rows) for target, target_rows in [*rows, (table, events)] if target_rows]
    shape = []
    for target, target_rows in inserts:
        columns = tuple(target_rows[0])
        if any(tuple(row) != columns for row in target_rows):
            raise ValueError(f"rows for {target.name} differ in their keys")
        shape.append((target.name, columns))
    parameters = {f"rows_{index}": json.dumps(target_rows, default=_json_value)
                  for index, (_, target_rows) in enumerate(inserts)}
    connection.execute(_insert_with_events_statement(tuple(shape)), {**parameters, "channel": NOTIFY_CHANNEL})


@functools.lru_cache(maxsize=64)
def _insert_with_events_statement(shape: tuple[tuple[str, tuple[str, ...]], ...]) -> sa.TextClause:
    """One statement per shape (tables and their columns), whatever the number of rows."""
    def quoted(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    clauses = []
    for index, (table_name, columns) in enumerate(shape):
        names = ", ".join(quoted(column) for column in columns)
        clauses.append(
            f"insert_{index} AS (INSERT INTO {quoted(table_name)} ({names}) SELECT {names} FROM "
            f"jsonb_populate_recordset(NULL::{quoted(table_name)}, CAST(:rows_{index} AS jsonb)) "
            "WITH ORDINALITY AS given ORDER BY given.ordinality)")
    return sa.text(f"WITH {', '.join(clauses)} SELECT pg_notify(:channel, '')")


def _json_value(value: object) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a value for a row")


@dataclass(frozen=True)
class PendingBacklog:
    count: int
    oldest_age_seconds: float


def pending_backlog(engine: Engine, table: sa.Table) -> PendingBacklog:
    with engine.connect() as connection:
        count, oldest = connection.execute(
            sa.select(sa.func.count(), sa.func.min(table.c.created_at)).where(table.c.published_at.is_(None))).one()
        age = connection.execute(sa.select(sa.func.extract("epoch", sa.func.now() - oldest))).scalar() if oldest else 0
    return PendingBacklog(count=count, oldest_age_seconds=float(age or 0))


class OutboxRelay:
    """Publishes committed outbox rows to Kafka in commit order, then marks them published."""

    name = "outbox-relay"

    def __init__(self, engine: Engine, table: sa.Table, producer, kafka: KafkaSettings, *,
                 batch_size: int = 500, idle_wait_seconds: float = 1.0, send_timeout_seconds: float = 30.0,
                 gather_seconds: float = 0.05):
        self._engine = engine
        self._table = table
        self._producer = producer
        self._kafka = kafka
        self._batch_size = batch_size
        self._idle_wait = idle_wait_seconds
        self._send_timeout = send_timeout_seconds
        # An event waits at most this long for others to share its batch. In a surge a batch costs
        # the relay and the broker far more than an event in it: 50 ms rather than 10 halved the
        # relay's and Kafka's CPU per registration (bench/registration_surge.py, docs/benchmarks.md).
        self._gather = gather_seconds

    def publish_pending(self) -> int:
        """Publish one batch; returns how many rows it published. Raises if Kafka refused any."""
        t = self._table
        with self._engine.begin() as connection:
            rows = connection.execute(
                # The envelope as PostgreSQL's JSON text: decoding it only to encode it again cost a tenth of the relay.
                sa.select(t.c.position, t.c.topic, t.c.message_key, sa.cast(t.c.envelope, sa.Text).label("envelope"),
                          t.c.correlation_id)
                .where(t.c.published_at.is_(None))
                .order_by(t.c.position)
                .limit(self._batch_size)
                .with_for_update(skip_locked=True)).all()
            if not rows:
                return 0
            try:
                futures = [
                    self._producer.send(
                        self._kafka.topic(row.topic),
                        key=row.message_key.encode(),
                        value=row.envelope.encode(),
                        headers=[("content-type", CONTENT_TYPE.encode()),
                                 (CORRELATION_HEADER, row.correlation_id.encode())])
                    for row in rows]
                self._producer.flush(timeout=self._send_timeout)
                for future in futures:
                    future.get(timeout=self._send_timeout)
            except Exception as error:
                connection.rollback()
                self._record_failure([row.position for row in rows], error)
                raise
            crash_point("outbox.after_publish_before_mark")
            connection.execute(
                t.update().where(t.c.position.in_([row.position for row in rows]))
                .values(published_at=sa.func.now(), publish_attempts=t.c.publish_attempts + 1, last_error=None))
        record_outbox_published(len(rows))
        return len(rows)

    def _record_failure(self, positions: list[int], error: Exception) -> None:
        t = self._table
        try:
            with self._engine.begin() as connection:
                connection.execute(t.update().where(t.c.position.in_(positions)).values(
                    publish_attempts=t.c.publish_attempts + 1, last_error=f"{type(error).__name__}: {error}"[:2000]))
        except sa.exc.SQLAlchemyError:
            log.exception("could not record the publish failure")

    def run(self, stop: threading.Event) -> None:
        """Until `stop`: hold the relay lock, publish, and sleep until notified or `idle_wait` passes."""
        backoff = 0.5
        while not stop.is_set():
            try:
                with dedicated_connection(self._engine) as leader:
                    if not leader.try_lock(_RELAY_LOCK_ID):
                        stop.wait(self._idle_wait)  # another relay publishes for this database
                        continue
                    leader.listen(NOTIFY_CHANNEL)
                    log.info("outbox relay is publishing")
                    while not stop.is_set():
                        if self.publish_pending() < self._batch_size:
                            leader.wait(self._idle_wait, gather=self._gather)
                        backoff = 0.5
            except Exception as error:
                if isinstance(error, sa.exc.OperationalError):  # an outage, not a bug: no traceback
                    log.warning("outbox relay lost the database (%s); retrying in %.1fs", error.orig, backoff)
                else:
                    log.exception("outbox relay failed; retrying in %.1fs", backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, 15.0)
