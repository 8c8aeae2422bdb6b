"""Money coming in: the gateway's callbacks, the buyer's return from checkout, and bank transfers
finance records. One path applies them all (`apply_payment_report`), so a payment reported
by a webhook, a checkout return and a fetch is applied once whatever order they arrive in.

A callback is kept once per event id, in the same transaction as its effects: a repeat is
answered "duplicate" and changes nothing. Within that, payments are idempotent by the
gateway's payment id, refunds by the gateway's refund id.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection

from services.billing import invoicing, refunds
from services.billing.adapters import repository
from services.billing.adapters.gateways import Callback, CallbackKind, GatewayUnavailable, PaymentReport
from services.billing.adapters.tables import audit_log, gateway_callbacks, payment_flags, payments
from services.billing.bootstrap import Billing
from services.billing.domain.orders import OrderStatus, PaymentMethod
from services.billing.domain.payments import CURRENCY, CaptureOutcome, FlagKind, PaymentStatus, advanced, on_capture
from shared.audit import record_audit
from shared.auth import Principal
from shared.db import after_commit
from shared.errors import InvalidFields, StateConflict
from shared.metrics import record_payment

log = logging.getLogger(__name__)

APPLIED = "applied"
_REPORTED_STATUS = {CallbackKind.PAYMENT_AUTHORIZED: PaymentStatus.AUTHORIZED,
                    CallbackKind.PAYMENT_CAPTURED: PaymentStatus.CAPTURED,
                    CallbackKind.ORDER_PAID: PaymentStatus.CAPTURED,
                    CallbackKind.PAYMENT_FAILED: PaymentStatus.FAILED}


# The statements every callback runs, built once and run with parameters: at hundreds of
# callbacks a second, building them anew cost more than running them.
_RECORD_CALLBACK = (insert(gateway_callbacks).on_conflict_do_nothing(index_elements=["gateway", "event_id"])
                    .returning(gateway_callbacks.c.id))
_RECORD_PAYMENT = (insert(payments)  # a payment seen before comes back as it was (the no-op update locks it)
                   .on_conflict_do_update(index_elements=["gateway_payment_id"],
                                          set_={"updated_at": payments.c.updated_at})
                   .returning(*payments.c, sa.literal_column("(xmax = 0)").label("created")))  # xmax 0: inserted


def _now() -> datetime:
    return datetime.now(timezone.utc)


def receive_callback(wiring: Billing, callback: Callback, *, correlation_id: str) -> str:
    """Apply a verified webhook once; returns what became of it (applied, duplicate, flagged, ignored)."""
    with wiring.engine.begin() as connection:
        callback_id = connection.execute(_RECORD_CALLBACK, {
            "gateway": wiring.gateway.name, "event_id": callback.event_id, "event_type": callback.event_type,
            "outcome": APPLIED, "body": callback.body}).scalar()
        if callback_id is None:
            return "duplicate"
        outcome, order_id = _apply(connection, wiring, callback, callback_id, correlation_id)
        if (outcome, order_id) != (APPLIED, None):  # the row was written as the usual case expects
            connection.execute(gateway_callbacks.update().where(gateway_callbacks.c.id == callback_id)
                               .values(outcome=outcome, order_id=order_id))
    return outcome


def _apply(connection: Connection, wiring: Billing, callback: Callback, callback_id: int,
           correlation_id: str) -> tuple[str, str | None]:
    if callback.kind in (CallbackKind.REFUND_PROCESSED, CallbackKind.REFUND_FAILED):
        return refunds.apply_refund_report(connection, wiring, callback.refund, callback_id=callback_id,
                                           correlation_id=correlation_id)
    if callback.kind is CallbackKind.OTHER:
        log.info("acknowledged %s callback %s without acting on it", callback.event_type, callback.event_id)
        return "ignored", None
    report = callback.payment
    if callback.kind is not CallbackKind.ORDER_PAID:
        report = PaymentReport(report.payment_id, report.gateway_order_id, _REPORTED_STATUS[callback.kind].value,
                               report.amount_paise, report.currency, report.error)
    return apply_payment_report(connection, wiring, report, callback_id=callback_id, correlation_id=correlation_id)


def apply_payment_report(connection: Connection, wiring: Billing, report: PaymentReport, *, callback_id: int | None,
                         correlation_id: str) -> tuple[str, str | None]:
    """What the gateway says of one payment, applied to its order; (outcome, order id)."""
    gateway_order = repository.gateway_order(connection, report.gateway_order_id, lock_order=True)
    if gateway_order is None:
        repository.raise_flag(connection, FlagKind.UNKNOWN_ORDER,
                              f"{wiring.gateway.name} reported payment {report.payment_id} ({report.status}, "
                              f"{report.amount_paise} paise {report.currency}) for gateway order "
                              f"{report.gateway_order_id}, which billing never created.", callback_id=callback_id)
        return "flagged", None
    order = gateway_order.order
    payment = _record_gateway_payment(connection, wiring, order.id, gateway_order.gateway_order_id, report)
    if report.status != PaymentStatus.CAPTURED:
        return ("applied" if payment.status == report.status else "ignored"), order.id
    decision = on_capture(order_status=OrderStatus(order.status), paid_by_payment_id=order.paid_by_payment_id,
                          payment_id=payment.id, amount_paise=report.amount_paise, currency=report.currency,
                          expected_amount_paise=gateway_order.amount_paise)
    return settle(connection, wiring, order, payment, decision.outcome, flag=decision.flag, message=decision.message,
                  callback_id=callback_id, correlation_id=correlation_id), order.id


def settle(connection: Connection, wiring: Billing, order: sa.Row, payment: sa.Row, outcome: CaptureOutcome, *,
           flag: FlagKind | None, message: str, callback_id: int | None, correlation_id: str) -> str:
    """A captured payment's effect on its (locked) order."""
    now = _now()
    if outcome is CaptureOutcome.ALREADY_PAID:
        return "applied"
    if outcome is CaptureOutcome.FLAG:
        repository.raise_flag(connection, flag, f"Order {order.number}: {message}", order_id=order.id,
                              callback_id=callback_id)
        return "flagged"
    if outcome is CaptureOutcome.PAY_IF_STILL_FREE:
        with connection.begin_nested() as savepoint:
            taken = repository.sell_again(connection, repository.lines_of(connection, order.id))
            if taken:
                savepoint.rollback()
        if taken:
            repository.raise_flag(
                connection, FlagKind.PAID_AFTER_RELEASE,
                f"Order {order.number} was paid ({payment.amount_paise} paise, {payment.gateway_payment_id or payment.reference}) "
                f"after it was {order.status}, and its items were sold to someone else meanwhile: refund the payment.",
                order_id=order.id, callback_id=callback_id)
            return "flagged"
    invoicing.pay_order(connection, wiring, order, payment, items_held=outcome is CaptureOutcome.PAY, now=now,
                        correlation_id=correlation_id)
    return "applied"


