"""E-badges and check-in.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "badges",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
        sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
        sa.Column("delegate_id", UUID(as_uuid=False)),
        sa.Column("officer_id", UUID(as_uuid=False)),
        sa.Column("full_name", sa.String(120), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("role_label", sa.String(40), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_reason", sa.Text),
        sa.Column("checked_in_at", sa.DateTime(timezone=True)),
        sa.Column("checked_in_by", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_badges"),
        sa.ForeignKeyConstraint(["edition_id"], ["editions.id"], name="fk_badges_edition_id_editions"),
        sa.ForeignKeyConstraint(["delegate_id"], ["delegates.id"], ondelete="SET NULL",
                                name="fk_badges_delegate_id_delegates"),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], ondelete="SET NULL",
                                name="fk_badges_officer_id_officers"),
    )
    op.create_index("uq_badges_live_delegate", "badges", ["delegate_id"], unique=True,
                    postgresql_where=sa.text("revoked_at IS NULL AND delegate_id IS NOT NULL"))
    op.create_index("uq_badges_live_officer", "badges", ["officer_id"], unique=True,
                    postgresql_where=sa.text("revoked_at IS NULL AND officer_id IS NOT NULL"))


def downgrade() -> None:
    op.drop_table("badges")
