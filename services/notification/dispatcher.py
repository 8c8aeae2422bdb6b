"""Sends queued emails: due rows are claimed with SKIP LOCKED, so several workers share the queue.

A transient failure (server down, 4xx) is retried with exponential backoff; a permanent
one (5xx), or too many attempts, marks the email failed with the reason.
"""
from __future__ import annotations

import logging
import threading
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from services.notification.adapters.smtp import (
    PermanentDeliveryFailure, SmtpMailer, TransientDeliveryFailure, compose)
from services.notification.adapters.tables import outbound_emails as emails
from services.notification.handlers import EMAILS_CHANNEL
from shared.pg_listen import dedicated_connection

log = logging.getLogger(__name__)


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** attempts, 900))


class EmailDispatcher:
    name = "email-dispatcher"

    def __init__(self, engine: Engine, mailer: SmtpMailer, *, sender: str, max_attempts: int,
                 batch_size: int = 100, idle_wait_seconds: float = 1.0):
        self._engine = engine
        self._mailer = mailer
        self._sender = sender
        self._max_attempts = max_attempts
        self._batch_size = batch_size
        self._idle_wait = idle_wait_seconds

    def send_due(self) -> int:
        """Send one batch of due emails; returns how many rows it settled (sent, failed or rescheduled)."""
        with self._engine.begin() as connection:
            due = connection.execute(
                sa.select(emails).where(emails.c.status == "pending", emails.c.next_attempt_at <= sa.func.now())
                .order_by(emails.c.next_attempt_at).limit(self._batch_size)
                .with_for_update(skip_locked=True)).all()
            for row in due:
                connection.execute(emails.update().where(emails.c.id == row.id).values(**self._deliver(row)))
        return len(due)

    def _deliver(self, row) -> dict:
        attempts = row.attempts + 1
        try:
            self._mailer.send(compose(sender=self._sender, recipient=row.recipient_email, subject=row.subject,
                                      text=row.text_body, html=row.html_body, email_id=row.id,
                                      correlation_id=row.correlation_id))
            return {"status": "sent", "attempts": attempts, "sent_at": sa.func.now(), "last_error": None}
        except PermanentDeliveryFailure as error:
            log.warning("email %s to %s refused: %s", row.id, row.recipient_email, error)
            return {"status": "failed", "attempts": attempts, "last_error": str(error)[:2000]}
        except TransientDeliveryFailure as error:
            if attempts >= self._max_attempts:
                return {"status": "failed", "attempts": attempts, "last_error": str(error)[:2000]}
            return {"attempts": attempts, "last_error": str(error)[:2000],
                    "next_attempt_at": sa.func.now() + retry_delay(attempts)}

    def run(self, stop: threading.Event) -> None:
        backoff = 0.5
        try:
            while not stop.is_set():
                try:
                    with dedicated_connection(self._engine) as listener:
                        listener.listen(EMAILS_CHANNEL)
                        while not stop.is_set():
                            if self.send_due() < self._batch_size:
                                listener.wait(self._idle_wait)
                            backoff = 0.5
                except sa.exc.SQLAlchemyError as error:
                    log.warning("email dispatcher lost the database (%s); retrying in %.1fs",
                                getattr(error, "orig", error), backoff)
                    stop.wait(backoff)
                    backoff = min(backoff * 2, 15.0)
        finally:
            self._mailer.close()
