"""Every delegate confirms their own email address, not only the contact.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("delegates", sa.Column("email_verified_at", sa.DateTime(timezone=True)))
    op.add_column("email_verifications", sa.Column("delegate_id", UUID(as_uuid=False)))
    # Until now only the contact (the first delegate) confirmed, for the whole delegation.
    op.execute("""
        UPDATE delegates d SET email_verified_at = r.email_verified_at
        FROM registrations r WHERE r.id = d.registration_id AND r.email_verified_at IS NOT NULL""")
    op.execute("""
        UPDATE email_verifications v SET delegate_id = (
            SELECT d.id FROM delegates d WHERE d.registration_id = v.registration_id ORDER BY d.position LIMIT 1)""")
    op.execute("DELETE FROM email_verifications WHERE delegate_id IS NULL")
    op.alter_column("email_verifications", "delegate_id", nullable=False)
    op.create_foreign_key("fk_email_verifications_delegate_id_delegates", "email_verifications", "delegates",
                          ["delegate_id"], ["id"], ondelete="CASCADE")
    op.create_index("ix_email_verifications_delegate_id", "email_verifications", ["delegate_id"])


def downgrade() -> None:
    op.drop_index("ix_email_verifications_delegate_id", table_name="email_verifications")
    op.drop_constraint("fk_email_verifications_delegate_id_delegates", "email_verifications", type_="foreignkey")
    op.drop_column("email_verifications", "delegate_id")
    op.drop_column("delegates", "email_verified_at")
