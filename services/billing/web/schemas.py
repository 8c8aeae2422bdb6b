"""The shapes billing accepts over HTTP. Amounts are integer paise in the API; the pages take
rupees as people type them ("1,50,000.50") and turn them into paise here, exactly."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from marshmallow import Schema, ValidationError, fields, post_load, validate

from services.billing.domain.catalogue import BoothPlace, CatalogueItem, ItemKind
from services.billing.domain.orders import PaymentMethod, RequestedLine
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
    def __init__(self, **kwargs):
        super().__init__(places=2, validate=validate.Range(min=0, max=10_000), **kwargs)


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
    matchmaking_priority = fields.Integer(load_default=None, allow_none=True)
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
    quantity = fields.Integer(load_default=1)


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
