"""Editions with per-category capacity and delegate caps; email verification; vetting decisions;
trigram search for look-alike organisation names.

Registrations that exist already are attached to a first edition made here from their dates.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
import uuid

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "editions",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
        sa.Column("slug", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("venue", sa.String(200), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("registration_opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registration_closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_editions"),
        sa.UniqueConstraint("slug", name="uq_editions_slug"),
    )
    op.create_table(
        "edition_categories",
        sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("capacity", sa.Integer),
        sa.Column("max_delegates", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("edition_id", "category", name="pk_edition_categories"),
        sa.ForeignKeyConstraint(["edition_id"], ["editions.id"], ondelete="CASCADE",
                                name="fk_edition_categories_edition_id_editions"),
    )
    op.add_column("registrations", sa.Column("edition_id", UUID(as_uuid=False)))
    op.add_column("registrations", sa.Column("email_verified_at", sa.DateTime(timezone=True)))
    op.add_column("registrations", sa.Column("decision_message", sa.Text))
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM registrations")).scalar():
        first = str(uuid.uuid4())
        bind.execute(sa.text(
            "INSERT INTO editions SELECT :id, 'first-edition', 'Defence Partnership Days', 'Manekshaw Centre, New Delhi',"
            " min(submitted_at)::date, min(submitted_at)::date + 1, 'Asia/Kolkata', min(submitted_at),"
            " max(submitted_at) + interval '1 day' FROM registrations"), {"id": first})
        bind.execute(sa.text("UPDATE registrations SET edition_id = :id, email_verified_at = submitted_at"),
                     {"id": first})
    op.alter_column("registrations", "edition_id", nullable=False)
    op.create_foreign_key("fk_registrations_edition_id_editions", "registrations", "editions",
                          ["edition_id"], ["id"])
    op.create_index("ix_registrations_edition_id_status", "registrations",
                    ["edition_id", "status", "organisation_type"])
    op.create_index("ix_registrations_legal_name_trgm", "registrations", ["legal_name"], postgresql_using="gin",
                    postgresql_ops={"legal_name": "gin_trgm_ops"})
    op.create_table(
        "email_verifications",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("registration_id", UUID(as_uuid=False), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("token_hash", name="pk_email_verifications"),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"], ondelete="CASCADE",
                                name="fk_email_verifications_registration_id_registrations"),
    )


def downgrade() -> None:
    op.drop_table("email_verifications")
    op.drop_index("ix_registrations_legal_name_trgm", "registrations")
    op.drop_index("ix_registrations_edition_id_status", "registrations")
    op.drop_constraint("fk_registrations_edition_id_editions", "registrations")
    op.drop_column("registrations", "decision_message")
    op.drop_column("registrations", "email_verified_at")
    op.drop_column("registrations", "edition_id")
    op.drop_table("edition_categories")
    op.drop_table("editions")
