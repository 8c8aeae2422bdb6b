"""The officer roster of each edition, and sign-in links for officers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "officers",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
        sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("rank", sa.String(60), nullable=False),
        sa.Column("organisation", sa.String(16), nullable=False),
        sa.Column("appointment", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("phone", sa.String(20)),
        sa.Column("sectors", ARRAY(sa.String(40)), nullable=False),
        sa.Column("requirements", sa.Text, nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_officers"),
        sa.ForeignKeyConstraint(["edition_id"], ["editions.id"], name="fk_officers_edition_id_editions"),
    )
    op.create_index("uq_officers_edition_id_email_lower", "officers", ["edition_id", sa.text("lower(email)")],
                    unique=True)
    # Officers sign in by emailed link too: a link belongs to a delegate or to an officer.
    op.alter_column("access_links", "delegate_id", nullable=True)
    op.add_column("access_links", sa.Column("officer_id", UUID(as_uuid=False)))
    op.create_foreign_key("fk_access_links_officer_id_officers", "access_links", "officers", ["officer_id"], ["id"],
                          ondelete="CASCADE")
    op.create_check_constraint("ck_access_links_one_person", "access_links",
                               "(delegate_id IS NULL) <> (officer_id IS NULL)")


def downgrade() -> None:
    op.drop_constraint("ck_access_links_one_person", "access_links")
    op.drop_column("access_links", "officer_id")
    op.execute("DELETE FROM access_links WHERE delegate_id IS NULL")
    op.alter_column("access_links", "delegate_id", nullable=False)
    op.drop_table("officers")
