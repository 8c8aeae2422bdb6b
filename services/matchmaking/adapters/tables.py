"""The matchmaking database: its read model of registration's and billing's events, the schedule
frame, availability, meeting requests, published meetings and scheduler runs. Only this
service reads or writes it."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from shared.audit import audit_log_table
from shared.consumer import processed_events_table
from shared.db import new_metadata
from shared.outbox import outbox_table
from shared.revocation import revoked_subjects_table

metadata = new_metadata()

# --- the read model: rebuilt from the topics alone (see read_model.py) -------------------------

# Editions as registration announces them: names, venue and time zone for pages and calendars.
editions = sa.Table(
    "editions", metadata,
    sa.Column("edition_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("slug", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("venue", sa.Text, nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date, nullable=False),
    sa.Column("time_zone", sa.Text, nullable=False),
)

# Organisations as registration announces them; only `approved` ones take part in matchmaking.
organisations = sa.Table(
    "organisations", metadata,
    sa.Column("registration_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
    sa.Column("reference", sa.Text, nullable=False),
    sa.Column("legal_name", sa.Text, nullable=False),
    sa.Column("organisation_type", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("sectors", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("capabilities", sa.Text, nullable=False, server_default=""),
    sa.Column("products", sa.Text, nullable=False, server_default=""),
    sa.Column("meeting_interests", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index("ix_organisations_edition_id_status", "edition_id", "status"),
)

delegates = sa.Table(
    "delegates", metadata,
    sa.Column("delegate_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("registration_id", UUID(as_uuid=False), nullable=False, index=True),
    sa.Column("position", sa.SmallInteger, nullable=False),
    sa.Column("full_name", sa.Text, nullable=False),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("designation", sa.Text, nullable=False),
)

officers = sa.Table(
    "officers", metadata,
    sa.Column("officer_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("edition_id", UUID(as_uuid=False), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("rank", sa.Text, nullable=False),
    sa.Column("organisation", sa.Text, nullable=False),
    sa.Column("appointment", sa.Text, nullable=False),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("sectors", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("requirements", sa.Text, nullable=False, server_default=""),
    sa.Column("removed_at", sa.DateTime(timezone=True)),
)

# Confirmed sponsorships (billing): a company's priority is the highest of its live ones.
sponsorships = sa.Table(
    "sponsorships", metadata,
    sa.Column("order_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
    sa.Column("registration_id", UUID(as_uuid=False), nullable=False, index=True),
    sa.Column("tier_id", UUID(as_uuid=False), nullable=False),
    sa.Column("tier_name", sa.Text, nullable=False),
    sa.Column("matchmaking_priority", sa.Integer, nullable=False),
    sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
)

# --- matchmaking's own data ------------------------------------------------------------------

schedule_frames = sa.Table(
    "schedule_frames", metadata,
    sa.Column("edition_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("time_zone", sa.Text, nullable=False),
    sa.Column("days", JSONB, nullable=False),  # [{"date", "opens", "closes", "breaks": [{"starts", "ends", "label"}]}]
    sa.Column("slot_minutes", sa.Integer, nullable=False),
    sa.Column("b2g_tables", sa.Integer, nullable=False),
    sa.Column("b2b_tables", sa.Integer, nullable=False),
    sa.Column("officers_keep_tables", sa.Boolean, nullable=False),
    sa.Column("max_open_requests_per_company", sa.Integer, nullable=False),
    sa.Column("max_meetings_per_officer_per_day", sa.Integer, nullable=False),
    sa.Column("max_meetings_per_company_per_day", sa.Integer),
    sa.Column("response_hours", sa.Integer, nullable=False),
    # Bumped by every change to published meetings: a scheduler run made on an older version is stale.
    sa.Column("schedule_version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# Slots (by their start) in which a party cannot meet; everyone is available otherwise.
unavailable_slots = sa.Table(
    "unavailable_slots", metadata,
    sa.Column("party", sa.Text, primary_key=True),  # "company:<registration id>" or "officer:<officer id>"
    sa.Column("starts_at", sa.DateTime(timezone=True), primary_key=True),
    sa.Column("edition_id", UUID(as_uuid=False), nullable=False, index=True),
)

OPEN_STATUSES = ("pending", "accepted")

meeting_requests = sa.Table(
    "meeting_requests", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),  # also the meeting's id in calendars
    sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
    sa.Column("kind", sa.String(3), nullable=False),
    sa.Column("requester", sa.Text, nullable=False),
    sa.Column("receiver", sa.Text, nullable=False),
    sa.Column("requested_by_id", sa.Text, nullable=False),
    sa.Column("requested_by_name", sa.Text, nullable=False),
    sa.Column("agenda", sa.Text, nullable=False),
    sa.Column("part_of_day", sa.String(9), nullable=False),
    sa.Column("status", sa.String(9), nullable=False),
    sa.Column("starred", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("decline_reason", sa.Text),
    sa.Column("cancel_reason", sa.Text),
    sa.Column("cancelled_by", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("respond_by", sa.DateTime(timezone=True), nullable=False),
    sa.Column("answered_at", sa.DateTime(timezone=True)),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    # The two parties in a fixed order, so A->B and B->A are the same pair.
    sa.Column("pair_low", sa.Text, nullable=False),
    sa.Column("pair_high", sa.Text, nullable=False),
    sa.CheckConstraint("requester <> receiver", name="two_parties"),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'declined', 'expired', 'cancelled')", name="status"),
    sa.Index("uq_meeting_requests_open_pair", "edition_id", "pair_low", "pair_high", unique=True,
             postgresql_where=sa.text("status IN ('pending', 'accepted')")),
    sa.Index("ix_meeting_requests_requester", "requester", "status"),
    sa.Index("ix_meeting_requests_receiver", "receiver", "status"),
    sa.Index("ix_meeting_requests_due", "respond_by", postgresql_where=sa.text("status = 'pending'")),
)

# Published meetings: where an accepted request takes place, as its parties were told.
meetings = sa.Table(
    "meetings", metadata,
    sa.Column("request_id", UUID(as_uuid=False), sa.ForeignKey("meeting_requests.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("table_label", sa.Text, nullable=False),
    sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("sequence", sa.Integer, nullable=False),  # calendar invites' SEQUENCE: grows with each change
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("edition_id", "table_label", "starts_at", name="uq_meetings_table_slot"),
)

# One row per party and slot of a published meeting: the database itself refuses a double booking.
meeting_seats = sa.Table(
    "meeting_seats", metadata,
    sa.Column("party", sa.Text, primary_key=True),
    sa.Column("starts_at", sa.DateTime(timezone=True), primary_key=True),
    sa.Column("request_id", UUID(as_uuid=False), sa.ForeignKey("meetings.request_id", ondelete="CASCADE"),
              nullable=False, index=True),
)

schedule_runs = sa.Table(
    "schedule_runs", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("edition_id", UUID(as_uuid=False), nullable=False, index=True),
    sa.Column("status", sa.String(9), nullable=False),  # queued, running, finished, failed, published, stale
    sa.Column("allow_moves", sa.Boolean, nullable=False),
    sa.Column("time_limit_seconds", sa.Integer, nullable=False),
    sa.Column("requested_by", sa.Text, nullable=False),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("started_at", sa.DateTime(timezone=True)),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("based_on_version", sa.Integer),
    sa.Column("figures", JSONB),  # objective, upper bound, gap, idle gaps, counts, method, seconds
    sa.Column("result", JSONB),  # {"placements": {id: {"starts_at", "table"}}, "unplaced": {id: reason}}
    sa.Column("error", sa.Text),
    sa.CheckConstraint("status IN ('queued', 'running', 'finished', 'failed', 'published', 'stale')",
                       name="status"),
)

outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
revoked_subjects = revoked_subjects_table(metadata)
audit_log = audit_log_table(metadata)
