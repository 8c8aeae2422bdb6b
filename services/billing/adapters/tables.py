"""The billing database (catalogue, orders, payments, invoices and refunds). Only this service reads or writes it.

Inventory is guarded by the database itself: each catalogue item counts what is held and
what is sold, and a CHECK keeps `held + sold <= quantity`, so no code path, however
concurrent, can sell or hold more than there is. Document numbers come from
`document_sequences`, incremented in the transaction that issues the document.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.audit import audit_log_table
from shared.consumer import processed_events_table
from shared.db import new_metadata
from shared.outbox import outbox_table
from shared.revocation import revoked_subjects_table

metadata = new_metadata()

# The editions billing sells for, with what invoicing needs to know of them.
editions = sa.Table(
    "editions", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),  # registration's edition id
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("venue_state", sa.String(2), nullable=False),  # place of supply for unregistered buyers
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# Billing's copy of the organisations registration approved: what an invoice and an email need.
buyers = sa.Table(
    "buyers", metadata,
    sa.Column("registration_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("edition_id", UUID(as_uuid=False), nullable=False, index=True),
    sa.Column("reference", sa.String(16), nullable=False),
    sa.Column("approved", sa.Boolean, nullable=False),
    sa.Column("legal_name", sa.String(200), nullable=False),
    sa.Column("organisation_type", sa.String(32), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("state", sa.String(2)),
    sa.Column("gstin", sa.String(15)),
    sa.Column("address", sa.String(500), nullable=False),
    sa.Column("city", sa.String(100), nullable=False),
    sa.Column("postal_code", sa.String(12), nullable=False),
    sa.Column("contact_person_id", UUID(as_uuid=False)),
    sa.Column("contact_name", sa.String(120)),
    sa.Column("contact_email", sa.String(254)),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

catalogue_items = sa.Table(
    "catalogue_items", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("edition_id", UUID(as_uuid=False), sa.ForeignKey("editions.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("unit_price_paise", sa.BigInteger, nullable=False),
    sa.Column("gst_rate_bp", sa.Integer, nullable=False),
    sa.Column("sac_code", sa.String(6), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("held", sa.Integer, nullable=False, server_default="0"),
    sa.Column("sold", sa.Integer, nullable=False, server_default="0"),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("matchmaking_priority", sa.Integer),
    sa.Column("includes_booth", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("hall", sa.String(40)),
    sa.Column("booth_number", sa.String(16)),
    sa.Column("x_m", sa.Numeric(7, 2)),
    sa.Column("y_m", sa.Numeric(7, 2)),
    sa.Column("width_m", sa.Numeric(6, 2)),
    sa.Column("depth_m", sa.Numeric(6, 2)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("held >= 0 AND sold >= 0 AND held + sold <= quantity", name="within_quantity"),
    sa.CheckConstraint("kind IN ('sponsorship', 'booth', 'branding')", name="known_kind"),
    sa.UniqueConstraint("edition_id", "kind", "name"),
    sa.Index("uq_catalogue_items_booth_place", "edition_id", "hall", "booth_number", unique=True,
             postgresql_where=sa.text("kind = 'booth'")),
)

orders = sa.Table(
    "orders", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("number", sa.String(16), nullable=False, unique=True),  # what people quote: "ORD-7K2M9QXA"
    sa.Column("edition_id", UUID(as_uuid=False), sa.ForeignKey("editions.id"), nullable=False),
    sa.Column("registration_id", UUID(as_uuid=False), sa.ForeignKey("buyers.registration_id"), nullable=False,
              index=True),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("payment_method", sa.String(16), nullable=False),
    sa.Column("placed_by", sa.Text, nullable=False),
    sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("hold_expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("hold_reminded_at", sa.DateTime(timezone=True)),
    sa.Column("paid_at", sa.DateTime(timezone=True)),
    sa.Column("paid_by_payment_id", UUID(as_uuid=False)),
    sa.Column("closed_at", sa.DateTime(timezone=True)),  # expired or cancelled
    sa.Column("close_reason", sa.Text),
    sa.Column("place_of_supply", sa.String(2), nullable=False),  # GST state code
    sa.Column("intra_state", sa.Boolean, nullable=False),
    sa.Column("taxable_paise", sa.BigInteger, nullable=False),
    sa.Column("tax_paise", sa.BigInteger, nullable=False),
    sa.Column("payable_paise", sa.BigInteger, nullable=False),
    sa.Column("refunded_paise", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("client_request_id", sa.String(100), unique=True),
    sa.CheckConstraint("status IN ('held', 'awaiting_transfer', 'paid', 'expired', 'cancelled')", name="known_status"),
    sa.CheckConstraint("refunded_paise >= 0 AND refunded_paise <= payable_paise", name="refunds_within_payment"),
    sa.Index("ix_orders_open_holds", "hold_expires_at",
             postgresql_where=sa.text("status IN ('held', 'awaiting_transfer')")),
)

order_lines = sa.Table(
    "order_lines", metadata,
    sa.Column("order_id", UUID(as_uuid=False), sa.ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("line_no", sa.SmallInteger, primary_key=True),
    sa.Column("item_id", UUID(as_uuid=False), sa.ForeignKey("catalogue_items.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("description", sa.String(300), nullable=False),
    sa.Column("sac_code", sa.String(6), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price_paise", sa.BigInteger, nullable=False),
    sa.Column("gst_rate_bp", sa.Integer, nullable=False),
    sa.Column("taxable_paise", sa.BigInteger, nullable=False),
    sa.Column("cgst_paise", sa.BigInteger, nullable=False),
    sa.Column("sgst_paise", sa.BigInteger, nullable=False),
    sa.Column("igst_paise", sa.BigInteger, nullable=False),
    sa.Column("reverse_charge", sa.Boolean, nullable=False),
    sa.CheckConstraint("quantity > 0", name="positive_quantity"),
)

# Each order the gateway was asked to collect; several may point at one of ours (retries).
gateway_orders = sa.Table(
    "gateway_orders", metadata,
    sa.Column("gateway_order_id", sa.String(64), primary_key=True),
    sa.Column("gateway", sa.String(16), nullable=False),
    sa.Column("order_id", UUID(as_uuid=False), sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("amount_paise", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

payments = sa.Table(
    "payments", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("order_id", UUID(as_uuid=False), sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("gateway", sa.String(16)),
    sa.Column("gateway_payment_id", sa.String(64), unique=True),
    sa.Column("gateway_order_id", sa.String(64)),
    sa.Column("reference", sa.String(100)),  # a bank transfer's UTR or the gateway's payment id
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("amount_paise", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("captured_at", sa.DateTime(timezone=True)),
    sa.Column("recorded_by", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("status IN ('failed', 'authorized', 'captured')", name="known_status"),
)

refunds = sa.Table(
    "refunds", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("order_id", UUID(as_uuid=False), sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("payment_id", UUID(as_uuid=False), sa.ForeignKey("payments.id"), nullable=False),
    sa.Column("gateway_refund_id", sa.String(64), unique=True),
    sa.Column("amount_paise", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("cancel_order", sa.Boolean, nullable=False),
    sa.Column("reference", sa.String(100)),  # a bank transfer refund's UTR
    sa.Column("requested_by", sa.Text, nullable=False),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("processed_at", sa.DateTime(timezone=True)),
    sa.Column("failure", sa.Text),
    sa.CheckConstraint("amount_paise > 0", name="positive_amount"),
    sa.CheckConstraint("status IN ('requested', 'pending', 'processed', 'failed')", name="known_status"),
)

# Tax invoices and pro-forma invoices: immutable snapshots (a trigger refuses changes).
invoices = sa.Table(
    "invoices", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("number", sa.String(16), nullable=False, unique=True),
    sa.Column("order_id", UUID(as_uuid=False), sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("registration_id", UUID(as_uuid=False), nullable=False, index=True),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("taxable_paise", sa.BigInteger, nullable=False),
    sa.Column("tax_paise", sa.BigInteger, nullable=False),
    sa.Column("payable_paise", sa.BigInteger, nullable=False),
    sa.Column("document", JSONB, nullable=False),
    sa.CheckConstraint("kind IN ('tax_invoice', 'proforma')", name="known_kind"),
    sa.Index("uq_invoices_one_tax_invoice_per_order", "order_id", unique=True,
             postgresql_where=sa.text("kind = 'tax_invoice'")),
)

credit_notes = sa.Table(
    "credit_notes", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("number", sa.String(16), nullable=False, unique=True),
    sa.Column("invoice_id", UUID(as_uuid=False), sa.ForeignKey("invoices.id"), nullable=False, index=True),
    sa.Column("refund_id", UUID(as_uuid=False), sa.ForeignKey("refunds.id"), nullable=False, unique=True),
    sa.Column("order_id", UUID(as_uuid=False), sa.ForeignKey("orders.id"), nullable=False),
    sa.Column("registration_id", UUID(as_uuid=False), nullable=False, index=True),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("taxable_paise", sa.BigInteger, nullable=False),
    sa.Column("tax_paise", sa.BigInteger, nullable=False),
    sa.Column("refunded_paise", sa.BigInteger, nullable=False),
    sa.Column("lines", JSONB, nullable=False),  # per invoice line: what this note credits
    sa.Column("document", JSONB, nullable=False),
)

# The last number issued per series and financial year (no gaps: incremented in the issuing transaction).
document_sequences = sa.Table(
    "document_sequences", metadata,
    sa.Column("series", sa.String(4), primary_key=True),
    sa.Column("financial_year", sa.String(4), primary_key=True),
    sa.Column("last_number", sa.Integer, nullable=False),
)

# Every verified gateway callback, once per event id (a repeat is answered, not applied).
gateway_callbacks = sa.Table(
    "gateway_callbacks", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("gateway", sa.String(16), nullable=False),
    sa.Column("event_id", sa.String(100), nullable=False),
    sa.Column("event_type", sa.String(40), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("order_id", UUID(as_uuid=False)),
    sa.Column("outcome", sa.String(24), nullable=False),
    sa.Column("body", JSONB, nullable=False),
    sa.UniqueConstraint("gateway", "event_id"),
    sa.Index("ix_gateway_callbacks_received_at", "received_at"),
)

# What a person in finance must look at: money that arrived where it should not, refunds that failed...
payment_flags = sa.Table(
    "payment_flags", metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("order_id", UUID(as_uuid=False), index=True),
    sa.Column("callback_id", sa.BigInteger),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("resolved_at", sa.DateTime(timezone=True)),
    sa.Column("resolved_by", sa.Text),
    sa.Column("resolution", sa.Text),
    sa.Index("ix_payment_flags_open", "raised_at", postgresql_where=sa.text("resolved_at IS NULL")),
)

outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
revoked_subjects = revoked_subjects_table(metadata)
audit_log = audit_log_table(metadata)
