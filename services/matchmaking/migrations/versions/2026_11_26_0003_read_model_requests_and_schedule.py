"""The read model of registration's and billing's events, the schedule frame, availability,
meeting requests, published meetings and scheduler runs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "editions",
        sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
        sa.Column("slug", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("venue", sa.Text, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("time_zone", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("edition_id", name="pk_editions"),
    )
    op.create_table(
        "organisations",
        sa.Column("registration_id", UUID(as_uuid=False), nullable=False),
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
        sa.PrimaryKeyConstraint("registration_id", name="pk_organisations"),
    )
    op.create_index("ix_organisations_edition_id_status", "organisations", ["edition_id", "status"])
    op.create_table(
        "delegates",
        sa.Column("delegate_id", UUID(as_uuid=False), nullable=False),
        sa.Column("registration_id", UUID(as_uuid=False), nullable=False),
        sa.Column("position", sa.SmallInteger, nullable=False),
        sa.Column("full_name", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("designation", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("delegate_id", name="pk_delegates"),
    )
    op.create_index("ix_delegates_registration_id", "delegates", ["registration_id"])
    op.create_table(
        "officers",
        sa.Column("officer_id", UUID(as_uuid=False), nullable=False),
        sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("rank", sa.Text, nullable=False),
        sa.Column("organisation", sa.Text, nullable=False),
        sa.Column("appointment", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("sectors", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("requirements", sa.Text, nullable=False, server_default=""),
        sa.Column("removed_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("officer_id", name="pk_officers"),
    )
    op.create_index("ix_officers_edition_id", "officers", ["edition_id"])
    op.create_table(
        "sponsorships",
        sa.Column("order_id", UUID(as_uuid=False), nullable=False),
        sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
        sa.Column("registration_id", UUID(as_uuid=False), nullable=False),
        sa.Column("tier_id", UUID(as_uuid=False), nullable=False),
        sa.Column("tier_name", sa.Text, nullable=False),
        sa.Column("matchmaking_priority", sa.Integer, nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("order_id", name="pk_sponsorships"),
    )
    op.create_index("ix_sponsorships_registration_id", "sponsorships", ["registration_id"])
    op.create_table(
        "schedule_frames",
        sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
        sa.Column("time_zone", sa.Text, nullable=False),
        sa.Column("days", JSONB, nullable=False),
        sa.Column("slot_minutes", sa.Integer, nullable=False),
        sa.Column("b2g_tables", sa.Integer, nullable=False),
        sa.Column("b2b_tables", sa.Integer, nullable=False),
        sa.Column("officers_keep_tables", sa.Boolean, nullable=False),
        sa.Column("max_open_requests_per_company", sa.Integer, nullable=False),
        sa.Column("max_meetings_per_officer_per_day", sa.Integer, nullable=False),
        sa.Column("max_meetings_per_company_per_day", sa.Integer),
        sa.Column("response_hours", sa.Integer, nullable=False),
        sa.Column("schedule_version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("edition_id", name="pk_schedule_frames"),
    )
    op.create_table(
        "unavailable_slots",
        sa.Column("party", sa.Text, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
        sa.PrimaryKeyConstraint("party", "starts_at", name="pk_unavailable_slots"),
    )
    op.create_index("ix_unavailable_slots_edition_id", "unavailable_slots", ["edition_id"])
    op.create_table(
        "meeting_requests",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
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
        sa.Column("pair_low", sa.Text, nullable=False),
        sa.Column("pair_high", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_meeting_requests"),
        sa.CheckConstraint("requester <> receiver", name="ck_meeting_requests_two_parties"),
        sa.CheckConstraint("status IN ('pending', 'accepted', 'declined', 'expired', 'cancelled')",
                           name="ck_meeting_requests_status"),
    )
    op.create_index("uq_meeting_requests_open_pair", "meeting_requests", ["edition_id", "pair_low", "pair_high"],
                    unique=True, postgresql_where=sa.text("status IN ('pending', 'accepted')"))
    op.create_index("ix_meeting_requests_requester", "meeting_requests", ["requester", "status"])
    op.create_index("ix_meeting_requests_receiver", "meeting_requests", ["receiver", "status"])
    op.create_index("ix_meeting_requests_due", "meeting_requests", ["respond_by"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_table(
        "meetings",
        sa.Column("request_id", UUID(as_uuid=False), nullable=False),
        sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("table_label", sa.Text, nullable=False),
        sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("request_id", name="pk_meetings"),
        sa.ForeignKeyConstraint(["request_id"], ["meeting_requests.id"], ondelete="CASCADE",
                                name="fk_meetings_request_id_meeting_requests"),
        sa.UniqueConstraint("edition_id", "table_label", "starts_at", name="uq_meetings_table_slot"),
    )
    op.create_table(
        "meeting_seats",
        sa.Column("party", sa.Text, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", UUID(as_uuid=False), nullable=False),
        sa.PrimaryKeyConstraint("party", "starts_at", name="pk_meeting_seats"),
        sa.ForeignKeyConstraint(["request_id"], ["meetings.request_id"], ondelete="CASCADE",
                                name="fk_meeting_seats_request_id_meetings"),
    )
    op.create_index("ix_meeting_seats_request_id", "meeting_seats", ["request_id"])
    op.create_table(
        "schedule_runs",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
        sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
        sa.Column("status", sa.String(9), nullable=False),
        sa.Column("allow_moves", sa.Boolean, nullable=False),
        sa.Column("time_limit_seconds", sa.Integer, nullable=False),
        sa.Column("requested_by", sa.Text, nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("based_on_version", sa.Integer),
        sa.Column("figures", JSONB),
        sa.Column("result", JSONB),
        sa.Column("error", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_schedule_runs"),
        sa.CheckConstraint("status IN ('queued', 'running', 'finished', 'failed', 'published', 'stale')",
                           name="ck_schedule_runs_status"),
    )
    op.create_index("ix_schedule_runs_edition_id", "schedule_runs", ["edition_id"])


def downgrade() -> None:
    for table in ("schedule_runs", "meeting_seats", "meetings", "meeting_requests", "unavailable_slots",
                  "schedule_frames", "sponsorships", "officers", "delegates", "organisations"):
        op.drop_table(table)
