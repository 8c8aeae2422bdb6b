"""Contacts and outbound emails, with the outbox and processed-events tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from shared.migration_steps import create_messaging_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("person_id", UUID(as_uuid=False), nullable=False),
        sa.Column("registration_id", UUID(as_uuid=False), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("full_name", sa.String(120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("person_id", name="pk_contacts"),
    )
    op.create_index("ix_contacts_registration_id", "contacts", ["registration_id"])
    op.create_table(
        "outbound_emails",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name="pk_outbound_emails"),
        sa.UniqueConstraint("event_id", "recipient_email", "template",
                            name="uq_outbound_emails_event_id_recipient_email_template"),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="ck_outbound_emails_status"),
    )
    op.create_index("ix_outbound_emails_due", "outbound_emails", ["next_attempt_at"],
                    postgresql_where=sa.text("status = 'pending'"))
    create_messaging_tables_v1()


def downgrade() -> None:
    op.drop_table("processed_events")
    op.drop_table("outbox_events")
    op.drop_table("outbound_emails")
    op.drop_table("contacts")
