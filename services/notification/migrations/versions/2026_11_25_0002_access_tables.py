"""Revoked token subjects and the audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
from shared.migration_steps import create_access_tables_v1, drop_access_tables_v1

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_access_tables_v1()


def downgrade() -> None:
    drop_access_tables_v1()
