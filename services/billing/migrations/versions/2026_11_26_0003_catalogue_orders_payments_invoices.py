"""Editions on sale, buyers, catalogue, orders and holds, gateway orders, payments, refunds,
invoices, credit notes, document sequences, gateway callbacks and payment flags.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_IMMUTABLE_TABLES = ("invoices", "credit_notes")


def upgrade() -> None:
    op.create_table(
        "editions",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("venue_state", sa.String(2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_editions"),
    )
    op.create_table(
        "buyers",
        sa.Column("registration_id", UUID(as_uuid=False), nullable=False),
        sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
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
        sa.PrimaryKeyConstraint("registration_id", name="pk_buyers"),
    )
    op.create_index("ix_buyers_edition_id", "buyers", ["edition_id"])
    op.create_table(
        "catalogue_items",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
        sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_items"),
        sa.ForeignKeyConstraint(["edition_id"], ["editions.id"], name="fk_catalogue_items_edition_id_editions"),
        sa.CheckConstraint("held >= 0 AND sold >= 0 AND held + sold <= quantity",
                           name="ck_catalogue_items_within_quantity"),
        sa.CheckConstraint("kind IN ('sponsorship', 'booth', 'branding')", name="ck_catalogue_items_known_kind"),
        sa.UniqueConstraint("edition_id", "kind", "name", name="uq_catalogue_items_edition_id_kind_name"),
    )
    op.create_index("uq_catalogue_items_booth_place", "catalogue_items", ["edition_id", "hall", "booth_number"],
                    unique=True, postgresql_where=sa.text("kind = 'booth'"))
    op.create_table(
        "orders",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("edition_id", UUID(as_uuid=False), nullable=False),
        sa.Column("registration_id", UUID(as_uuid=False), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("payment_method", sa.String(16), nullable=False),
        sa.Column("placed_by", sa.Text, nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hold_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hold_reminded_at", sa.DateTime(timezone=True)),
        sa.Column("paid_at", sa.DateTime(timezone=True)),
        sa.Column("paid_by_payment_id", UUID(as_uuid=False)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("close_reason", sa.Text),
        sa.Column("place_of_supply", sa.String(2), nullable=False),
        sa.Column("intra_state", sa.Boolean, nullable=False),
        sa.Column("taxable_paise", sa.BigInteger, nullable=False),
        sa.Column("tax_paise", sa.BigInteger, nullable=False),
        sa.Column("payable_paise", sa.BigInteger, nullable=False),
        sa.Column("refunded_paise", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("client_request_id", sa.String(100)),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.ForeignKeyConstraint(["edition_id"], ["editions.id"], name="fk_orders_edition_id_editions"),
        sa.ForeignKeyConstraint(["registration_id"], ["buyers.registration_id"],
                                name="fk_orders_registration_id_buyers"),
        sa.UniqueConstraint("number", name="uq_orders_number"),
        sa.UniqueConstraint("client_request_id", name="uq_orders_client_request_id"),
        sa.CheckConstraint("status IN ('held', 'awaiting_transfer', 'paid', 'expired', 'cancelled')",
                           name="ck_orders_known_status"),
        sa.CheckConstraint("refunded_paise >= 0 AND refunded_paise <= payable_paise",
                           name="ck_orders_refunds_within_payment"),
    )
    op.create_index("ix_orders_registration_id", "orders", ["registration_id"])
    op.create_index("ix_orders_open_holds", "orders", ["hold_expires_at"],
                    postgresql_where=sa.text("status IN ('held', 'awaiting_transfer')"))
    op.create_table(
        "order_lines",
        sa.Column("order_id", UUID(as_uuid=False), nullable=False),
        sa.Column("line_no", sa.SmallInteger, nullable=False),
        sa.Column("item_id", UUID(as_uuid=False), nullable=False),
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
        sa.PrimaryKeyConstraint("order_id", "line_no", name="pk_order_lines"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE", name="fk_order_lines_order_id_orders"),
        sa.ForeignKeyConstraint(["item_id"], ["catalogue_items.id"], name="fk_order_lines_item_id_catalogue_items"),
        sa.CheckConstraint("quantity > 0", name="ck_order_lines_positive_quantity"),
    )
    op.create_index("ix_order_lines_item_id", "order_lines", ["item_id"])
    op.create_table(
        "gateway_orders",
        sa.Column("gateway_order_id", sa.String(64), nullable=False),
        sa.Column("gateway", sa.String(16), nullable=False),
        sa.Column("order_id", UUID(as_uuid=False), nullable=False),
        sa.Column("amount_paise", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("gateway_order_id", name="pk_gateway_orders"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_gateway_orders_order_id_orders"),
    )
    op.create_index("ix_gateway_orders_order_id", "gateway_orders", ["order_id"])
    op.create_table(
        "payments",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
        sa.Column("order_id", UUID(as_uuid=False), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("gateway", sa.String(16)),
        sa.Column("gateway_payment_id", sa.String(64)),
        sa.Column("gateway_order_id", sa.String(64)),
        sa.Column("reference", sa.String(100)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("amount_paise", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("captured_at", sa.DateTime(timezone=True)),
        sa.Column("recorded_by", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_payments_order_id_orders"),
        sa.UniqueConstraint("gateway_payment_id", name="uq_payments_gateway_payment_id"),
        sa.CheckConstraint("status IN ('failed', 'authorized', 'captured')", name="ck_payments_known_status"),
    )
    op.create_index("ix_payments_order_id", "payments", ["order_id"])
    op.create_table(
        "refunds",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
        sa.Column("order_id", UUID(as_uuid=False), nullable=False),
        sa.Column("payment_id", UUID(as_uuid=False), nullable=False),
        sa.Column("gateway_refund_id", sa.String(64)),
        sa.Column("amount_paise", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("cancel_order", sa.Boolean, nullable=False),
        sa.Column("reference", sa.String(100)),
        sa.Column("requested_by", sa.Text, nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True)),
        sa.Column("failure", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_refunds"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_refunds_order_id_orders"),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], name="fk_refunds_payment_id_payments"),
        sa.UniqueConstraint("gateway_refund_id", name="uq_refunds_gateway_refund_id"),
        sa.CheckConstraint("amount_paise > 0", name="ck_refunds_positive_amount"),
        sa.CheckConstraint("status IN ('requested', 'pending', 'processed', 'failed')", name="ck_refunds_known_status"),
    )
    op.create_index("ix_refunds_order_id", "refunds", ["order_id"])
    op.create_table(
        "invoices",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("order_id", UUID(as_uuid=False), nullable=False),
        sa.Column("registration_id", UUID(as_uuid=False), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taxable_paise", sa.BigInteger, nullable=False),
        sa.Column("tax_paise", sa.BigInteger, nullable=False),
        sa.Column("payable_paise", sa.BigInteger, nullable=False),
        sa.Column("document", JSONB, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_invoices"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_invoices_order_id_orders"),
        sa.UniqueConstraint("number", name="uq_invoices_number"),
        sa.CheckConstraint("kind IN ('tax_invoice', 'proforma')", name="ck_invoices_known_kind"),
    )
    op.create_index("ix_invoices_order_id", "invoices", ["order_id"])
    op.create_index("ix_invoices_registration_id", "invoices", ["registration_id"])
    op.create_index("uq_invoices_one_tax_invoice_per_order", "invoices", ["order_id"], unique=True,
                    postgresql_where=sa.text("kind = 'tax_invoice'"))
    op.create_table(
        "credit_notes",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("invoice_id", UUID(as_uuid=False), nullable=False),
        sa.Column("refund_id", UUID(as_uuid=False), nullable=False),
        sa.Column("order_id", UUID(as_uuid=False), nullable=False),
        sa.Column("registration_id", UUID(as_uuid=False), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taxable_paise", sa.BigInteger, nullable=False),
        sa.Column("tax_paise", sa.BigInteger, nullable=False),
        sa.Column("refunded_paise", sa.BigInteger, nullable=False),
        sa.Column("lines", JSONB, nullable=False),
        sa.Column("document", JSONB, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_credit_notes"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name="fk_credit_notes_invoice_id_invoices"),
        sa.ForeignKeyConstraint(["refund_id"], ["refunds.id"], name="fk_credit_notes_refund_id_refunds"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_credit_notes_order_id_orders"),
        sa.UniqueConstraint("number", name="uq_credit_notes_number"),
        sa.UniqueConstraint("refund_id", name="uq_credit_notes_refund_id"),
    )
    op.create_index("ix_credit_notes_invoice_id", "credit_notes", ["invoice_id"])
    op.create_index("ix_credit_notes_registration_id", "credit_notes", ["registration_id"])
    op.create_table(
        "document_sequences",
        sa.Column("series", sa.String(4), nullable=False),
        sa.Column("financial_year", sa.String(4), nullable=False),
        sa.Column("last_number", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("series", "financial_year", name="pk_document_sequences"),
    )
    op.create_table(
        "gateway_callbacks",
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("gateway", sa.String(16), nullable=False),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("event_type", sa.String(40), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("order_id", UUID(as_uuid=False)),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("body", JSONB, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gateway_callbacks"),
        sa.UniqueConstraint("gateway", "event_id", name="uq_gateway_callbacks_gateway_event_id"),
    )
    op.create_index("ix_gateway_callbacks_received_at", "gateway_callbacks", ["received_at"])
    op.create_table(
        "payment_flags",
        sa.Column("id", UUID(as_uuid=False), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("order_id", UUID(as_uuid=False)),
        sa.Column("callback_id", sa.BigInteger),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
        sa.Column("resolved_by", sa.Text),
        sa.Column("resolution", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_payment_flags"),
    )
    op.create_index("ix_payment_flags_order_id", "payment_flags", ["order_id"])
    op.create_index("ix_payment_flags_open", "payment_flags", ["raised_at"],
                    postgresql_where=sa.text("resolved_at IS NULL"))
    # An issued tax document is never edited or deleted: corrections are new documents.
    op.execute("""
        CREATE FUNCTION refuse_change_to_issued_document() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% % is issued and cannot be changed', TG_TABLE_NAME, OLD.number
                USING ERRCODE = 'integrity_constraint_violation';
        END $$""")
    for table in _IMMUTABLE_TABLES:
        op.execute(f"CREATE TRIGGER {table}_are_immutable BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION refuse_change_to_issued_document()")


def downgrade() -> None:
    for table in _IMMUTABLE_TABLES:
        op.execute(f"DROP TRIGGER {table}_are_immutable ON {table}")
    op.execute("DROP FUNCTION refuse_change_to_issued_document()")
    for table in ("payment_flags", "gateway_callbacks", "document_sequences", "credit_notes", "invoices", "refunds",
                  "payments", "gateway_orders", "order_lines", "orders", "catalogue_items", "buyers", "editions"):
        op.drop_table(table)
