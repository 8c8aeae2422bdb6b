"""Organiser accounts, participants' access links, decisions on registrations, revocations and the audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from shared.migration_steps import create_access_tables_v1, drop_access_tables_v1

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("registrations", sa.Column("decided_at", sa.DateTime(timezone=True)))
    op.create_table(
        "organiser_accounts",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("roles", ARRAY(sa.String(16)), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_organiser_accounts"),
    )
    op.create_index("uq_organiser_accounts_email_lower", "organiser_accounts", [sa.text("lower(email)")], unique=True)
    op.create_table(
        "access_links",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("delegate_id", UUID(as_uuid=False), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("token_hash", name="pk_access_links"),
        sa.ForeignKeyConstraint(["delegate_id"], ["delegates.id"], ondelete="CASCADE",
                                name="fk_access_links_delegate_id_delegates"),
    )
    create_access_tables_v1()


def downgrade() -> None:
    drop_access_tables_v1()
    op.drop_table("access_links")
    op.drop_table("organiser_accounts")
    op.drop_column("registrations", "decided_at")
