"""Editions; the directory's editions, kinds and languages; registrations and benefits for segments;
channels, calendar invites and resends on outbound emails; digests; announcements.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contacts", sa.Column("kind", sa.String(16), nullable=False, server_default="delegate"))
    op.add_column("contacts", sa.Column("edition_id", UUID(as_uuid=False)))
    op.add_column("contacts", sa.Column("role", sa.Text))
    op.add_column("contacts", sa.Column("language", sa.String(8), nullable=False, server_default="en"))
    op.alter_column("contacts", "registration_id", nullable=True)
    op.create_check_constraint("ck_contacts_kind", "contacts", "kind IN ('delegate', 'officer')")
    op.create_index("ix_contacts_email", "contacts", ["email"])

    op.create_table(
        "editions",
        sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("edition_id", name="pk_editions"),
    )
    op.create_table(
        "registrations",
        sa.Column("registration_id", UUID(as_uuid=False), nullable=False),
        sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
        sa.Column("legal_name", sa.Text, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("registration_id", name="pk_registrations"),
    )
    op.create_index("ix_registrations_edition_id", "registrations", ["edition_id"])
    op.create_table(
        "organisation_benefits",
        sa.Column("registration_id", UUID(as_uuid=False), nullable=False),
        sa.Column("benefit", sa.String(16), nullable=False),
        sa.Column("order_id", UUID(as_uuid=False), nullable=False),
        sa.Column("item_id", UUID(as_uuid=False), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("registration_id", "benefit", "order_id", "item_id", name="pk_organisation_benefits"),
        sa.CheckConstraint("benefit IN ('sponsor', 'exhibitor')", name="ck_organisation_benefits_benefit"),
    )

    op.add_column("outbound_emails", sa.Column("position", sa.BigInteger, sa.Identity(), nullable=False))
    op.add_column("outbound_emails", sa.Column("channel", sa.String(16), nullable=False, server_default="email"))
    op.add_column("outbound_emails", sa.Column("recipient_name", sa.Text))
    op.add_column("outbound_emails", sa.Column("calendar_ics", sa.Text))
    op.add_column("outbound_emails", sa.Column("calendar_method", sa.String(8)))
    op.add_column("outbound_emails", sa.Column("resent_from", UUID(as_uuid=False)))
    op.create_index("ix_outbound_emails_event_type", "outbound_emails", ["event_type"])
    op.create_index("ix_outbound_emails_recipient_email", "outbound_emails", ["recipient_email"])
    op.create_index("ix_outbound_emails_created_at", "outbound_emails", ["created_at"])

    op.create_table(
        "digest_items",
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("recipient_email", sa.String(254), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("recipient_name", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("template", sa.String(64), nullable=False),
        sa.Column("context", JSONB, nullable=False),
        sa.Column("correlation_id", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("digest_id", UUID(as_uuid=False)),
        sa.PrimaryKeyConstraint("event_id", "recipient_email", name="pk_digest_items"),
    )
    op.create_index("ix_digest_items_waiting", "digest_items", ["recipient_email", "kind"],
                    postgresql_where=sa.text("digest_id IS NULL"))
    op.create_table(
        "digest_schedule",
        sa.Column("recipient_email", sa.String(254), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("recipient_email", "kind", name="pk_digest_schedule"),
    )
    op.create_table(
        "announcements",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
        sa.Column("segment", sa.String(32), nullable=False),
        sa.Column("edition_id", UUID(as_uuid=False)),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="draft"),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("sent_by", sa.Text),
        sa.Column("send_requested_at", sa.DateTime(timezone=True)),
        sa.Column("queued_at", sa.DateTime(timezone=True)),
        sa.Column("recipients", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_announcements"),
        sa.CheckConstraint("status IN ('draft', 'sending', 'sent')", name="ck_announcements_status"),
    )


def downgrade() -> None:
    op.drop_table("announcements")
    op.drop_table("digest_schedule")
    op.drop_table("digest_items")
    op.drop_index("ix_outbound_emails_created_at", "outbound_emails")
    op.drop_index("ix_outbound_emails_recipient_email", "outbound_emails")
    op.drop_index("ix_outbound_emails_event_type", "outbound_emails")
    for column in ("resent_from", "calendar_method", "calendar_ics", "recipient_name", "channel", "position"):
        op.drop_column("outbound_emails", column)
    op.drop_table("organisation_benefits")
    op.drop_table("registrations")
    op.drop_table("editions")
    op.drop_index("ix_contacts_email", "contacts")
    op.drop_constraint("ck_contacts_kind", "contacts")
    op.execute("DELETE FROM contacts WHERE registration_id IS NULL")
    op.alter_column("contacts", "registration_id", nullable=False)
    for column in ("language", "role", "edition_id", "kind"):
        op.drop_column("contacts", column)
