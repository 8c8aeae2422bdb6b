"""Delegates' identity documents (number encrypted at rest, last four kept for display) and erasure.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("delegates", sa.Column("id_document_type", sa.String(16)))
    op.add_column("delegates", sa.Column("id_document_ciphertext", sa.Text))
    op.add_column("delegates", sa.Column("id_document_last4", sa.String(4)))
    op.add_column("delegates", sa.Column("erased_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    for column in ("erased_at", "id_document_last4", "id_document_ciphertext", "id_document_type"):
        op.drop_column("delegates", column)
