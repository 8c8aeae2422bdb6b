"""The shapes billing accepts over HTTP. Amounts are integer paise in the API; the pages take
rupees as people type them ("1,50,000.50") and turn them into paise here, exactly."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from services.billing.domain.catalogue import BoothPlace, CatalogueItem, ItemKind
from services.billing.domain.orders import OrderStatus, PaymentMethod, RequestedLine
from services.billing.domain.payments import FlagKind
from shared.schema_fields import Text

_RUPEES = re.compile(r"^\d+(\.\d{1,2})?$")


class Rupees(fields.Field):
    """An amount typed in rupees (commas and a ₹ allowed), loaded as integer paise."""

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        text = str(value).replace(",", "").replace("₹", "").strip()
        if not _RUPEES.match(text):
            raise ValidationError("Type an amount in rupees, e.g. 150000 or 1,50,000.50.")
        return int(Decimal(text) * 100)


class Percent(fields.Field):
    """A GST rate typed in percent ("18" or "2.5"), loaded as basis points."""

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        try:
            basis_points = Decimal(str(value).strip().rstrip("%")) * 100
        except InvalidOperation:
            raise ValidationError("Type a rate in percent, e.g. 18.") from None
        if basis_points != basis_points.to_integral_value():
            raise ValidationError("At most two decimals.")
        return int(basis_points)


class Metres(fields.Decimal):
    """0 to 9,999.99 m, kept to the centimetre: what the floor plan's columns hold. The bounds
    apply to the number as sent (before rounding), as the API's document states them."""

    LONGEST = Decimal("9999.99")

    def __init__(self, **kwargs):
        super().__init__(places=2, metadata={"minimum": 0, "maximum": float(self.LONGEST)}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        metres = super()._deserialize(value, attr, data, **kwargs)
        if not 0 <= Decimal(str(value)) <= self.LONGEST:
            raise ValidationError("Must be from 0 to 9,999.99 metres.")
        return metres


def _one_of(values) -> validate.OneOf:
    return validate.OneOf([v.value for v in values], error="Must be one of: {choices}.")


class EditionIn(Schema):
    name = Text(required=True, max_length=200)
    venue_state = fields.String(load_default="DL", validate=validate.Length(equal=2))


class BoothIn(Schema):
    hall = Text(required=True, max_length=40)
    booth_number = Text(required=True, max_length=16)
    x_m = Metres(required=True)
    y_m = Metres(required=True)
    width_m = Metres(required=True)
    depth_m = Metres(required=True)


class ItemIn(Schema):
    """A catalogue item as the API takes it (the page's form is turned into the same)."""

    kind = fields.String(required=True, validate=_one_of(ItemKind))
    name = Text(required=True, max_length=120)
    description = Text(load_default="", min_length=0, max_length=2000, multiline=True, allow_none=True)
    unit_price_paise = fields.Integer(required=True)
    gst_rate_bp = fields.Integer(load_default=1800)
    sac_code = fields.String(load_default="", validate=validate.Length(max=6))
    quantity = fields.Integer(required=True)
    matchmaking_priority = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(
        min=0, max=1000, error="A tier's matchmaking priority is a whole number from 0 to 1000."))
    includes_booth = fields.Boolean(load_default=False)
    booth = fields.Nested(BoothIn, load_default=None, allow_none=True)
    active = fields.Boolean(load_default=True)

    @post_load
    def build(self, data, **_):
        booth = data["booth"]
        item = CatalogueItem(
            kind=ItemKind(data["kind"]), name=data["name"], description=data["description"] or "",
            unit_price_paise=data["unit_price_paise"], quantity=data["quantity"], gst_rate_bp=data["gst_rate_bp"],
            sac_code=data["sac_code"], matchmaking_priority=data["matchmaking_priority"],
            includes_booth=data["includes_booth"], booth=BoothPlace(**booth) if booth else None)
        return item, data["active"]


class LineIn(Schema):
    item_id = fields.UUID(required=True)
    quantity = fields.Integer(load_default=1, error_messages={"invalid": "Type a whole number."},
                              validate=validate.Range(min=1, max=10_000, error="Order from 1 to 10,000."))


class OrderIn(Schema):
    lines = fields.List(fields.Nested(LineIn), required=True, validate=validate.Length(min=1, max=50))
    included_booth_id = fields.UUID(load_default=None, allow_none=True)
    payment_method = fields.String(load_default=PaymentMethod.GATEWAY.value, validate=_one_of(PaymentMethod))

    @post_load
    def build(self, data, **_):
        return {"lines": [RequestedLine(str(line["item_id"]), line["quantity"]) for line in data["lines"]],
                "included_booth_id": str(data["included_booth_id"]) if data["included_booth_id"] else None,
                "payment_method": PaymentMethod(data["payment_method"])}


