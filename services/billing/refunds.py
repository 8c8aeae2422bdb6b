"""Money going back: finance refunds part or all of a payment through the gateway (or records a
refund made by bank transfer); the gateway's refund-processed callback issues the credit note
and, for a cancellation, releases the order's items.

A refund is written down before the gateway is asked (so concurrent refunds can never exceed
the payment), the gateway is asked outside any transaction with the refund's id as its
idempotency key (so asking again after a timeout refunds once), and the answer is applied by
the same code as the callback, whichever of them arrives first.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection

from services.billing import announcements, events, invoicing
from services.billing.adapters import repository
from services.billing.adapters.gateways import GatewayRefused, GatewayUnavailable, RefundReport
from services.billing.adapters.tables import audit_log, orders, payments, refunds
from services.billing.bootstrap import Billing
from services.billing.domain.orders import OrderStatus, PaymentMethod
from services.billing.domain.payments import FlagKind, PaymentStatus
from shared.audit import record_audit
from shared.auth import Principal
from shared.db import after_commit
from shared.errors import InvalidFields, StateConflict
from shared.metrics import record_payment

OPEN_REFUND_STATUSES = ("requested", "pending")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def request_refund(wiring: Billing, *, order_id: str, amount_paise: int | None, reason: str, cancel_order: bool,
                   actor: Principal, correlation_id: str, payment_id: str | None = None,
                   bank_reference: str | None = None) -> sa.Row:
    """Refund `amount_paise` (all that is left when None) of the order's payment, or of
    `payment_id` (a second payment for the same order). Returns the refund as it stands."""
    with wiring.engine.begin() as connection:
        order = repository.locked_order(connection, order_id)
        if order is None:
            raise StateConflict("No such order.")
        payment = repository.locked_payment(connection, payment_id or order.paid_by_payment_id or "") \
            if (payment_id or order.paid_by_payment_id) else None
        if payment is None or payment.order_id != order_id or payment.status != PaymentStatus.CAPTURED:
            raise StateConflict("This order has no captured payment to refund.")
        refundable = payment.amount_paise - repository.refunded_or_pending(connection, payment.id)
        amount = refundable if amount_paise is None else amount_paise
        if amount <= 0 or amount > refundable:
            raise InvalidFields({"amount_paise": [f"At most {refundable} paise of this payment can still be refunded."]})
        if cancel_order and (payment.id != order.paid_by_payment_id or order.status != OrderStatus.PAID):
            raise InvalidFields({"cancel_order": ["Only a paid order can be cancelled, with a refund of its payment."]})
        by_bank = payment.method == PaymentMethod.BANK_TRANSFER
        if by_bank and not bank_reference:
            raise InvalidFields({"reference": ["This order was paid by bank transfer: refund it by bank transfer "
                                               "and give the transfer's reference."]})
        refund_id = str(uuid.uuid4())
        connection.execute(refunds.insert().values(
            id=refund_id, order_id=order_id, payment_id=payment.id, amount_paise=amount, status="requested",
            reason=reason, cancel_order=cancel_order, reference=bank_reference, requested_by=actor.name,
            requested_at=_now()))
        record_audit(connection, audit_log, actor=actor, action="refund.requested", target_type="order",
                     target_id=order_id, correlation_id=correlation_id,
                     after={"refund_id": refund_id, "amount_paise": amount, "cancel_order": cancel_order,
                            "reason": reason})
        if by_bank:  # the money already left by transfer: nothing to wait for
            process_refund(connection, wiring, _locked_refund(connection, refund_id), correlation_id=correlation_id)
            return _refund(connection, refund_id)
    return send_refund(wiring, refund_id, correlation_id=correlation_id)


def send_refund(wiring: Billing, refund_id: str, *, correlation_id: str) -> sa.Row:
    """Ask the gateway for a refund written down as requested (again after a failure to reach it:
    the refund id is the idempotency key, so the gateway refunds once)."""
    with wiring.engine.connect() as connection:
        refund = _refund(connection, refund_id)
        if refund is None or refund.status != "requested":
            raise StateConflict("Only a refund that has not reached the gateway yet can be sent.")
        gateway_payment_id = connection.execute(sa.select(payments.c.gateway_payment_id)
                                                .where(payments.c.id == refund.payment_id)).scalar()
    try:
        report = wiring.gateway.refund(payment_id=gateway_payment_id, amount_paise=refund.amount_paise,
                                       our_refund_id=refund_id)
    except GatewayRefused as refusal:
        with wiring.engine.begin() as connection:
            connection.execute(refunds.update().where(refunds.c.id == refund_id, refunds.c.status == "requested")
                               .values(status="failed", failure=str(refusal)))
        raise StateConflict(f"The gateway refused the refund: {refusal}") from None
    except GatewayUnavailable as error:
        with wiring.engine.begin() as connection:
            repository.raise_flag(connection, FlagKind.REFUND_NOT_SENT,
                                  f"Refund of {refund.amount_paise} paise could not reach the gateway ({error}); "
                                  "send it again from the order's page.", order_id=refund.order_id)
            return _refund(connection, refund_id)
    with wiring.engine.begin() as connection:
        apply_refund_report(connection, wiring, report, callback_id=None, correlation_id=correlation_id)
        return _refund(connection, refund_id)


def _refund(connection: Connection, refund_id: str) -> sa.Row | None:
    return connection.execute(sa.select(refunds).where(refunds.c.id == refund_id)).first()


def _locked_refund(connection: Connection, refund_id: str) -> sa.Row | None:
    return connection.execute(sa.select(refunds).where(refunds.c.id == refund_id).with_for_update()).first()


def apply_refund_report(connection: Connection, wiring: Billing, report: RefundReport, *, callback_id: int | None,
                        correlation_id: str) -> tuple[str, str | None]:
    """What the gateway says of a refund, applied once: (outcome, order id)."""
    # By our own id first: the gateway's callback can overtake its answer to our request, and both
    # then wait for the same row lock instead of each thinking the other's refund is a new one.
    our_id = _uuid_or_none(report.our_refund_id) if report.our_refund_id else None
    refund = _locked_refund(connection, our_id) if our_id else None
    if refund is None:
        refund = connection.execute(sa.select(refunds).where(refunds.c.gateway_refund_id == report.refund_id)
                                    .with_for_update()).first()
    elif refund.gateway_refund_id is None:
        connection.execute(refunds.update().where(refunds.c.id == refund.id).values(gateway_refund_id=report.refund_id))
    if refund is None:
        refund = _refund_made_elsewhere(connection, report, callback_id)
        if refund is None:
            return "flagged", None
    if refund.status == "processed":  # a late "failed" never takes back a refund the gateway processed
        return ("applied" if report.status == "processed" else "ignored"), refund.order_id
    if report.status == "processed":
        process_refund(connection, wiring, _locked_refund(connection, refund.id), correlation_id=correlation_id)
    elif report.status == "failed":
        if refund.status == "failed":
            return "applied", refund.order_id
        connection.execute(refunds.update().where(refunds.c.id == refund.id)
                           .values(status="failed", failure=report.failure or "the gateway could not refund"))
        order_number = repository.order_row(connection, refund.order_id).number
        repository.raise_flag(connection, FlagKind.REFUND_FAILED,
                              f"Order {order_number}: the refund of {refund.amount_paise} paise failed at the gateway "
                              f"({report.failure or 'no reason given'}); refund the buyer another way or try again.",
                              order_id=refund.order_id, callback_id=callback_id)
        return "flagged", refund.order_id
    elif refund.status == "requested":
        connection.execute(refunds.update().where(refunds.c.id == refund.id).values(status="pending"))
    return "applied", refund.order_id


def _uuid_or_none(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _refund_made_elsewhere(connection: Connection, report: RefundReport, callback_id: int | None) -> sa.Row | None:
    """A refund billing did not ask for (made on the gateway's dashboard): recorded, so money
    stays accounted for, and flagged, so finance knows."""
    payment = repository.payment_by_gateway_id(connection, report.payment_id)
    if payment is None:
        repository.raise_flag(connection, FlagKind.UNKNOWN_REFUND,
                              f"The gateway reported refund {report.refund_id} ({report.amount_paise} paise) of "
                              f"payment {report.payment_id}, which billing does not know.", callback_id=callback_id)
        return None
    created = connection.execute(insert(refunds).values(
        id=str(uuid.uuid4()), order_id=payment.order_id, payment_id=payment.id, gateway_refund_id=report.refund_id,
        amount_paise=report.amount_paise, status="pending", reason="refunded outside billing, on the gateway",
        cancel_order=False, requested_by="payment gateway", requested_at=_now(),
    ).on_conflict_do_nothing(index_elements=["gateway_refund_id"]).returning(refunds.c.id)).scalar()
    if created:  # else a callback about the same refund recorded it a moment ago
        repository.raise_flag(connection, FlagKind.REFUND_OUTSIDE_PLATFORM,
                              f"Refund {report.refund_id} of {report.amount_paise} paise was made on the gateway, not "
                              "through billing: check it was meant; its credit note follows when it is processed.",
                              order_id=payment.order_id, callback_id=callback_id)
    return connection.execute(sa.select(refunds).where(refunds.c.gateway_refund_id == report.refund_id)
                              .with_for_update()).first()


def process_refund(connection: Connection, wiring: Billing, refund: sa.Row, *, correlation_id: str) -> None:
    """The money is back with the buyer: credit note, and for a cancellation the items go back on sale."""
    now = _now()
    connection.execute(refunds.update().where(refunds.c.id == refund.id).values(status="processed", processed_at=now))
    after_commit(connection, lambda: record_payment("refunded", refund.amount_paise))
    order = repository.locked_order(connection, refund.order_id)
    pays_the_order = refund.payment_id == order.paid_by_payment_id
    if pays_the_order:
        connection.execute(orders.update().where(orders.c.id == order.id)
                           .values(refunded_paise=orders.c.refunded_paise + refund.amount_paise))
    announcements.announce_order(connection, wiring, events.REFUND_PROCESSED, order.id, refund_id=refund.id,
                                 amount_paise=refund.amount_paise, processed_at=now, correlation_id=correlation_id)
    invoice = invoicing.tax_invoice_of(connection, order.id) if pays_the_order else None
    if invoice is not None:
        invoicing.issue_credit_note(connection, wiring, invoice=invoice, refund=refund, reason=refund.reason, now=now,
                                    correlation_id=correlation_id)
    if refund.cancel_order and pays_the_order and order.status == OrderStatus.PAID:
        cancel_paid_order(connection, wiring, order, reason=refund.reason, now=now, correlation_id=correlation_id)


def cancel_paid_order(connection: Connection, wiring: Billing, order: sa.Row, *, reason: str, now: datetime,
                      correlation_id: str) -> None:
    repository.release_sold(connection, repository.lines_of(connection, order.id))
    connection.execute(orders.update().where(orders.c.id == order.id).values(
        status=OrderStatus.CANCELLED.value, closed_at=now, close_reason=reason))
    announcements.announce_order(connection, wiring, events.ORDER_CANCELLED, order.id, cancelled_at=now, reason=reason,
                                 was_paid=True, correlation_id=correlation_id)
    announcements.announce_benefits(connection, wiring, announcements.order_facts(connection, order.id), granted=False,
                                    at=now, reason=reason, correlation_id=correlation_id)
