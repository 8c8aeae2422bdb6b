"""Revoked access: sign-out, a role change or a disabled account makes every token issued
to that subject before a moment invalid, in every service.

The identity service publishes `identity.access_revoked.v1`; each service consumes it into
its own `revoked_subjects` table and checks it when a token comes in. This contract is part
of the token mechanism every service shares, so it lives here rather than in a service.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime

import sqlalchemy as sa
from marshmallow import EXCLUDE, Schema, fields
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection, Engine

from shared.auth import Principal
from shared.consumer import Handler, IdempotentConsumer, ReceivedEvent
from shared.events import ContractRegistry

IDENTITY_EVENTS_TOPIC = "identity.events"
ACCESS_REVOKED = "identity.access_revoked.v1"


class AccessRevokedV1(Schema):
    class Meta:
        unknown = EXCLUDE

    subject = fields.String(required=True)
    not_before = fields.AwareDateTime(required=True)
    reason = fields.String(required=True)


def register_contract(registry: ContractRegistry) -> None:
    registry.register(ACCESS_REVOKED, AccessRevokedV1)


def revoked_subjects_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "revoked_subjects", metadata,
        sa.Column("subject", sa.Text, primary_key=True),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
    )


def revoke(connection: Connection, table: sa.Table, subject: str, not_before: datetime) -> None:
    """Refuse `subject`'s tokens issued before `not_before` (a later revocation never moves it back)."""
    statement = insert(table).values(subject=subject, not_before=not_before)
    connection.execute(statement.on_conflict_do_update(
        index_elements=["subject"], set_={"not_before": sa.func.greatest(table.c.not_before,
                                                                       statement.excluded.not_before)}))


def access_revoked_handler(table: sa.Table) -> Handler:
    def on_access_revoked(connection: Connection, event: ReceivedEvent) -> None:
        revoke(connection, table, event.data["subject"], event.data["not_before"])
    return on_access_revoked


class RevocationList:
    """Answers "was this token revoked?", remembering answers for a moment to spare the database."""

    def __init__(self, engine: Engine, table: sa.Table, cache_seconds: float = 1.0):
        self._engine = engine
        self._table = table
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, datetime | None]] = {}
        self._lock = threading.Lock()

    def is_revoked(self, principal: Principal) -> bool:
        not_before = self._not_before(principal.subject)
        return not_before is not None and principal.issued_at < not_before

    def _not_before(self, subject: str) -> datetime | None:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(subject)
        if cached and now - cached[0] < self._cache_seconds:
            return cached[1]
        with self._engine.connect() as connection:
            value = connection.execute(
                sa.select(self._table.c.not_before).where(self._table.c.subject == subject)).scalar()
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[subject] = (now, value)
        return value


def revocation_consumer(*, group: str, engine: Engine, processed_table: sa.Table, revoked_table: sa.Table,
                        kafka, producer) -> IdempotentConsumer:
    """The consumer that keeps a service's `revoked_subjects` current (for services with no other
    use for identity events)."""
    registry = ContractRegistry(f"dpd/{group}")
    register_contract(registry)
    return IdempotentConsumer(group=group, topics=[IDENTITY_EVENTS_TOPIC], engine=engine,
                              processed_table=processed_table, contracts=registry,
                              handlers={ACCESS_REVOKED: access_revoked_handler(revoked_table)},
                              kafka=kafka, producer=producer)
