"""Razorpay's two signatures, checked against vectors computed independently (openssl and RFC 4231),
and what the adapter refuses: forged, tampered, stale or malformed callbacks."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from services.billing.adapters.gateways import CallbackKind, RefusedCallback
from services.billing.adapters.razorpay import RazorpayGateway, checkout_signature, webhook_signature

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)
SECRET = "whsec-test-123"
KEY_SECRET = "EnLs21M47BllR3X8PSFtjtbd"
gateway = RazorpayGateway(api_url="http://127.0.0.1:9", key_id="rzp_test_x", key_secret=KEY_SECRET,
                          webhook_secret=SECRET)


def test_webhook_signature_is_hex_hmac_sha256_of_the_raw_body():
    # RFC 4231 test case 2, and a vector from `openssl dgst -sha256 -hmac`
    assert webhook_signature(b"what do ya want for nothing?", "Jefe") == \
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert webhook_signature(b'{"entity":"event","event":"payment.captured"}', SECRET) == \
        "69ccebaf4478f907adee2c18106f00ad20cfb2162d0094b450c8074ae68d7261"


def test_checkout_signature_is_hex_hmac_sha256_of_order_and_payment_ids_with_the_key_secret():
    assert checkout_signature("order_DBJOWzybf0sJbb", "pay_DGgHFVzS5Cmw1M", KEY_SECRET) == \
        "a135aa13bfa782888081aeaa8e3caaf99cd5c3714cf91a8097da09c806873c7b"


def body(event: str, *, created_at: datetime = NOW, **entities) -> bytes:
    return json.dumps({"entity": "event", "event": event, "contains": list(entities),
                       "payload": {name: {"entity": entity} for name, entity in entities.items()},
                       "created_at": int(created_at.timestamp())}).encode()


PAYMENT = {"id": "pay_1", "entity": "payment", "amount": 118_000_00, "currency": "INR", "status": "captured",
           "order_id": "order_1"}


def headers(raw: bytes, *, secret: str = SECRET, event_id: str = "evt_1") -> dict:
    return {"X-Razorpay-Signature": webhook_signature(raw, secret), "X-Razorpay-Event-Id": event_id}


def test_a_genuine_callback_is_read_in_billings_terms():
    raw = body("payment.captured", payment=PAYMENT)
    callback = gateway.read_callback(raw, {k.lower(): v for k, v in headers(raw).items()}, now=NOW)
    assert callback.kind is CallbackKind.PAYMENT_CAPTURED and callback.event_id == "evt_1"
    assert (callback.payment.payment_id, callback.payment.gateway_order_id, callback.payment.amount_paise) == (
        "pay_1", "order_1", 118_000_00)


def test_order_paid_carries_a_captured_payment_and_refunds_carry_our_refund_id():
    raw = body("order.paid", payment={**PAYMENT, "status": "authorized"}, order={"id": "order_1"})
    assert gateway.read_callback(raw, headers(raw), now=NOW).payment.status == "captured"
    refund = {"id": "rfnd_1", "entity": "refund", "amount": 100_00, "currency": "INR", "payment_id": "pay_1",
              "status": "processed", "notes": {"refund_id": "5d1c0d8e-0000-4000-8000-000000000000"}}
    raw = body("refund.processed", refund=refund, payment=PAYMENT)
    read = gateway.read_callback(raw, headers(raw), now=NOW)
    assert read.kind is CallbackKind.REFUND_PROCESSED and read.refund.our_refund_id == refund["notes"]["refund_id"]


@pytest.mark.parametrize("tamper", ["wrong secret", "changed body", "no signature", "truncated signature"])
def test_a_forged_or_tampered_callback_is_refused(tamper):
    raw = body("payment.captured", payment=PAYMENT)
    offered = headers(raw)
    if tamper == "wrong secret":
        offered = headers(raw, secret="not-the-secret")
    elif tamper == "changed body":
        raw = raw.replace(b"11800000", b"11800001")
    elif tamper == "no signature":
        del offered["X-Razorpay-Signature"]
    else:
        offered["X-Razorpay-Signature"] = offered["X-Razorpay-Signature"][:-2]
    with pytest.raises(RefusedCallback):
        gateway.read_callback(raw, offered, now=NOW)


def test_while_the_webhook_secret_is_rotated_callbacks_signed_with_the_previous_one_still_verify():
    rotating = RazorpayGateway(api_url="http://127.0.0.1:9", key_id="rzp_test_x", key_secret=KEY_SECRET,
                               webhook_secret="whsec-new-456", previous_webhook_secrets=(SECRET,))
    raw = body("payment.captured", payment=PAYMENT)
    for secret in ("whsec-new-456", SECRET):
        assert rotating.read_callback(raw, headers(raw, secret=secret), now=NOW).payment.payment_id == "pay_1"
    with pytest.raises(RefusedCallback):
        rotating.read_callback(raw, headers(raw, secret="whsec-retired-000"), now=NOW)
    with pytest.raises(RefusedCallback):  # once the previous secret is dropped, it no longer verifies
        gateway.read_callback(raw, headers(raw, secret="whsec-new-456"), now=NOW)


def test_a_stale_or_future_callback_is_refused_even_when_signed():
    old = body("payment.captured", payment=PAYMENT, created_at=NOW - timedelta(days=8))
    with pytest.raises(RefusedCallback, match="too old"):
        gateway.read_callback(old, headers(old), now=NOW)
    ahead = body("payment.captured", payment=PAYMENT, created_at=NOW + timedelta(hours=1))
    with pytest.raises(RefusedCallback, match="future"):
        gateway.read_callback(ahead, headers(ahead), now=NOW)
    replayed = body("payment.captured", payment=PAYMENT, created_at=NOW - timedelta(days=6))
    assert gateway.read_callback(replayed, headers(replayed), now=NOW).payment.payment_id == "pay_1"


def test_malformed_callbacks_are_refused_and_unknown_events_acknowledged():
    for raw in (b"not json", b"[]", json.dumps({"event": "payment.captured"}).encode(),
                body("payment.captured", order={"id": "order_1"})):
        with pytest.raises(RefusedCallback):
            gateway.read_callback(raw, headers(raw), now=NOW)
    raw = body("settlement.processed", settlement={"id": "setl_1"})
    assert gateway.read_callback(raw, headers(raw), now=NOW).kind is CallbackKind.OTHER


@pytest.mark.parametrize("entity, created_at", [
    ({**PAYMENT, "id": "pay_" + "x" * 70}, None),  # longer than any id Razorpay issues
    ({**PAYMENT, "id": "pay_1'; DROP TABLE payments"}, None),
    ({**PAYMENT, "amount": 10**30}, None),
    ({**PAYMENT, "amount": -100}, None),
    ({**PAYMENT, "amount": "118000.00"}, None),
    ({**PAYMENT, "currency": "rupees"}, None),
    (PAYMENT, 10**20),  # a creation time no clock reaches
])
def test_a_signed_callback_with_impossible_values_is_refused_not_stored(entity, created_at):
    raw = body("payment.captured", payment=entity)
    if created_at is not None:
        raw = raw.replace(str(int(NOW.timestamp())).encode(), str(created_at).encode())
    with pytest.raises(RefusedCallback):
        gateway.read_callback(raw, headers(raw), now=NOW)


def test_without_an_event_id_header_the_body_identifies_the_event():
    raw = body("payment.failed", payment={**PAYMENT, "status": "failed"})
    first = gateway.read_callback(raw, {"X-Razorpay-Signature": webhook_signature(raw, SECRET)}, now=NOW)
    again = gateway.read_callback(raw, {"X-Razorpay-Signature": webhook_signature(raw, SECRET)}, now=NOW)
    assert first.event_id == again.event_id and len(first.event_id) == 64


def test_the_buyers_return_from_checkout_is_verified():
    good = {"razorpay_order_id": "order_DBJOWzybf0sJbb", "razorpay_payment_id": "pay_DGgHFVzS5Cmw1M",
            "razorpay_signature": "a135aa13bfa782888081aeaa8e3caaf99cd5c3714cf91a8097da09c806873c7b"}
    assert gateway.read_checkout_return(good).payment_id == "pay_DGgHFVzS5Cmw1M"
    with pytest.raises(RefusedCallback):
        gateway.read_checkout_return({**good, "razorpay_payment_id": "pay_someone_else"})
    failed = gateway.read_checkout_return({"error[code]": "BAD_REQUEST_ERROR", "error[description]": "Card declined",
                                           "error[metadata]": json.dumps({"order_id": "order_1", "payment_id": "p"})})
    assert failed.error == "Card declined" and failed.gateway_order_id == "order_1"
