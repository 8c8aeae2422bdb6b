"""The digest job: sends each person's waiting requests as one email, at most one per period
(domain/digests.py says what the email is). Several workers may run it: claiming a
person's slot in digest_schedule is what lets one of them, once, send that person's digest.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Engine

from services.notification.adapters.tables import digest_items as items
from services.notification.adapters.tables import digest_schedule as schedule
from services.notification.domain.digests import DigestItem, digest_email
from services.notification.domain.messages import Recipient
from services.notification.queueing import Cause, EmailQueue

_DUE = (sa.select(items.c.recipient_email, items.c.kind)
        .select_from(items.outerjoin(schedule, sa.and_(schedule.c.recipient_email == items.c.recipient_email,
                                                        schedule.c.kind == items.c.kind)))
        .where(items.c.digest_id.is_(None),
               sa.or_(schedule.c.last_sent_at.is_(None),
                      schedule.c.last_sent_at <= sa.func.now() - sa.bindparam("period", type_=sa.Interval)))
        .group_by(items.c.recipient_email, items.c.kind).limit(sa.bindparam("limit")))
_slot = insert(schedule).values(recipient_email=sa.bindparam("recipient_email"), kind=sa.bindparam("kind"),
                                last_sent_at=sa.func.now())
_CLAIM_SLOT = _slot.on_conflict_do_update(
    index_elements=["recipient_email", "kind"], set_={"last_sent_at": sa.func.now()},
    where=schedule.c.last_sent_at <= sa.func.now() - sa.bindparam("period", type_=sa.Interval),
).returning(schedule.c.recipient_email)
_WAITING = (sa.select(items).where(items.c.recipient_email == sa.bindparam("recipient_email"),
                                   items.c.kind == sa.bindparam("kind"), items.c.digest_id.is_(None))
            .order_by(items.c.created_at, items.c.event_id).with_for_update())


class DigestJob:
    """One step sends the digests that are due (the worker runs it as a PeriodicJob)."""

    def __init__(self, engine: Engine, queue: EmailQueue, *, period: timedelta, batch_size: int = 200):
        self._engine = engine
        self._queue = queue
        self._period = period
        self._batch_size = batch_size

    def send_due(self) -> int:
        """Queue the digest of every person whose period has passed and who has requests waiting;
        returns how many digests it queued."""
        sent = 0
        with self._engine.begin() as connection:
            for recipient_email, kind in connection.execute(_DUE, {"period": self._period,
                                                                   "limit": self._batch_size}).all():
                slot = {"recipient_email": recipient_email, "kind": kind, "period": self._period}
                if connection.execute(_CLAIM_SLOT, slot).first() is None:
                    continue  # another worker sent this person's digest a moment ago
                waiting = connection.execute(_WAITING, slot).all()
                if not waiting:
                    continue
                digest_id = str(uuid.uuid4())
                recipient = Recipient(email=recipient_email, full_name=waiting[-1].recipient_name)
                email = digest_email(kind, recipient, [DigestItem(row.template, row.context) for row in waiting])
                self._queue.queue(connection, Cause(event_id=f"digest:{digest_id}", event_type=waiting[0].event_type,
                                                    correlation_id=waiting[-1].correlation_id), [email])
                connection.execute(items.update().where(items.c.recipient_email == recipient_email,
                                                        items.c.kind == kind,
                                                        items.c.event_id.in_([row.event_id for row in waiting]))
                                   .values(digest_id=digest_id))
                sent += 1
        return sent
