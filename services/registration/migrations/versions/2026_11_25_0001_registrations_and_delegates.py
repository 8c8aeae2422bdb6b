"""Registrations and their delegates, with the outbox and processed-events tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from shared.migration_steps import create_messaging_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registrations",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_request_id", sa.String(100)),
        sa.Column("legal_name", sa.String(200), nullable=False),
        sa.Column("organisation_type", sa.String(32), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("state", sa.String(2)),
        sa.Column("gstin", sa.String(15)),
        sa.Column("address", sa.String(500), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("postal_code", sa.String(12), nullable=False),
        sa.Column("website", sa.String(300)),
        sa.Column("sectors", ARRAY(sa.String(40)), nullable=False),
        sa.Column("capabilities", sa.Text, nullable=False),
        sa.Column("products", sa.Text, nullable=False),
        sa.Column("udyam_number", sa.String(19)),
        sa.Column("dpiit_number", sa.String(20)),
        sa.Column("meeting_interests", ARRAY(sa.String(8)), nullable=False),
        sa.Column("participation_interests", ARRAY(sa.String(24)), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_registrations"),
        sa.UniqueConstraint("reference", name="uq_registrations_reference"),
        sa.UniqueConstraint("client_request_id", name="uq_registrations_client_request_id"),
    )
    op.create_index("ix_registrations_gstin", "registrations", ["gstin"])
    op.create_table(
        "delegates",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
        sa.Column("registration_id", UUID(as_uuid=False), nullable=False),
        sa.Column("position", sa.SmallInteger, nullable=False),
        sa.Column("full_name", sa.String(120), nullable=False),
        sa.Column("designation", sa.String(120), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("nationality", sa.String(2), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_delegates"),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"], ondelete="CASCADE",
                                name="fk_delegates_registration_id_registrations"),
        sa.UniqueConstraint("registration_id", "position", name="uq_delegates_registration_id_position"),
    )
    op.create_index("ix_delegates_registration_id", "delegates", ["registration_id"])
    op.create_index("ix_delegates_email_lower", "delegates", [sa.text("lower(email)")])
    create_messaging_tables_v1()


def downgrade() -> None:
    op.drop_table("processed_events")
    op.drop_table("outbox_events")
    op.drop_table("delegates")
    op.drop_table("registrations")
