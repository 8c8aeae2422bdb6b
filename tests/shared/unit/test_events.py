"""The event envelope and versioned contracts: what is accepted, what is refused and why."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from marshmallow import Schema, fields

from shared.events import ContractRegistry, Envelope, InvalidEvent


class OrderPaidV1(Schema):
    order_id = fields.UUID(required=True)
    amount_paise = fields.Integer(required=True, strict=True)
    paid_at = fields.AwareDateTime(required=True)


@pytest.fixture
def registry() -> ContractRegistry:
    registry = ContractRegistry("dpd/billing")
    registry.register("billing.order_paid.v1", OrderPaidV1)
    return registry


ORDER = "4b0a6a44-9a43-4a4b-9a0e-2d1d6f3c2b11"
PAID_AT = datetime(2026, 11, 28, 4, 30, tzinfo=timezone.utc)


def test_an_event_round_trips_through_json_as_a_cloudevent(registry):
    event = registry.create("billing.order_paid.v1", ORDER, {"order_id": ORDER, "amount_paise": 1180000,
                                                              "paid_at": PAID_AT})
    wire = json.loads(event.to_json())

    assert wire["specversion"] == "1.0"
    assert wire["type"] == "billing.order_paid.v1"
    assert wire["source"] == "dpd/billing"
    assert wire["subject"] == ORDER
    assert wire["datacontenttype"] == "application/json"
    again = Envelope.from_json(event.to_json())
    assert again == event
    assert registry.load_data(again) == {"order_id": __import__("uuid").UUID(ORDER), "amount_paise": 1180000,
                                         "paid_at": PAID_AT}


@pytest.mark.parametrize("breakage, complaint", [
    (lambda e: e.pop("id"), "id"),
    (lambda e: e.update(specversion="0.3"), "specversion"),
    (lambda e: e.update(time="2026-11-28T10:00:00"), "time"),  # no zone: ambiguous
    (lambda e: e.update(type="OrderPaid"), "type"),  # no version
    (lambda e: e.update(data="not an object"), "data"),
])
def test_a_malformed_envelope_is_refused_naming_the_field(registry, breakage, complaint):
    wire = registry.create("billing.order_paid.v1", ORDER, {"order_id": ORDER, "amount_paise": 1,
                                                             "paid_at": PAID_AT}).to_dict()
    breakage(wire)
    with pytest.raises(InvalidEvent) as refused:
        Envelope.from_dict(wire)
    assert complaint in refused.value.errors


def test_bytes_that_are_not_json_are_refused():
    with pytest.raises(InvalidEvent, match="not valid JSON"):
        Envelope.from_json(b"\xff\xfe{")
    with pytest.raises(InvalidEvent, match="not a JSON object"):
        Envelope.from_json(b"[1, 2]")


def test_an_unknown_event_type_is_refused(registry):
    stranger = Envelope(type="billing.order_refunded.v7", source="x", subject="s", data={})
    with pytest.raises(InvalidEvent, match="unknown event type"):
        registry.load_data(stranger)


def test_data_that_breaks_its_contract_is_refused_on_receipt(registry):
    event = Envelope(type="billing.order_paid.v1", source="x", subject=ORDER,
                     data={"order_id": ORDER, "amount_paise": "11800.00", "paid_at": PAID_AT.isoformat()})
    with pytest.raises(InvalidEvent) as refused:
        registry.load_data(event)
    assert "amount_paise" in refused.value.errors


def test_a_service_cannot_publish_data_that_breaks_its_own_contract(registry):
    with pytest.raises(InvalidEvent) as refused:
        registry.create("billing.order_paid.v1", ORDER, {"order_id": ORDER, "paid_at": PAID_AT})
    assert "amount_paise" in refused.value.errors


def test_a_contract_is_registered_once(registry):
    with pytest.raises(ValueError):
        registry.register("billing.order_paid.v1", OrderPaidV1)
