"""Announcements: organisers write one to a segment, preview it, and send it; the worker's
fan-out queues one email per person in the segment (in batches, one transaction each), and the
delivery log shows how each one went. Every change is audited."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from services.notification.adapters import segments
from services.notification.adapters.tables import announcements, audit_log, outbound_emails
from services.notification.domain import announcements as domain
from services.notification.domain.messages import Recipient
from services.notification.domain.segments import Segment
from services.notification.queueing import Cause, EmailQueue
from shared.audit import record_audit
from shared.auth import Principal
from shared.errors import StateConflict

FAN_OUT_BATCH = 500


class NotFound(Exception):
    """No such announcement."""


@dataclass(frozen=True)
class Draft:
    segment: Segment
    edition_id: str | None
    subject: str
    body: str


def _locked(connection: Connection, announcement_id: str) -> sa.Row:
    row = connection.execute(sa.select(announcements).where(announcements.c.id == announcement_id)
                             .with_for_update()).first()
    if row is None:
        raise NotFound(announcement_id)
    return row


def _fields(draft: Draft) -> dict:
    return {"segment": draft.segment.value, "edition_id": draft.edition_id, "subject": draft.subject,
            "body": draft.body}


def create(engine: Engine, draft: Draft, *, actor: Principal, correlation_id: str) -> str:
    announcement_id = str(uuid.uuid4())
    with engine.begin() as connection:
        connection.execute(announcements.insert().values(id=announcement_id, created_by=actor.name, **_fields(draft)))
        record_audit(connection, audit_log, actor=actor, action="announcement.drafted", target_type="announcement",
                     target_id=announcement_id, after=_fields(draft), correlation_id=correlation_id)
    return announcement_id


def update(engine: Engine, announcement_id: str, draft: Draft, *, actor: Principal, correlation_id: str) -> None:
    with engine.begin() as connection:
        row = _locked(connection, announcement_id)
        if row.status != "draft":
            raise StateConflict("This announcement is already being sent; it can no longer change.")
        before = {key: getattr(row, key) for key in ("segment", "edition_id", "subject", "body")}
        connection.execute(announcements.update().where(announcements.c.id == announcement_id)
                           .values(updated_at=sa.func.now(), **_fields(draft)))
        record_audit(connection, audit_log, actor=actor, action="announcement.changed", target_type="announcement",
                     target_id=announcement_id, before=before, after=_fields(draft), correlation_id=correlation_id)


def send(engine: Engine, announcement_id: str, *, actor: Principal, correlation_id: str) -> int:
    """From draft to sending: the worker's fan-out takes it from here. Returns the segment's size now."""
    with engine.begin() as connection:
        row = _locked(connection, announcement_id)
        if row.status != "draft":
            raise StateConflict("This announcement has already been sent.")
        size = segments.count(connection, Segment(row.segment), row.edition_id)
        if size == 0:
            raise StateConflict("Nobody is in this segment yet, so there is no one to send it to.")
        connection.execute(announcements.update().where(announcements.c.id == announcement_id).values(
            status="sending", sent_by=actor.name, send_requested_at=sa.func.now(), updated_at=sa.func.now()))
        record_audit(connection, audit_log, actor=actor, action="announcement.sent", target_type="announcement",
                     target_id=announcement_id, after={"segment": row.segment, "edition_id": row.edition_id,
                                                       "recipients": size}, correlation_id=correlation_id)
    return size


class AnnouncementFanOut:
    """One step queues the next batch of one announcement being sent (the worker runs it as a PeriodicJob)."""

    def __init__(self, engine: Engine, queue: EmailQueue, *, batch_size: int = FAN_OUT_BATCH):
        self._engine = engine
        self._queue = queue
        self._batch_size = batch_size

    def queue_next_batch(self) -> int:
        """Returns how many emails it queued (0 when no announcement is waiting)."""
        with self._engine.begin() as connection:
            row = connection.execute(sa.select(announcements).where(announcements.c.status == "sending")
                                     .order_by(announcements.c.send_requested_at).limit(1)
                                     .with_for_update(skip_locked=True)).first()
            if row is None:
                return 0
            cause_id = domain.event_id(row.id)
            people = segments.members(Segment(row.segment), row.edition_id)
            not_yet = (sa.select(people).where(~sa.exists().where(
                outbound_emails.c.event_id == cause_id, outbound_emails.c.recipient_email == people.c.email))
                .limit(self._batch_size))
            batch = connection.execute(not_yet).all()
            self._queue.queue(connection, Cause(event_id=cause_id, event_type=domain.EVENT_TYPE,
                                                correlation_id=f"announcement-{row.id}"), [
                domain.announcement_email(row.subject, row.body, Recipient(email=person.email,
                                                                            full_name=person.full_name,
                                                                            person_id=person.person_id))
                for person in batch])
            if len(batch) < self._batch_size:
                queued = connection.execute(sa.select(sa.func.count()).where(outbound_emails.c.event_id == cause_id))
                connection.execute(announcements.update().where(announcements.c.id == row.id).values(
                    status="sent", queued_at=sa.func.now(), recipients=queued.scalar()))
            return max(len(batch), 1)  # a finished announcement counts as work: look for the next one at once
