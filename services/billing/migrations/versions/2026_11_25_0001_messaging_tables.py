"""The outbox and processed-events tables every service has.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""
from alembic import op

from shared.migration_steps import create_messaging_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()


def downgrade() -> None:
    op.drop_table("processed_events")
    op.drop_table("outbox_events")
