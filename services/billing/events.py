"""The integration events billing publishes on `billing.events`: its own copy of each contract, versioned.

Every event about an order carries the order's snapshot (buyer, contact, lines, totals and
a link to the order's page), so notification can email the buyer without calling back.
Order events are keyed by order id; sponsorship and booth events by registration id, so a
consumer sees one organisation's benefits in order.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.events import ContractRegistry

SOURCE = "dpd/billing"
EVENTS_TOPIC = "billing.events"

ORDER_PLACED = "billing.order_placed.v1"
HOLD_EXPIRING = "billing.hold_expiring.v1"
HOLD_EXPIRED = "billing.hold_expired.v1"
PROFORMA_ISSUED = "billing.proforma_issued.v1"
ORDER_PAID = "billing.order_paid.v1"  # the payment was received
INVOICE_ISSUED = "billing.invoice_issued.v1"
ORDER_CANCELLED = "billing.order_cancelled.v1"
REFUND_PROCESSED = "billing.refund_processed.v1"
CREDIT_NOTE_ISSUED = "billing.credit_note_issued.v1"
SPONSORSHIP_CONFIRMED = "billing.sponsorship_confirmed.v1"
SPONSORSHIP_WITHDRAWN = "billing.sponsorship_withdrawn.v1"
BOOTH_ALLOCATED = "billing.booth_allocated.v1"
BOOTH_RELEASED = "billing.booth_released.v1"

_PAISE = fields.Integer(required=True, validate=validate.Range(min=0))


class _BuyerV1(Schema):
    legal_name = fields.String(required=True)
    gstin = fields.String(required=True, allow_none=True)
    contact_name = fields.String(required=True, allow_none=True)  # None once the contact's data is erased
    contact_email = fields.Email(required=True, allow_none=True)


class _LineV1(Schema):
    description = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["sponsorship", "booth", "branding"]))
    quantity = fields.Integer(required=True, validate=validate.Range(min=1))
    payable_paise = _PAISE


class OrderV1(Schema):
    """The snapshot every order event carries."""

    order_id = fields.UUID(required=True)
    order_number = fields.String(required=True)
    edition_id = fields.UUID(required=True)
    registration_id = fields.UUID(required=True)
    buyer = fields.Nested(_BuyerV1, required=True)
    lines = fields.List(fields.Nested(_LineV1), required=True, validate=validate.Length(min=1))
    currency = fields.String(required=True, validate=validate.Equal("INR"))
    taxable_paise = _PAISE
    tax_paise = _PAISE
    payable_paise = _PAISE
    payment_method = fields.String(required=True, validate=validate.OneOf(["gateway", "bank_transfer"]))
    order_url = fields.Url(required=True, require_tld=False)  # the buyer's page for this order (sign-in needed)


class OrderPlacedV1(OrderV1):
    placed_at = fields.AwareDateTime(required=True)
    hold_expires_at = fields.AwareDateTime(required=True)


class HoldExpiringV1(OrderV1):
    hold_expires_at = fields.AwareDateTime(required=True)


class HoldExpiredV1(OrderV1):
    expired_at = fields.AwareDateTime(required=True)


class DocumentV1(OrderV1):
    """A document was issued; `download_url` is signed and works without signing in until it expires."""

    document_number = fields.String(required=True, validate=validate.Length(max=16))
    issued_at = fields.AwareDateTime(required=True)
    download_url = fields.Url(required=True, require_tld=False)
    download_expires_at = fields.AwareDateTime(required=True)


class ProformaIssuedV1(DocumentV1):
    pay_by = fields.AwareDateTime(required=True)
    bank_details = fields.String(required=True)


class InvoiceIssuedV1(DocumentV1):
    reverse_charge = fields.Boolean(required=True)


class OrderPaidV1(OrderV1):
    paid_at = fields.AwareDateTime(required=True)
    amount_paise = _PAISE
    payment_reference = fields.String(required=True)


class OrderCancelledV1(OrderV1):
    cancelled_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True)
    was_paid = fields.Boolean(required=True)


class RefundProcessedV1(OrderV1):
    refund_id = fields.UUID(required=True)
    amount_paise = _PAISE
    processed_at = fields.AwareDateTime(required=True)


class CreditNoteIssuedV1(DocumentV1):
    invoice_number = fields.String(required=True)
    refunded_paise = _PAISE


class SponsorshipConfirmedV1(Schema):
    """Fixed with matchmaking, which schedules a sponsor's meetings first (higher priority first)."""

    edition_id = fields.UUID(required=True)
    registration_id = fields.UUID(required=True)
    order_id = fields.UUID(required=True)
    tier_id = fields.UUID(required=True)
    tier_name = fields.String(required=True)
    matchmaking_priority = fields.Integer(required=True, validate=validate.Range(min=0))
    confirmed_at = fields.AwareDateTime(required=True)


class SponsorshipWithdrawnV1(Schema):
    edition_id = fields.UUID(required=True)
    registration_id = fields.UUID(required=True)
    order_id = fields.UUID(required=True)
    tier_id = fields.UUID(required=True)
    withdrawn_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True)


class BoothV1(Schema):
    """A booth allocated to (or released by) an organisation: for badges, signage and the venue plan."""

    edition_id = fields.UUID(required=True)
    registration_id = fields.UUID(required=True)
    order_id = fields.UUID(required=True)
    booth_id = fields.UUID(required=True)
    hall = fields.String(required=True)
    booth_number = fields.String(required=True)
    area_m2 = fields.Decimal(required=True, as_string=True, places=2)
    legal_name = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


def contracts() -> ContractRegistry:
    registry = ContractRegistry(SOURCE)
    registry.register(ORDER_PLACED, OrderPlacedV1)
    registry.register(HOLD_EXPIRING, HoldExpiringV1)
    registry.register(HOLD_EXPIRED, HoldExpiredV1)
    registry.register(PROFORMA_ISSUED, ProformaIssuedV1)
    registry.register(ORDER_PAID, OrderPaidV1)
    registry.register(INVOICE_ISSUED, InvoiceIssuedV1)
    registry.register(ORDER_CANCELLED, OrderCancelledV1)
    registry.register(REFUND_PROCESSED, RefundProcessedV1)
    registry.register(CREDIT_NOTE_ISSUED, CreditNoteIssuedV1)
    registry.register(SPONSORSHIP_CONFIRMED, SponsorshipConfirmedV1)
    registry.register(SPONSORSHIP_WITHDRAWN, SponsorshipWithdrawnV1)
    registry.register(BOOTH_ALLOCATED, BoothV1)
    registry.register(BOOTH_RELEASED, BoothV1)
    return registry
