"""Idempotent consumption: a handler's writes and the "event processed" mark commit together.

Offsets are committed to Kafka only after that transaction, so a crash in between means
redelivery, and the processed mark turns the redelivery into a no-op. A message that cannot
be applied (malformed, breaking its contract, or failing its handler after bounded retries
with backoff) goes to the consumer group's dead-letter topic with the error, and the
partition moves on. A database outage is not the message's fault: the consumer waits for
the database rather than dead-lettering everything that arrives meanwhile.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection, Engine

from shared.config import KafkaSettings
from shared.events import CORRELATION_HEADER, ContractRegistry, Envelope, InvalidEvent
from shared.faults import crash_point
from shared.kafka import dead_letter_topic, new_consumer
from shared.logs import correlation_id as logged_correlation_id
from shared.metrics import record_consumed, record_dead_letter

log = logging.getLogger(__name__)


def processed_events_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "processed_events", metadata,
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


@dataclass(frozen=True)
class ReceivedEvent:
    """An event as a handler sees it: its envelope, its data loaded by the contract, where it came from."""

    envelope: Envelope
    data: dict
    correlation_id: str

    @property
    def id(self) -> str:
        return self.envelope.id

    @property
    def time(self) -> datetime:
        return self.envelope.time


Handler = Callable[[Connection, ReceivedEvent], None]


def _is_database_outage(error: Exception) -> bool:
    return isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError)) or (
        isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated)


class IdempotentConsumer:
    """Consumes `topics` as consumer group `group`, applying each handled event type exactly once."""

    def __init__(self, *, group: str, topics: list[str], engine: Engine, processed_table: sa.Table,
                 contracts: ContractRegistry, handlers: dict[str, Handler], kafka: KafkaSettings, producer,
                 max_attempts: int = 5, first_backoff_seconds: float = 0.2, max_backoff_seconds: float = 5.0,
                 batch_size: int = 1):
        """`batch_size` > 1 applies up to that many consecutive records of a partition in one
        transaction (each still with its own processed mark), saving a commit per event in a
        backlog. If any of them cannot be applied, that transaction is rolled back and those
        records are applied one by one as usual, so only the failing one is retried or dead-lettered."""
        unknown = set(handlers) - set(contracts.types)
        if unknown:
            raise ValueError(f"handlers for event types without a contract: {sorted(unknown)}")
        self.name = f"consumer:{group}"
        self.group = group
        self.topics = topics
        self._engine = engine
        self._processed = processed_table
        self._contracts = contracts
        self._handlers = handlers
        self._kafka = kafka
        self._producer = producer
        self._max_attempts = max_attempts
        self._first_backoff = first_backoff_seconds
        self._max_backoff = max_backoff_seconds
        self._batch_size = batch_size
        # Built once and run with parameters: a statement built per event cost more than running it.
        self._mark_processed = insert(processed_table).on_conflict_do_nothing().returning(processed_table.c.event_id)
        self.dead_letter_topic = dead_letter_topic(group).name

    def run(self, stop: threading.Event) -> None:
        consumer = new_consumer(self._kafka, self.group, self.topics)
        try:
            while not stop.is_set():
                try:
                    batches = consumer.poll(timeout_ms=500)
                except KafkaError as error:
                    # The broker is away (restarting, a leader moving): wait for it rather than die.
                    log.warning("could not poll %s: %s; trying again", self.topics, error)
                    stop.wait(1)
                    continue
                for partition, records in batches.items():
                    next_offset = self._process_in_order(records, stop)
                    if next_offset is not None:
                        crash_point("consumer.after_transaction_before_commit")
                        self._commit(consumer, partition, next_offset)
                    if stop.is_set():
                        break
        finally:
            consumer.close(autocommit=False)

    def _process_in_order(self, records: list, stop: threading.Event) -> int | None:
        """Apply one partition's records in order; the offset after the last one settled (None if none was)."""
        next_offset = None
        for first in range(0, len(records), self._batch_size):
            chunk = records[first:first + self._batch_size]
            if len(chunk) > 1 and self._apply_together(chunk):
                next_offset = chunk[-1].offset + 1
                continue
            for record in chunk:
                if not self.process(record, stop):
                    return next_offset  # stopping: the rest is redelivered to whoever consumes next
                next_offset = record.offset + 1
        return next_offset

    def _apply_together(self, records: list) -> bool:
        """Apply `records` in one transaction; False (nothing applied) if any of them cannot be."""
        try:
            parsed = [self._handled(record) for record in records]
            with self._engine.begin() as connection:
                applied = [(received, self._apply_in(connection, handler, received))
                           for handler, received in filter(None, parsed)]
        except Exception as error:  # a malformed event, a failing handler, the database: one by one decides
            log.warning("%d events could not be applied together (%s: %s); applying them one by one",
                        len(records), type(error).__name__, error)
            return False
        for received, newly in applied:
            record_consumed(self.group, received.envelope.type, newly)
        log.info("applied %d of %d events together", sum(newly for _, newly in applied), len(records))
        return True

    def _handled(self, record) -> tuple[Handler, ReceivedEvent] | None:
        """The record's handler and event, None if no handler here wants its type; InvalidEvent if it is malformed."""
        headers = dict(record.headers or [])
        correlation_id = headers.get(CORRELATION_HEADER, b"").decode(errors="replace")
        envelope = Envelope.from_json(record.value)
        handler = self._handlers.get(envelope.type)
        if handler is None:
            return None  # another service's concern: topics carry many event types
        return handler, ReceivedEvent(envelope=envelope, data=self._contracts.load_data(envelope),
                                      correlation_id=correlation_id or envelope.id)

    @staticmethod
    def _commit(consumer, partition: TopicPartition, next_offset: int) -> None:
        try:
            consumer.commit({partition: OffsetAndMetadata(next_offset, "", -1)})
        except CommitFailedError:
            # The group rebalanced while we worked: the partition's new owner re-reads from the
            # last committed offset, and the processed marks make that harmless.
            log.warning("offset commit for %s refused after a rebalance", partition)
        except KafkaError as error:
            # The broker or the group coordinator is away. The next commit covers this offset; if
            # none comes first, the events are redelivered and the processed marks skip them.
            log.warning("could not commit offset %d of %s: %s", next_offset, partition, error)

    def process(self, record, stop: threading.Event) -> bool:
        """Apply one Kafka record, or dead-letter it. False if `stop` came before either was done."""
        headers = dict(record.headers or [])
        logged_correlation_id.set(headers.get(CORRELATION_HEADER, b"").decode(errors="replace"))  # for log lines
        try:
            handled = self._handled(record)
            if handled is None:
                return True
            handler, received = handled
        except InvalidEvent as error:
            log.error("rejected a malformed event at %s-%s@%s: %s", record.topic, record.partition, record.offset, error)
            return self._dead_letter(record, error, attempts=1, stop=stop)

        attempt, backoff = 0, self._first_backoff
        while not stop.is_set():
            attempt += 1
            try:
                applied = self._apply(handler, received)
                record_consumed(self.group, received.envelope.type, applied)
                log.info("%s %s %s", "applied" if applied else "skipped redelivered", received.envelope.type, received.id)
                return True
            except Exception as error:
                if _is_database_outage(error):
                    attempt -= 1  # not the event's fault; wait for the database
                    log.warning("database unavailable while applying %s: %s", received.id, error)
                elif attempt >= self._max_attempts:
                    log.exception("giving up on %s %s after %d attempts", received.envelope.type, received.id, attempt)
                    return self._dead_letter(record, error, attempts=attempt, stop=stop)
                else:
                    log.warning("attempt %d at %s %s failed: %s", attempt, received.envelope.type, received.id, error)
                stop.wait(backoff)
                backoff = min(backoff * 2, self._max_backoff)
        return False

    def _apply(self, handler: Handler, received: ReceivedEvent) -> bool:
        """The handler's writes and the processed mark, in one transaction. False for a redelivery."""
        with self._engine.begin() as connection:
            return self._apply_in(connection, handler, received)

    def _apply_in(self, connection: Connection, handler: Handler, received: ReceivedEvent) -> bool:
        """Mark the event processed and run its handler in the caller's transaction; False for a redelivery."""
        logged_correlation_id.set(received.correlation_id)
        newly_marked = connection.execute(self._mark_processed, {
            "consumer": self.group, "event_id": received.id, "event_type": received.envelope.type}).first()
        if newly_marked is None:
            return False
        handler(connection, received)
        return True

    def _dead_letter(self, record, error: Exception, *, attempts: int, stop: threading.Event) -> bool:
        headers = list(record.headers or []) + [
            ("dead-letter.error", f"{type(error).__name__}: {error}"[:4000].encode()),
            ("dead-letter.original-topic", record.topic.encode()),
            ("dead-letter.original-partition", str(record.partition).encode()),
            ("dead-letter.original-offset", str(record.offset).encode()),
            ("dead-letter.consumer-group", self.group.encode()),
            ("dead-letter.attempts", str(attempts).encode()),
            ("dead-letter.at", str(time.time()).encode()),
        ]
        while not stop.is_set():
            try:
                self._producer.send(self._kafka.topic(self.dead_letter_topic), key=record.key,
                                    value=record.value, headers=headers).get(timeout=30)
                record_dead_letter(self.group)
                return True
            except KafkaError:
                # Moving on without the dead letter would drop the message: wait for the broker.
                log.exception("could not dead-letter %s-%s@%s; retrying", record.topic, record.partition, record.offset)
                stop.wait(1)
        return False
