"""The registration database. Only this service reads or writes it."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from shared.audit import audit_log_table
from shared.consumer import processed_events_table
from shared.db import new_metadata
from shared.outbox import outbox_table
from shared.revocation import revoked_subjects_table

metadata = new_metadata()

editions = sa.Table(
    "editions", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("slug", sa.String(40), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("venue", sa.String(200), nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date, nullable=False),
    sa.Column("time_zone", sa.String(64), nullable=False),
    sa.Column("registration_opens_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("registration_closes_at", sa.DateTime(timezone=True), nullable=False),
)

# Per category of organisation: how many may be approved, how many delegates each brings.
edition_categories = sa.Table(
    "edition_categories", metadata,
    sa.Column("edition_id", UUID(as_uuid=False), sa.ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("category", sa.String(32), primary_key=True),
    sa.Column("capacity", sa.Integer),
    sa.Column("max_delegates", sa.Integer, nullable=False),
)

registrations = sa.Table(
    "registrations", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("edition_id", UUID(as_uuid=False), sa.ForeignKey("editions.id"), nullable=False),
    sa.Column("reference", sa.String(16), nullable=False, unique=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
    sa.Column("email_verified_at", sa.DateTime(timezone=True)),
    sa.Column("decision_message", sa.Text),
    sa.Column("client_request_id", sa.String(100), unique=True),
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
    sa.Index("ix_registrations_gstin", "gstin"),
    sa.Index("ix_registrations_edition_id_status", "edition_id", "status", "organisation_type"),
    sa.Index("ix_registrations_legal_name_trgm", "legal_name", postgresql_using="gin",
             postgresql_ops={"legal_name": "gin_trgm_ops"}),
)

# Each delegate's email check (a registration goes to vetting once all are confirmed): only a
# hash of the link's secret is kept.
email_verifications = sa.Table(
    "email_verifications", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("registration_id", UUID(as_uuid=False), sa.ForeignKey("registrations.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("delegate_id", UUID(as_uuid=False), sa.ForeignKey("delegates.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True)),
)

delegates = sa.Table(
    "delegates", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("registration_id", UUID(as_uuid=False), sa.ForeignKey("registrations.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("position", sa.SmallInteger, nullable=False),
    sa.Column("full_name", sa.String(120), nullable=False),
    sa.Column("designation", sa.String(120), nullable=False),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("phone", sa.String(20), nullable=False),
    sa.Column("nationality", sa.String(2), nullable=False),
    sa.Column("id_document_type", sa.String(16)),
    sa.Column("id_document_ciphertext", sa.Text),  # see adapters/personal_data.py
    sa.Column("id_document_last4", sa.String(4)),
    sa.Column("erased_at", sa.DateTime(timezone=True)),
    sa.Column("email_verified_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("registration_id", "position"),
    sa.Index("ix_delegates_email_lower", sa.func.lower(sa.column("email"))),
)

# The officers available for meetings at an edition; one row per officer and edition.
officers = sa.Table(
    "officers", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("edition_id", UUID(as_uuid=False), sa.ForeignKey("editions.id"), nullable=False),
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
    sa.Index("uq_officers_edition_id_email_lower", "edition_id", sa.func.lower(sa.column("email")), unique=True),
)

# E-badges: the id is random (it is readable inside the QR code); one live badge per person.
badges = sa.Table(
    "badges", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("edition_id", UUID(as_uuid=False), sa.ForeignKey("editions.id"), nullable=False),
    sa.Column("delegate_id", UUID(as_uuid=False), sa.ForeignKey("delegates.id", ondelete="SET NULL")),
    sa.Column("officer_id", UUID(as_uuid=False), sa.ForeignKey("officers.id", ondelete="SET NULL")),
    sa.Column("full_name", sa.String(120), nullable=False),
    sa.Column("organisation", sa.String(200), nullable=False),
    sa.Column("role_label", sa.String(40), nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_reason", sa.Text),
    sa.Column("checked_in_at", sa.DateTime(timezone=True)),
    sa.Column("checked_in_by", sa.Text),
    sa.Index("uq_badges_live_delegate", "delegate_id", unique=True,
             postgresql_where=sa.text("revoked_at IS NULL AND delegate_id IS NOT NULL")),
    sa.Index("uq_badges_live_officer", "officer_id", unique=True,
             postgresql_where=sa.text("revoked_at IS NULL AND officer_id IS NOT NULL")),
)

# Organisers sign in with email and password; roles decide what they may do.
organiser_accounts = sa.Table(
    "organiser_accounts", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("roles", ARRAY(sa.String(16)), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("last_sign_in_at", sa.DateTime(timezone=True)),
    sa.Index("uq_organiser_accounts_email_lower", sa.func.lower(sa.column("email")), unique=True),
)

# Single-use sign-in links for participants; only a hash of the secret is kept.
access_links = sa.Table(
    "access_links", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("delegate_id", UUID(as_uuid=False), sa.ForeignKey("delegates.id", ondelete="CASCADE")),
    sa.Column("officer_id", UUID(as_uuid=False), sa.ForeignKey("officers.id", ondelete="CASCADE")),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint("(delegate_id IS NULL) <> (officer_id IS NULL)", name="one_person"),
)

outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
revoked_subjects = revoked_subjects_table(metadata)
audit_log = audit_log_table(metadata)
