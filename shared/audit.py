"""The audit log every service keeps: who did what, when, and for organiser changes the
state before and after. Written in the same transaction as the change it records."""
from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.engine import Connection, Engine

from shared.auth import Principal


def audit_log_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "audit_log", metadata,
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("actor_kind", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.Text, nullable=False),
        sa.Column("actor_name", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("target_type", sa.Text, nullable=False),
        sa.Column("target_id", sa.Text, nullable=False),
        sa.Column("before", JSONB),
        sa.Column("after", JSONB),
        sa.Column("correlation_id", sa.Text, nullable=False),
        sa.Index("ix_audit_log_at", "at"),
        sa.Index("ix_audit_log_target", "target_type", "target_id"),
    )


def record_audit(connection: Connection, table: sa.Table, *, actor: Principal | None, action: str,
                 target_type: str, target_id: str, correlation_id: str,
                 before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
    connection.execute(table.insert().values(
        id=str(uuid.uuid4()), actor_kind=actor.kind if actor else "anonymous",
        actor_id=actor.subject if actor else "-", actor_name=actor.name if actor else "-",
        action=action, target_type=target_type, target_id=target_id, before=before, after=after,
        correlation_id=correlation_id))


def recent_entries(engine: Engine, table: sa.Table, *, limit: int = 200, action: str | None = None,
                   actor_id: str | None = None) -> list[sa.Row]:
    query = sa.select(table).order_by(table.c.at.desc()).limit(limit)
    if action:
        query = query.where(table.c.action == action)
    if actor_id:
        query = query.where(table.c.actor_id == actor_id)
    with engine.connect() as connection:
        return connection.execute(query).all()