def _record_gateway_payment(connection: Connection, wiring: Billing, order_id: str, gateway_order_id: str,
                            report: PaymentReport) -> sa.Row:
    """The payment row for a gateway payment, its status moved forward only."""
    reported = PaymentStatus(report.status)
    now = _now()
    existing = connection.execute(_RECORD_PAYMENT, {
        "id": str(uuid.uuid4()), "order_id": order_id, "method": PaymentMethod.GATEWAY.value,
        "gateway": wiring.gateway.name, "gateway_payment_id": report.payment_id, "gateway_order_id": gateway_order_id,
        "reference": report.payment_id, "status": reported.value, "amount_paise": report.amount_paise,
        "currency": report.currency, "error": report.error if reported is PaymentStatus.FAILED else None,
        "captured_at": now if reported is PaymentStatus.CAPTURED else None}).first()
    if existing.created:
        _count_if_failed(connection, existing)
        return existing
    status = advanced(PaymentStatus(existing.status), reported)
    if status.value == existing.status:
        return existing
    moved = connection.execute(payments.update().where(payments.c.id == existing.id).values(
        status=status.value, amount_paise=report.amount_paise, currency=report.currency, updated_at=now,
        error=None if status is not PaymentStatus.FAILED else report.error,
        captured_at=now if status is PaymentStatus.CAPTURED else existing.captured_at).returning(*payments.c)).first()
    _count_if_failed(connection, moved)
    return moved


def _count_if_failed(connection: Connection, payment: sa.Row) -> None:
    """A payment that has just failed counts once, for the alert on failed payments."""
    if payment.status == PaymentStatus.FAILED.value:
        after_commit(connection, lambda: record_payment("failed", payment.amount_paise))


@dataclass(frozen=True)
class ReturnOutcome:
    paid: bool
    message: str


