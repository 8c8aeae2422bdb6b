"""Sends queued messages through their channel: due rows are claimed with SKIP LOCKED, so
several workers share the queue, and one batch's outcomes are written with a statement each.

A transient failure is retried with exponential backoff; a channel that cannot be reached
puts off the rest of its batch without spending their attempts. A permanent failure, or a
transient one that outlasts the bounded attempts, marks the message failed with its error and
puts it on the emails' dead-letter topic (through the outbox, in the same transaction), so
operators see it there as well as in the delivery log; the messages after it go on.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from services.notification import contracts
from services.notification.adapters.channels import (
    ChannelUnavailable, Channels, OutboundMessage, PermanentDeliveryFailure, TransientDeliveryFailure)
from services.notification.adapters.tables import outbound_emails as emails
from services.notification.adapters.tables import outbox
from services.notification.queueing import WAKE_DISPATCHER
from shared.events import ContractRegistry
from shared.metrics import record_email
from shared.outbox import record_event
from shared.pg_listen import dedicated_connection

log = logging.getLogger(__name__)

_CLAIM = (sa.select(emails.c.id, emails.c.event_id, emails.c.event_type, emails.c.channel, emails.c.template,
                    emails.c.recipient_email, emails.c.recipient_name, emails.c.subject, emails.c.text_body,
                    emails.c.html_body, emails.c.calendar_ics, emails.c.calendar_method, emails.c.correlation_id,
                    emails.c.attempts)
          .where(emails.c.status == "pending", emails.c.next_attempt_at <= sa.func.now())
          .order_by(emails.c.next_attempt_at, emails.c.position).limit(sa.bindparam("limit")).with_for_update(skip_locked=True))
_MARK_SENT = (emails.update().where(emails.c.id.in_(sa.bindparam("ids", expanding=True)))
              .values(status="sent", attempts=emails.c.attempts + 1, sent_at=sa.func.now(), last_error=None))
_SETTLE = (emails.update().where(emails.c.id == sa.bindparam("row_id"))
           .values(status=sa.bindparam("new_status"), attempts=sa.bindparam("new_attempts"),
                   last_error=sa.bindparam("error"),
                   next_attempt_at=sa.func.now() + sa.bindparam("delay", type_=sa.Interval)))


def retry_delay(attempts: int, first_retry_seconds: float) -> timedelta:
    """After the n-th failed attempt: first_retry × 2^(n-1), at most 15 minutes."""
    return timedelta(seconds=min(first_retry_seconds * 2 ** (attempts - 1), 900))


@dataclass
class _Outcomes:
    sent: list[str] = field(default_factory=list)
    settled: list[dict] = field(default_factory=list)  # rescheduled, failed, or put off untried
    dead: list[tuple[sa.Row, int, str, bool]] = field(default_factory=list)  # (row, attempts, error, permanent)


class Dispatcher:
    name = "dispatcher"

    def __init__(self, engine: Engine, channels: Channels, contracts_registry: ContractRegistry, *,
                 max_attempts: int, first_retry_seconds: float, batch_size: int = 100,
                 idle_wait_seconds: float = 1.0):
        self._engine = engine
        self._channels = channels
        self._contracts = contracts_registry
        self._max_attempts = max_attempts
        self._first_retry = first_retry_seconds
        self._batch_size = batch_size
        self._idle_wait = idle_wait_seconds

    def send_due(self) -> int:
        """Send one batch of due messages; returns how many rows it settled (sent, failed or rescheduled)."""
        with self._engine.begin() as connection:
            due = connection.execute(_CLAIM, {"limit": self._batch_size}).all()
            outcomes = _Outcomes()
            unavailable: dict[str, tuple[str, timedelta]] = {}  # channels found down in this batch: why, how long
            for row in due:
                if row.channel in unavailable:
                    error, delay = unavailable[row.channel]
                    outcomes.settled.append(_settle(row, "pending", row.attempts, error, delay))
                    continue
                self._deliver(row, outcomes, unavailable)
            self._record(connection, outcomes)
        return len(due)

    def _deliver(self, row: sa.Row, outcomes: _Outcomes, unavailable: dict[str, tuple[str, timedelta]]) -> None:
        attempts = row.attempts + 1
        channel = self._channels.get(row.channel)
        try:
            if channel is None:
                raise PermanentDeliveryFailure(f"no channel {row.channel!r} in this worker")
            channel.send(_message(row))
            outcomes.sent.append(row.id)
            return
        except PermanentDeliveryFailure as error:
            log.warning("message %s to %s refused: %s", row.id, row.recipient_email, error)
            self._give_up(row, attempts, str(error), outcomes, permanent=True)
        except TransientDeliveryFailure as error:
            if attempts >= self._max_attempts:
                self._give_up(row, attempts, str(error), outcomes, permanent=False)
                return
            delay = retry_delay(attempts, self._first_retry)
            outcomes.settled.append(_settle(row, "pending", attempts, str(error), delay))
            if isinstance(error, ChannelUnavailable):
                log.warning("channel %s unavailable (%s); its messages wait %s", row.channel, error, delay)
                unavailable[row.channel] = (str(error), delay)

    def _give_up(self, row: sa.Row, attempts: int, error: str, outcomes: _Outcomes, *, permanent: bool) -> None:
        outcomes.settled.append(_settle(row, "failed", attempts, error, timedelta(0)))
        outcomes.dead.append((row, attempts, error, permanent))

    def _record(self, connection: Connection, outcomes: _Outcomes) -> None:
        if outcomes.sent:
            connection.execute(_MARK_SENT, {"ids": outcomes.sent})
        if outcomes.settled:
            connection.execute(_SETTLE, outcomes.settled)
        for row, attempts, error, permanent in outcomes.dead:
            record_event(connection, outbox, topic=contracts.EMAILS_DEAD_LETTER_TOPIC, correlation_id=row.correlation_id,
                         envelope=self._contracts.create(contracts.EMAIL_DEAD_LETTERED, row.id, {
                             "email_id": row.id, "event_id": row.event_id, "event_type": row.event_type,
                             "template": row.template, "channel": row.channel, "recipient": row.recipient_email,
                             "attempts": attempts, "error": error[:2000], "permanent": permanent,
                             "failed_at": datetime.now(timezone.utc)}))
        for _ in outcomes.sent:
            record_email("sent")
        for settled in outcomes.settled:
            record_email("failed" if settled["new_status"] == "failed" else "deferred")

    def run(self, stop: threading.Event) -> None:
        backoff = 0.5
        try:
            while not stop.is_set():
                try:
                    with dedicated_connection(self._engine) as listener:
                        listener.listen(WAKE_DISPATCHER)
                        while not stop.is_set():
                            if self.send_due() < self._batch_size:
                                listener.wait(self._idle_wait)
                            backoff = 0.5
                except sa.exc.SQLAlchemyError as error:
                    log.warning("dispatcher lost the database (%s); retrying in %.1fs",
                                getattr(error, "orig", error), backoff)
                    stop.wait(backoff)
                    backoff = min(backoff * 2, 15.0)
        finally:
            self._channels.close()


def _settle(row: sa.Row, status: str, attempts: int, error: str | None, delay: timedelta) -> dict:
    return {"row_id": row.id, "new_status": status, "new_attempts": attempts,
            "error": error[:2000] if error else None, "delay": delay}


def _message(row: sa.Row) -> OutboundMessage:
    return OutboundMessage(id=row.id, recipient_address=row.recipient_email, recipient_name=row.recipient_name,
                           subject=row.subject, text=row.text_body, html=row.html_body,
                           correlation_id=row.correlation_id, calendar_ics=row.calendar_ics,
                           calendar_method=row.calendar_method)
