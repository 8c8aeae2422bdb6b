"""The notification database. Only this service reads or writes it."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.audit import audit_log_table
from shared.consumer import processed_events_table
from shared.db import new_metadata
from shared.outbox import outbox_table
from shared.revocation import revoked_subjects_table

metadata = new_metadata()

# Notification's own copy of who may be written to, kept from registration's events:
# delegates (of a registration) and officers (of the roster), each in one edition.
contacts = sa.Table(
    "contacts", metadata,
    sa.Column("person_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False, server_default="delegate"),
    sa.Column("edition_id", UUID(as_uuid=False)),  # None only for contacts kept before editions were recorded
    sa.Column("registration_id", UUID(as_uuid=False), index=True),
    sa.Column("email", sa.String(254), nullable=False, index=True),
    sa.Column("full_name", sa.String(120), nullable=False),
    sa.Column("role", sa.Text),
    sa.Column("language", sa.String(8), nullable=False, server_default="en"),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("kind IN ('delegate', 'officer')", name="kind"),
)

# The editions registration announces: their names, for choosing one in the back-office.
editions = sa.Table(
    "editions", metadata,
    sa.Column("edition_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
)

# Each registration's standing, for the segments announcements go to.
registrations = sa.Table(
    "registrations", metadata,
    sa.Column("registration_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("edition_id", UUID(as_uuid=False), nullable=False, index=True),
    sa.Column("legal_name", sa.Text, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# What billing granted an organisation: a sponsorship tier or a booth, per paid order (gone when withdrawn).
organisation_benefits = sa.Table(
    "organisation_benefits", metadata,
    sa.Column("registration_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("benefit", sa.String(16), primary_key=True),
    sa.Column("order_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("item_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("benefit IN ('sponsor', 'exhibitor')", name="benefit"),
)

# Every message we mean to send: one row per (cause, recipient, template), so an event
# delivered twice still gives one email. The dispatcher sends pending rows through their channel.
outbound_emails = sa.Table(
    "outbound_emails", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("position", sa.BigInteger, sa.Identity(), nullable=False),  # queue order, within one transaction too
    sa.Column("event_id", sa.Text, nullable=False),  # an event id, "digest:<id>", "announcement:<id>", "resend:<id>"
    sa.Column("event_type", sa.Text, nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False, server_default="email"),
    sa.Column("recipient_person_id", UUID(as_uuid=False)),
    sa.Column("recipient_email", sa.String(254), nullable=False, index=True),
    sa.Column("recipient_name", sa.Text),
    sa.Column("template", sa.String(64), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("text_body", sa.Text, nullable=False),
    sa.Column("html_body", sa.Text, nullable=False),
    sa.Column("calendar_ics", sa.Text),  # an iCalendar invite sent with the email (text/calendar)
    sa.Column("calendar_method", sa.String(8)),  # its iTIP method: REQUEST or CANCEL
    sa.Column("correlation_id", sa.Text, nullable=False),
    sa.Column("resent_from", UUID(as_uuid=False)),  # an organiser's resend of that email
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now(), index=True),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("event_id", "recipient_email", "template"),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
    sa.Index("ix_outbound_emails_due", "next_attempt_at", postgresql_where=sa.text("status = 'pending'")),
)

# Requests waiting for their recipient's next digest email (domain/digests.py).
digest_items = sa.Table(
    "digest_items", metadata,
    sa.Column("event_id", sa.Text, primary_key=True),
    sa.Column("recipient_email", sa.String(254), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("recipient_name", sa.Text, nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("template", sa.String(64), nullable=False),
    sa.Column("context", JSONB, nullable=False),
    sa.Column("correlation_id", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("digest_id", UUID(as_uuid=False)),  # the digest that listed it; None while it waits
    sa.Index("ix_digest_items_waiting", "recipient_email", "kind", postgresql_where=sa.text("digest_id IS NULL")),
)

# When each person last got a digest of each kind: the next may go one period later.
digest_schedule = sa.Table(
    "digest_schedule", metadata,
    sa.Column("recipient_email", sa.String(254), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=False),
)

# Organisers' announcements to a segment: draft, then sending (the worker fans it out), then sent.
announcements = sa.Table(
    "announcements", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("segment", sa.String(32), nullable=False),
    sa.Column("edition_id", UUID(as_uuid=False)),  # None: every edition
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="draft"),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("sent_by", sa.Text),
    sa.Column("send_requested_at", sa.DateTime(timezone=True)),
    sa.Column("queued_at", sa.DateTime(timezone=True)),  # every recipient's email is queued
    sa.Column("recipients", sa.Integer),
    sa.CheckConstraint("status IN ('draft', 'sending', 'sent')", name="status"),
)

outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
revoked_subjects = revoked_subjects_table(metadata)
audit_log = audit_log_table(metadata)