def receive_checkout_return(wiring: Billing, order_id: str, form, *, correlation_id: str) -> ReturnOutcome:
    """The buyer is back from the gateway's checkout. A verified success is confirmed with the
    gateway (the signature proves a payment exists, not that it was captured) and applied
    at once, so the buyer sees the order paid without waiting for the webhook."""
    returned = wiring.gateway.read_checkout_return(form)  # RefusedCallback: forged
    with wiring.engine.connect() as connection:
        gateway_order = repository.gateway_order(connection, returned.gateway_order_id)
    if gateway_order is None or gateway_order.order_id != order_id:
        if returned.error:
            return ReturnOutcome(False, f"The payment did not go through: {returned.error}")
        raise StateConflict("This payment is not for this order.")
    if returned.error:
        return ReturnOutcome(False, f"The payment did not go through: {returned.error}. You can try again.")
    try:
        report = wiring.gateway.fetch_payment(returned.payment_id)
    except GatewayUnavailable:
        log.warning("could not confirm payment %s with the gateway; the webhook will", returned.payment_id)
        return ReturnOutcome(False, "Your payment is being confirmed; this page will show it within a few minutes.")
    if report.gateway_order_id != gateway_order.gateway_order_id:
        raise StateConflict("This payment is not for this order.")
    if report.status not in {status.value for status in PaymentStatus}:
        return ReturnOutcome(False, "Your payment is being confirmed; this page will show it within a few minutes.")
    with wiring.engine.begin() as connection:
        apply_payment_report(connection, wiring, report, callback_id=None, correlation_id=correlation_id)
        paid = repository.order_row(connection, order_id).status == OrderStatus.PAID
    return ReturnOutcome(paid, "Thank you: your payment is received." if paid else
                         "Your payment is recorded; the organisers will be in touch if anything needs doing.")


def record_bank_transfer(wiring: Billing, *, order_id: str, reference: str, amount_paise: int, actor: Principal,
                         correlation_id: str) -> str:
    """Finance saw the buyer's transfer arrive: the order is paid as if the gateway had captured it."""
    with wiring.engine.begin() as connection:
        order = repository.locked_order(connection, order_id)
        if order is None:
            raise StateConflict("No such order.")
        if order.paid_by_payment_id:
            raise StateConflict(f"Order {order.number} is already paid.")
        if amount_paise != order.payable_paise:
            raise InvalidFields({"amount_paise": [f"The order is for {order.payable_paise} paise: record a transfer "
                                                  "of exactly that amount, or ask the buyer to settle the difference."]})
        clash = connection.execute(sa.select(payments.c.id).where(
            payments.c.method == PaymentMethod.BANK_TRANSFER.value, payments.c.reference == reference)).first()
        if clash:
            raise InvalidFields({"reference": ["This transfer reference is already recorded against a payment."]})
        payment_id = str(uuid.uuid4())
        connection.execute(payments.insert().values(
            id=payment_id, order_id=order_id, method=PaymentMethod.BANK_TRANSFER.value, reference=reference,
            status=PaymentStatus.CAPTURED.value, amount_paise=amount_paise, currency=CURRENCY, captured_at=_now(),
            recorded_by=actor.subject))
        payment = repository.locked_payment(connection, payment_id)
        decision = on_capture(order_status=OrderStatus(order.status), paid_by_payment_id=None, payment_id=payment_id,
                              amount_paise=amount_paise, currency=CURRENCY, expected_amount_paise=order.payable_paise)
        outcome = settle(connection, wiring, order, payment, decision.outcome, flag=decision.flag,
                         message=decision.message, callback_id=None, correlation_id=correlation_id)
        if outcome != "applied":
            raise StateConflict(f"Order {order.number} was {order.status} and its items are no longer free: "
                                "the transfer cannot pay it. Return the money to the buyer.")
        record_audit(connection, audit_log, actor=actor, action="payment.bank_transfer_recorded", target_type="order",
                     target_id=order_id, after={"reference": reference, "amount_paise": amount_paise},
                     correlation_id=correlation_id)
    return payment_id


def resolve_flag(wiring: Billing, flag_id: str, *, resolution: str, actor: Principal, correlation_id: str) -> None:
    with wiring.engine.begin() as connection:
        flag = connection.execute(sa.select(payment_flags).where(payment_flags.c.id == flag_id)
                                  .with_for_update()).first()
        if flag is None:
            raise StateConflict("No such flag.")
        if flag.resolved_at:
            raise StateConflict("This flag is already resolved.")
        connection.execute(payment_flags.update().where(payment_flags.c.id == flag_id).values(
            resolved_at=_now(), resolved_by=actor.name, resolution=resolution))
        record_audit(connection, audit_log, actor=actor, action="payment_flag.resolved", target_type="payment_flag",
                     target_id=flag_id, before={"kind": flag.kind, "message": flag.message},
                     after={"resolution": resolution}, correlation_id=correlation_id)
