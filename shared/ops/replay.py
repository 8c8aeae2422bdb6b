"""Replaying a topic into a consumer group, to rebuild the read model it keeps.

The group's workers must be stopped (the broker refuses to move a live group's offsets).
In one database transaction: the group's processed-event marks are cleared (from `since`
on, or all), the read-model tables named by the operator are emptied, and only if the
broker then accepts the rewind is that transaction committed. When the workers start
again they re-consume from the new offsets and the handlers re-apply every event.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared.config import KafkaSettings
from shared.consumer import processed_events_table
from shared.ops.consumer_groups import OffsetMove, new_admin, plan_rewind, retrying, rewind, topic_partitions

# Tables a replay must never empty: the mechanisms' own bookkeeping.
_PROTECTED_TABLES = {"outbox_events", "processed_events", "alembic_version", "audit_log"}
_PROCESSED = processed_events_table(sa.MetaData())


@dataclass(frozen=True)
class ReplayPlan:
    group: str
    topics: list[str]
    since: datetime | None
    moves: list[OffsetMove]
    marks_to_clear: int
    tables_to_empty: list[str]

    @property
    def events_to_replay(self) -> int:
        return sum(max((move.committed if move.committed is not None else move.target) - move.target, 0)
                   for move in self.moves)


def consumed_topics(kafka: KafkaSettings, group: str) -> list[str]:
    """The topics `group` has committed offsets on (logical names)."""
    admin = new_admin(kafka, client_id="ops-replay")
    try:
        committed = retrying(lambda: admin.list_group_offsets({kafka.topic(group): None})).get(kafka.topic(group), {})
    finally:
        admin.close()
    return sorted({tp.topic.removeprefix(kafka.topic_prefix) for tp in committed})


def _marks(group: str, since: datetime | None):
    """The group's processed-event marks (kept under its logical name), from `since` on."""
    condition = _PROCESSED.c.consumer == group
    return condition if since is None else sa.and_(condition, _PROCESSED.c.processed_at >= since)


def plan_replay(engine: Engine, kafka: KafkaSettings, group: str, topics: list[str], *,
                since: datetime | None = None, tables_to_empty: list[str] = ()) -> ReplayPlan:
    if since is not None and since.tzinfo is None:
        raise ValueError("give --since with its time zone (e.g. 2026-11-28T09:00:00+05:30)")
    protected = sorted(set(tables_to_empty) & _PROTECTED_TABLES)
    if protected:
        raise ValueError(f"a replay never empties {', '.join(protected)}")
    existing = set(sa.inspect(engine).get_table_names())
    unknown = sorted(set(tables_to_empty) - existing)
    if unknown:
        raise ValueError(f"no table {', '.join(unknown)} in this service's database")
    admin = new_admin(kafka, client_id="ops-replay")
    try:
        missing = [topic for topic in topics if not topic_partitions(admin, kafka, [topic])]
        if missing:
            raise ValueError(f"no topic {', '.join(missing)} on the broker")
        moves = plan_rewind(admin, kafka, group, topics, since)
    finally:
        admin.close()
    with engine.connect() as connection:
        marks = connection.execute(sa.select(sa.func.count()).where(_marks(group, since))).scalar()
    return ReplayPlan(group=group, topics=topics, since=since, moves=moves, marks_to_clear=marks,
                      tables_to_empty=list(tables_to_empty))


def carry_out(engine: Engine, kafka: KafkaSettings, plan: ReplayPlan) -> None:
    """Clear the marks and tables and rewind the group, all or nothing as far as the database goes."""
    with engine.begin() as connection:
        connection.execute(_PROCESSED.delete().where(_marks(plan.group, plan.since)))
        if plan.tables_to_empty:
            quote = connection.dialect.identifier_preparer.quote
            connection.execute(sa.text(f"TRUNCATE TABLE {', '.join(quote(t) for t in plan.tables_to_empty)}"))
        admin = new_admin(kafka, client_id="ops-replay")
        try:
            rewind(admin, kafka, plan.group, plan.moves)  # raises: the transaction rolls back
        finally:
            admin.close()
