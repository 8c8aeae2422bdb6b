"""The notification database. Only this service reads or writes it."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from shared.audit import audit_log_table
from shared.consumer import processed_events_table
from shared.db import new_metadata
from shared.outbox import outbox_table
from shared.revocation import revoked_subjects_table

metadata = new_metadata()

# Notification's own copy of who may be written to, kept from registration's events.
contacts = sa.Table(
    "contacts", metadata,
    sa.Column("person_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("registration_id", UUID(as_uuid=False), nullable=False, index=True),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("full_name", sa.String(120), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# Every email we mean to send: one row per (event, recipient, template), so an event
# delivered twice still gives one email. The dispatcher sends pending rows.
outbound_emails = sa.Table(
    "outbound_emails", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("event_id", sa.Text, nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("recipient_person_id", UUID(as_uuid=False)),
    sa.Column("recipient_email", sa.String(254), nullable=False),
    sa.Column("template", sa.String(64), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("text_body", sa.Text, nullable=False),
    sa.Column("html_body", sa.Text, nullable=False),
    sa.Column("correlation_id", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("event_id", "recipient_email", "template"),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
    sa.Index("ix_outbound_emails_due", "next_attempt_at", postgresql_where=sa.text("status = 'pending'")),
)

outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
revoked_subjects = revoked_subjects_table(metadata)
audit_log = audit_log_table(metadata)
