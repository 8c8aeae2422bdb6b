"""Revoked access: sign-out, a role change or a disabled account makes every token issued
to that subject before a moment invalid, in every service.

The identity service publishes `identity.access_revoked.v1`; each service consumes it into
its own `revoked_subjects` table and checks it when a token comes in. This contract is part
of the token mechanism every service shares, so it lives here rather than in a service.
"""
from __future__ import annotations

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
    """Answers "was this token revoked?" with one primary-key lookup: exact, and cheap enough
    not to need a cache that would let a revoked token through for a while."""

    def __init__(self, engine: Engine, table: sa.Table):
        self._engine = engine
        self._table = table

    def is_revoked(self, principal: Principal) -> bool:
        with self._engine.connect() as connection:
            not_before = connection.execute(
                sa.select(self._table.c.not_before).where(self._table.c.subject == principal.subject)).scalar()
        return not_before is not None and principal.issued_at < not_before


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
