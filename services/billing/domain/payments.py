"""What a payment gateway's news means for an order, decided without any I/O.

Callbacks repeat, arrive late and out of order. The rules that keep money right:

* A payment's status only moves forward (failed < authorized < captured), except that a
  failed payment may still be authorised late. A failure after a capture never un-pays.
* Only a captured payment of exactly the amount and currency asked for pays an order; any
  other captured money is recorded and flagged to finance, never lost, never counted twice.
* A second payment for an order already paid is flagged for a refund.
* A payment that arrives after the hold expired (or the buyer cancelled) still pays the
  order when its items are still free; when they are not, finance must refund it.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from services.billing.domain.orders import HOLDING, OrderStatus

CURRENCY = "INR"


class PaymentStatus(enum.StrEnum):
    FAILED = "failed"
    AUTHORIZED = "authorized"
    CAPTURED = "captured"


_RANK = {PaymentStatus.FAILED: 0, PaymentStatus.AUTHORIZED: 1, PaymentStatus.CAPTURED: 2}


def advanced(current: PaymentStatus | None, reported: PaymentStatus) -> PaymentStatus:
    """The status after a report: never backwards."""
    if current is None or _RANK[reported] > _RANK[current]:
        return reported
    return current


class FlagKind(enum.StrEnum):
    UNKNOWN_ORDER = "unknown_order"
    AMOUNT_MISMATCH = "amount_mismatch"
    CURRENCY_MISMATCH = "currency_mismatch"
    DOUBLE_PAYMENT = "double_payment"
    PAID_AFTER_RELEASE = "paid_after_release"
    REFUND_FAILED = "refund_failed"
    REFUND_NOT_SENT = "refund_not_sent"
    REFUND_OUTSIDE_PLATFORM = "refund_outside_platform"
    UNKNOWN_REFUND = "unknown_refund"
    BUYER_CANCELLED_REGISTRATION = "buyer_cancelled_registration"


class CaptureOutcome(enum.StrEnum):
    PAY = "pay"  # the order is paid by this payment
    PAY_IF_STILL_FREE = "pay_if_still_free"  # released meanwhile: sell again if nobody took the items
    ALREADY_PAID = "already_paid"  # this very payment paid it before: nothing to do
    FLAG = "flag"


@dataclass(frozen=True)
class CaptureDecision:
    outcome: CaptureOutcome
    flag: FlagKind | None = None
    message: str = ""


def on_capture(*, order_status: OrderStatus, paid_by_payment_id: str | None, payment_id: str, amount_paise: int,
               currency: str, expected_amount_paise: int) -> CaptureDecision:
    if currency != CURRENCY:
        return CaptureDecision(CaptureOutcome.FLAG, FlagKind.CURRENCY_MISMATCH,
                               f"Payment {payment_id} was captured in {currency}, not {CURRENCY}: refund it.")
    if amount_paise != expected_amount_paise:
        return CaptureDecision(CaptureOutcome.FLAG, FlagKind.AMOUNT_MISMATCH,
                               f"Payment {payment_id} captured {amount_paise} paise where {expected_amount_paise} "
                               "were asked: the order stays unpaid; refund or settle the difference.")
    if paid_by_payment_id == payment_id:
        return CaptureDecision(CaptureOutcome.ALREADY_PAID)
    if paid_by_payment_id is not None:
        return CaptureDecision(CaptureOutcome.FLAG, FlagKind.DOUBLE_PAYMENT,
                               f"Payment {payment_id} arrived for an order already paid by {paid_by_payment_id}: "
                               "refund one of them.")
    if order_status in HOLDING:
        return CaptureDecision(CaptureOutcome.PAY)
    return CaptureDecision(CaptureOutcome.PAY_IF_STILL_FREE)
