"""The rules of the catalogue, orders and payments, without any I/O."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.billing.domain.catalogue import BoothPlace, CatalogueItem, ItemKind, check_item
from services.billing.domain.gstin import valid_gstin
from services.billing.domain.links import DocumentLinkSigner
from services.billing.domain.orders import OfferedItem, OrderStatus, RequestedLine, check_request
from services.billing.domain.payments import CaptureOutcome, FlagKind, PaymentStatus, advanced, on_capture
from shared.errors import InvalidFields

EDITION = "e1"
ITEMS = {
    "gold": OfferedItem("gold", ItemKind.SPONSORSHIP, "Gold", EDITION, True, includes_booth=True),
    "silver": OfferedItem("silver", ItemKind.SPONSORSHIP, "Silver", EDITION, True, includes_booth=False),
    "a1": OfferedItem("a1", ItemKind.BOOTH, "A-1", EDITION, True, includes_booth=False),
    "lanyards": OfferedItem("lanyards", ItemKind.BRANDING, "Lanyards", EDITION, True, includes_booth=False),
    "old": OfferedItem("old", ItemKind.BRANDING, "Old", EDITION, False, includes_booth=False),
    "other": OfferedItem("other", ItemKind.BOOTH, "B-1", "e2", True, includes_booth=False),
}


def errors_of(lines, included=None) -> dict:
    with pytest.raises(InvalidFields) as refused:
        check_request(lines, ITEMS, edition_id=EDITION, included_booth_id=included)
    return refused.value.errors


def test_an_order_names_each_item_once_with_a_sensible_quantity():
    check_request([RequestedLine("silver", 1), RequestedLine("lanyards", 500)], ITEMS, edition_id=EDITION,
                  included_booth_id=None)
    assert "lines" in errors_of([])
    assert "lines" in errors_of([RequestedLine("a1", 1), RequestedLine("a1", 1)])
    assert "lines.0" in errors_of([RequestedLine("silver", 2)])
    assert "lines.0" in errors_of([RequestedLine("lanyards", 0)])
    assert "lines.0" in errors_of([RequestedLine("old", 1)]), "withdrawn from sale"
    assert "lines.0" in errors_of([RequestedLine("other", 1)]), "another edition's"
    assert "lines.0" in errors_of([RequestedLine("nope", 1)])


def test_a_tier_that_includes_a_booth_needs_one_picked_and_only_such_a_tier_gets_one_free():
    check_request([RequestedLine("gold", 1)], ITEMS, edition_id=EDITION, included_booth_id="a1")
    assert "included_booth_id" in errors_of([RequestedLine("gold", 1)])
    assert "included_booth_id" in errors_of([RequestedLine("silver", 1)], included="a1")
    assert "included_booth_id" in errors_of([RequestedLine("gold", 1)], included="lanyards")
    assert "included_booth_id" in errors_of([RequestedLine("gold", 1), RequestedLine("a1", 1)], included="a1")


def test_catalogue_items_are_checked_field_by_field():
    booth = CatalogueItem(ItemKind.BOOTH, "A-1", 1_50_000_00, 1,
                          booth=BoothPlace("Hall A", "A-1", Decimal(0), Decimal(0), Decimal(3), Decimal(3)))
    assert check_item(booth).effective_sac == "998596"
    with pytest.raises(InvalidFields) as refused:
        check_item(CatalogueItem(ItemKind.BOOTH, "A-2", -1, 2, gst_rate_bp=5000, sac_code="1234"))
    assert set(refused.value.errors) == {"unit_price_paise", "gst_rate_bp", "sac_code", "quantity", "booth"}
    with pytest.raises(InvalidFields) as refused:
        check_item(CatalogueItem(ItemKind.SPONSORSHIP, "Gold", 10_00, 3))
    assert "matchmaking_priority" in refused.value.errors
    with pytest.raises(InvalidFields):
        check_item(CatalogueItem(ItemKind.BRANDING, "Lanyards", 10_00, 3, includes_booth=True))


def test_a_payment_status_only_moves_forward_but_a_failure_may_be_authorised_late():
    assert advanced(PaymentStatus.CAPTURED, PaymentStatus.FAILED) is PaymentStatus.CAPTURED
    assert advanced(PaymentStatus.CAPTURED, PaymentStatus.AUTHORIZED) is PaymentStatus.CAPTURED
    assert advanced(PaymentStatus.FAILED, PaymentStatus.AUTHORIZED) is PaymentStatus.AUTHORIZED
    assert advanced(None, PaymentStatus.FAILED) is PaymentStatus.FAILED


def capture(**changes):
    facts = dict(order_status=OrderStatus.HELD, paid_by_payment_id=None, payment_id="p1", amount_paise=100_00,
                 currency="INR", expected_amount_paise=100_00) | changes
    return on_capture(**facts)


def test_what_a_captured_payment_does_to_its_order():
    assert capture().outcome is CaptureOutcome.PAY
    assert capture(order_status=OrderStatus.AWAITING_TRANSFER).outcome is CaptureOutcome.PAY
    assert capture(order_status=OrderStatus.EXPIRED).outcome is CaptureOutcome.PAY_IF_STILL_FREE
    assert capture(order_status=OrderStatus.PAID, paid_by_payment_id="p1").outcome is CaptureOutcome.ALREADY_PAID
    assert capture(order_status=OrderStatus.PAID, paid_by_payment_id="p0").flag is FlagKind.DOUBLE_PAYMENT
    assert capture(amount_paise=99_99).flag is FlagKind.AMOUNT_MISMATCH
    assert capture(currency="USD").flag is FlagKind.CURRENCY_MISMATCH


def test_gstins_are_checked_by_shape_state_and_check_character():
    assert valid_gstin(" 07aaacd1234e1zb ") == "07AAACD1234E1ZB"
    for bad in ("07AAACD1234E1ZC", "99AAACD1234E1ZB", "07AAACD1234E1Z", "hello"):
        with pytest.raises(ValueError):
            valid_gstin(bad)


def test_signed_document_links_work_for_their_document_until_they_expire():
    signer = DocumentLinkSigner(b"0123456789abcdef")
    now = datetime(2026, 11, 28, tzinfo=timezone.utc)
    query = dict(part.split("=", 1) for part in signer.query("invoices", "inv-1", now + timedelta(days=30)).split("&"))
    assert signer.is_valid("invoices", "inv-1", query["expires"], query["signature"], now=now)
    assert not signer.is_valid("invoices", "inv-2", query["expires"], query["signature"], now=now)
    assert not signer.is_valid("credit-notes", "inv-1", query["expires"], query["signature"], now=now)
    assert not signer.is_valid("invoices", "inv-1", str(int(query["expires"]) + 1), query["signature"], now=now)
    assert not signer.is_valid("invoices", "inv-1", query["expires"], query["signature"], now=now + timedelta(days=31))
    assert not signer.is_valid("invoices", "inv-1", "soon", "x", now=now)
