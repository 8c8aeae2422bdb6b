"""What waits in a service's outbox: how many events, since when, and why the oldest have not left."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared.outbox import PendingBacklog, outbox_table, pending_backlog

_OUTBOX = outbox_table(sa.MetaData())


@dataclass(frozen=True)
class PendingEvent:
    position: int
    event_type: str
    topic: str
    created_at: datetime
    publish_attempts: int
    last_error: str | None


def outbox_backlog(engine: Engine, *, oldest: int = 20) -> tuple[PendingBacklog, list[PendingEvent]]:
    """The backlog's size and age, and its `oldest` events in publishing order."""
    t = _OUTBOX
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(t.c.position, t.c.event_type, t.c.topic, t.c.created_at, t.c.publish_attempts, t.c.last_error)
            .where(t.c.published_at.is_(None)).order_by(t.c.position).limit(oldest)).all()
    return pending_backlog(engine, t), [PendingEvent(*row) for row in rows]