class BankTransferIn(Schema):
    reference = Text(required=True, min_length=4, max_length=100)
    amount_paise = fields.Integer(required=True, validate=validate.Range(min=1))


class RefundIn(Schema):
    amount_paise = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    reason = Text(required=True, min_length=3, max_length=500)
    cancel_order = fields.Boolean(load_default=False)
    payment_id = fields.UUID(load_default=None, allow_none=True)
    reference = Text(load_default=None, allow_none=True, min_length=4, max_length=100)


class ResolveFlagIn(Schema):
    resolution = Text(required=True, min_length=3, max_length=1000, multiline=True)


class OrdersQuery(Schema):
    """The finance order list's filters; an empty one means any."""

    class Meta:
        unknown = EXCLUDE  # e.g. a cache-buster

    status = fields.String(validate=validate.OneOf(
        ["", *(status.value for status in OrderStatus)],
        error="Must be one of: {choices} (empty for any)."), metadata={"description": "Only orders in this status."})
    q = fields.String(validate=validate.Length(max=200),
                      metadata={"description": "Search the order number, buyer's legal name and GSTIN."})


class FlagsQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    all = fields.String(validate=validate.OneOf(("", "0", "1"), error="Give 1 for every flag, 0 for open ones only."),
                        metadata={"description": "1: resolved flags too."})


class GatewayEventIn(Schema):
    """A Razorpay webhook's body (its signature covers the raw bytes, so it is read as sent, not loaded)."""

    event = fields.String(required=True, metadata={"description": "e.g. payment.captured, refund.processed"})
    created_at = fields.Integer(required=True, metadata={"description": "Unix seconds; older than allowed is refused."})
    payload = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True,
                          metadata={"description": "{payment|order|refund: {entity: {...}}}"})


# --- what the JSON API answers: declarations for its OpenAPI document (shared/openapi.py) --------

class EditionOut(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    venue_state = fields.String(required=True, metadata={"description": "Two-letter state code of the venue."})


class EditionsOut(Schema):
    editions = fields.List(fields.Nested(EditionOut), required=True)


class BoothOut(Schema):
    hall = fields.String(required=True)
    booth_number = fields.String(required=True)
    x_m = fields.String(required=True, metadata={"description": "Metres, as a decimal string."})
    y_m = fields.String(required=True)
    width_m = fields.String(required=True)
    depth_m = fields.String(required=True)
    area_m2 = fields.String(required=True)


class OfferOut(Schema):
    id = fields.UUID(required=True)
    kind = fields.String(required=True, metadata={"enum": [kind.value for kind in ItemKind]})
    name = fields.String(required=True)
    description = fields.String(required=True)
    unit_price_paise = fields.Integer(required=True)
    gst_rate_bp = fields.Integer(required=True)
    sac_code = fields.String(required=True)
    quantity = fields.Integer(required=True)
    available = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": ["available", "held", "sold", "sold out", "withdrawn"]})
    active = fields.Boolean(required=True)
    matchmaking_priority = fields.Integer(allow_none=True, metadata={"description": "Sponsorship tiers only."})
    includes_booth = fields.Boolean(metadata={"description": "Sponsorship tiers only."})
    booth = fields.Nested(BoothOut, metadata={"description": "Booths only."})
    holder = fields.String(metadata={"description": "Finance's view: who holds or bought the booth."})


class CatalogueOut(Schema):
    items = fields.List(fields.Nested(OfferOut), required=True)
    message = fields.String(metadata={"description": "Why the list is empty, when the buyer cannot order yet."})


class ItemSavedOut(Schema):
    id = fields.UUID(required=True)


class OrderBuyerOut(Schema):
    registration_id = fields.UUID(required=True)
    legal_name = fields.String(required=True)
    gstin = fields.String(required=True, allow_none=True)


class OrderLineOut(Schema):
    line_no = fields.Integer(required=True)
    item_id = fields.UUID(required=True)
    kind = fields.String(required=True)
    description = fields.String(required=True)
    sac_code = fields.String(required=True)
    quantity = fields.Integer(required=True)
    unit_price_paise = fields.Integer(required=True)
    gst_rate_bp = fields.Integer(required=True)
    taxable_paise = fields.Integer(required=True)
    cgst_paise = fields.Integer(required=True)
    sgst_paise = fields.Integer(required=True)
    igst_paise = fields.Integer(required=True)
    reverse_charge = fields.Boolean(required=True)


class PaymentOut(Schema):
    id = fields.UUID(required=True)
    method = fields.String(required=True, metadata={"enum": [method.value for method in PaymentMethod]})
    status = fields.String(required=True)
    amount_paise = fields.Integer(required=True)
    currency = fields.String(required=True)
    reference = fields.String(required=True, allow_none=True)


class OrderRefundOut(Schema):
    id = fields.UUID(required=True)
    status = fields.String(required=True)
    amount_paise = fields.Integer(required=True)
    reason = fields.String(required=True)
    cancel_order = fields.Boolean(required=True)


class OrderInvoiceOut(Schema):
    id = fields.UUID(required=True)
    kind = fields.String(required=True, metadata={"enum": ["proforma", "tax_invoice"]})
    number = fields.String(required=True)
    payable_paise = fields.Integer(required=True)


class OrderCreditNoteOut(Schema):
    id = fields.UUID(required=True)
    number = fields.String(required=True)
    refunded_paise = fields.Integer(required=True)


class OrderOut(Schema):
    id = fields.UUID(required=True)
    number = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": [status.value for status in OrderStatus]})
    payment_method = fields.String(required=True, metadata={"enum": [method.value for method in PaymentMethod]})
    buyer = fields.Nested(OrderBuyerOut, required=True)
    placed_at = fields.AwareDateTime(required=True)
    hold_expires_at = fields.AwareDateTime(required=True)
    paid_at = fields.AwareDateTime(required=True, allow_none=True)
    place_of_supply = fields.String(required=True, metadata={"description": "GST state code."})
    intra_state = fields.Boolean(required=True)
    taxable_paise = fields.Integer(required=True)
    tax_paise = fields.Integer(required=True)
    payable_paise = fields.Integer(required=True)
    refunded_paise = fields.Integer(required=True)
    lines = fields.List(fields.Nested(OrderLineOut), required=True)
    payments = fields.List(fields.Nested(PaymentOut), required=True)
    refunds = fields.List(fields.Nested(OrderRefundOut), required=True)
    invoices = fields.List(fields.Nested(OrderInvoiceOut), required=True)
    credit_notes = fields.List(fields.Nested(OrderCreditNoteOut), required=True)


class OrderFlagOut(Schema):
    id = fields.UUID(required=True)
    kind = fields.String(required=True)
    message = fields.String(required=True)
    resolved = fields.Boolean(required=True)


class OrderForFinanceOut(OrderOut):
    flags = fields.List(fields.Nested(OrderFlagOut), required=True)


class OrderSummaryOut(Schema):
    id = fields.UUID(required=True)
    number = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": [status.value for status in OrderStatus]})
    buyer = fields.String(required=True)
    payable_paise = fields.Integer(required=True)
    placed_at = fields.AwareDateTime(required=True)
    hold_expires_at = fields.AwareDateTime(required=True)
    paid_at = fields.AwareDateTime(required=True, allow_none=True)


class OrdersOut(Schema):
    orders = fields.List(fields.Nested(OrderSummaryOut), required=True)


class CheckoutOut(Schema):
    action_url = fields.String(required=True, metadata={"description": "Where the browser posts `fields`."})
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.String(), required=True)


class DocumentOut(Schema):
    id = fields.UUID(required=True)
    kind = fields.String(required=True, metadata={"enum": ["proforma", "tax_invoice", "credit_note"]})
    number = fields.String(required=True)
    issued_at = fields.AwareDateTime(required=True)
    amount_paise = fields.Integer(required=True)
    pdf = fields.String(required=True, metadata={"description": "Where to download it as PDF."})


class DocumentsOut(Schema):
    documents = fields.List(fields.Nested(DocumentOut), required=True)


class RefundOut(Schema):
    id = fields.UUID(required=True)
    order_id = fields.UUID(required=True)
    status = fields.String(required=True, metadata={"enum": ["requested", "pending", "processed", "failed"]})
    amount_paise = fields.Integer(required=True)
    cancel_order = fields.Boolean(required=True)
    failure = fields.String(required=True, allow_none=True)


class FlagOut(Schema):
    id = fields.UUID(required=True)
    kind = fields.String(required=True, metadata={"enum": [kind.value for kind in FlagKind]})
    order_id = fields.UUID(required=True, allow_none=True)
    order_number = fields.String(required=True, allow_none=True)
    message = fields.String(required=True)
    raised_at = fields.AwareDateTime(required=True)
    resolved_at = fields.AwareDateTime(required=True, allow_none=True)


class FlagsOut(Schema):
    flags = fields.List(fields.Nested(FlagOut), required=True)


class ReconciliationRowOut(Schema):
    order_number = fields.String(required=True)
    buyer = fields.String(required=True)
    status = fields.String(required=True)
    payable_paise = fields.Integer(required=True)
    captured_paise = fields.Integer(required=True)
    refunded_paise = fields.Integer(required=True)
    invoiced_paise = fields.Integer(required=True)
    credited_paise = fields.Integer(required=True)
    problem = fields.String(required=True, metadata={"description": "What does not add up; empty when all does."})


class ReconciliationOut(Schema):
    orders = fields.List(fields.Nested(ReconciliationRowOut), required=True)


class CallbackOutcomeOut(Schema):
    event_id = fields.String(required=True)
    outcome = fields.String(required=True, metadata={"enum": ["applied", "duplicate", "flagged", "ignored"]})
