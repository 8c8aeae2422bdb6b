"""Orders and holds: a buyer's order reserves its items for a while; the hold is paid, cancelled,
or expires and gives the items back by itself.

Each use case is one transaction with its outbox events. An expired hold never blocks a
buyer: placing an order first releases the expired holds on the items it asks for, so the
worker's periodic sweep is only the second line.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.billing import announcements, events, invoicing
from services.billing.adapters import repository
from services.billing.adapters.gateways import CheckoutForm, GatewayOrder
from services.billing.adapters.tables import gateway_orders, order_lines, orders
from services.billing.bootstrap import Billing
from services.billing.domain.catalogue import ItemKind, metres
from services.billing.domain.orders import (
    OfferedItem, OrderStatus, PaymentMethod, RequestedLine, check_cancellable_by_buyer, check_request)
from services.billing.domain.payments import CURRENCY
from services.billing.domain.tax import Buyer, LineToTax, price_order
from shared.errors import InvalidFields, StateConflict

BANK_TRANSFER_REMINDER = timedelta(days=1)


class NotABuyer(StateConflict):
    """Only organisations registration approved may order."""


class SoldOut(StateConflict):
    """An item is no longer available (answered as 409, naming it)."""


@dataclass(frozen=True)
class Placed:
    order_id: str
    number: str
    replayed: bool  # an Idempotency-Key seen before: nothing new was stored


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _request_key(registration_id: str, client_request_id: str | None) -> str | None:
    """Idempotency keys are the buyer's own: the same key from two buyers means two orders."""
    return f"{registration_id}:{client_request_id}" if client_request_id else None


def place_order(wiring: Billing, *, registration_id: str, lines: list[RequestedLine], included_booth_id: str | None,
                payment_method: PaymentMethod, placed_by: str, client_request_id: str | None,
                correlation_id: str) -> Placed:
    request_key = _request_key(registration_id, client_request_id)
    if request_key and (earlier := _placed_with(wiring, request_key)):
        return earlier
    if payment_method is PaymentMethod.BANK_TRANSFER and not wiring.settings.bank_transfer_details:
        raise InvalidFields({"payment_method": ["Bank transfers are not offered; pay online."]})
    wanted = [line.item_id for line in lines] + ([included_booth_id] if included_booth_id else [])
    expire_due_holds(wiring, item_ids=wanted, correlation_id=correlation_id)
    now = _now()
    try:
        with wiring.engine.begin() as connection:
            buyer = repository.buyer(connection, registration_id)
            if buyer is None or not buyer.approved:
                raise NotABuyer("Only organisations whose registration is approved can order; yours is not (yet).")
            edition = repository.edition(connection, buyer.edition_id)
            if edition is None:
                raise StateConflict("Sales for your edition have not opened yet.")
            items = repository.items_by_id(connection, wanted)
            check_request(lines, {i: _offered(row) for i, row in items.items()}, edition_id=buyer.edition_id,
                          included_booth_id=included_booth_id)
            order_id, number = str(uuid.uuid4()), repository.new_order_number()
            rows = _line_rows(order_id, lines, included_booth_id, items)
            priced = price_order([row.pop("to_tax") for row in rows], supplier=wiring.settings.supplier,
                                 buyer=_tax_buyer(buyer), venue_state_key=edition.venue_state)
            for row, taxed in zip(rows, priced.lines):
                row |= dict(taxable_paise=taxed.taxable_paise, cgst_paise=taxed.cgst_paise,
                            sgst_paise=taxed.sgst_paise, igst_paise=taxed.igst_paise,
                            reverse_charge=taxed.reverse_charge)
            if priced.totals.payable_paise <= 0:
                raise InvalidFields({"lines": ["This order has nothing to pay for: add a paid item."]})
            by_bank = payment_method is PaymentMethod.BANK_TRANSFER
            expires = now + (timedelta(days=wiring.settings.bank_transfer_days) if by_bank
                             else timedelta(minutes=wiring.settings.hold_minutes))
            connection.execute(orders.insert().values(
                id=order_id, number=number, edition_id=buyer.edition_id, registration_id=registration_id,
                status=(OrderStatus.AWAITING_TRANSFER if by_bank else OrderStatus.HELD).value,
                payment_method=payment_method.value, placed_by=placed_by, placed_at=now, hold_expires_at=expires,
                place_of_supply=priced.place_of_supply.gst_code, intra_state=priced.intra_state,
                taxable_paise=priced.totals.taxable_paise, tax_paise=priced.totals.tax_paise,
                payable_paise=priced.totals.payable_paise, client_request_id=request_key))
            connection.execute(order_lines.insert(), rows)
            sold_out = repository.hold(connection, [RequestedLine(row["item_id"], row["quantity"]) for row in rows])
            if sold_out:
                raise SoldOut(f"{items[sold_out].name} has just been taken by another buyer; choose another.")
            announcements.announce_order(connection, wiring, events.ORDER_PLACED, order_id, placed_at=now,
                                         hold_expires_at=expires, correlation_id=correlation_id)
            if by_bank:
                invoicing.issue_proforma(connection, wiring, order_id, now=now, correlation_id=correlation_id)
    except sa.exc.IntegrityError:
        earlier = _placed_with(wiring, request_key) if request_key else None
        if earlier is None:
            raise
        return earlier  # two requests with one Idempotency-Key raced: the other one placed it
    return Placed(order_id, number, replayed=False)


def _placed_with(wiring: Billing, request_key: str) -> Placed | None:
    with wiring.engine.connect() as connection:
        row = connection.execute(sa.select(orders.c.id, orders.c.number)
                                 .where(orders.c.client_request_id == request_key)).first()
    return Placed(row.id, row.number, replayed=True) if row else None


def _offered(row: sa.Row) -> OfferedItem:
    return OfferedItem(id=row.id, kind=ItemKind(row.kind), name=row.name, edition_id=row.edition_id,
                       active=row.active, includes_booth=row.includes_booth)


def _tax_buyer(row: sa.Row) -> Buyer:
    return Buyer(legal_name=row.legal_name, gstin=row.gstin, address=row.address, state_key=row.state,
                 country=row.country)


def _line_rows(order_id: str, lines: list[RequestedLine], included_booth_id: str | None,
               items: dict[str, sa.Row]) -> list[dict]:
    rows = []
    for line in lines:
        item = items[line.item_id]
        rows.append(_line_row(order_id, len(rows) + 1, item, line.quantity, item.unit_price_paise, _describe(item)))
    if included_booth_id:
        tier = next(items[line.item_id] for line in lines if items[line.item_id].includes_booth)
        booth = items[included_booth_id]
        rows.append(_line_row(order_id, len(rows) + 1, booth, 1, 0, f"{_describe(booth)}, included in {tier.name}"))
    return rows


def _line_row(order_id: str, line_no: int, item: sa.Row, quantity: int, unit_price: int, description: str) -> dict:
    return dict(order_id=order_id, line_no=line_no, item_id=item.id, kind=item.kind, description=description,
                sac_code=item.sac_code, quantity=quantity, unit_price_paise=unit_price, gst_rate_bp=item.gst_rate_bp,
                to_tax=LineToTax(description=description, sac_code=item.sac_code, quantity=quantity,
                                 unit_price_paise=unit_price, gst_rate_bp=item.gst_rate_bp,
                                 is_sponsorship=item.kind == ItemKind.SPONSORSHIP))


def _describe(item: sa.Row) -> str:
    if item.kind == ItemKind.BOOTH:
        return f"Exhibition booth {item.booth_number}, {item.hall} ({metres(item.width_m * item.depth_m)} m²)"
    if item.kind == ItemKind.SPONSORSHIP:
        return f"{item.name} sponsorship"
    return item.name


def cancel_by_buyer(wiring: Billing, *, order_id: str, registration_id: str, correlation_id: str) -> None:
    with wiring.engine.begin() as connection:
        order = repository.locked_order(connection, order_id)
        if order is None or order.registration_id != registration_id:
            raise StateConflict("No such order.")
        check_cancellable_by_buyer(OrderStatus(order.status))
        close_hold(connection, wiring, order, OrderStatus.CANCELLED, reason="cancelled by the buyer",
                   correlation_id=correlation_id)


def close_hold(connection: Connection, wiring: Billing, order: sa.Row, status: OrderStatus, *, reason: str,
               correlation_id: str, now: datetime | None = None) -> None:
    """An unpaid order ends (expired or cancelled): its items go back on sale."""
    now = now or _now()
    repository.release_hold(connection, repository.lines_of(connection, order.id))
    connection.execute(orders.update().where(orders.c.id == order.id)
                       .values(status=status.value, closed_at=now, close_reason=reason))
    if status is OrderStatus.EXPIRED:
        announcements.announce_order(connection, wiring, events.HOLD_EXPIRED, order.id, expired_at=now,
                                     correlation_id=correlation_id)
    else:
        announcements.announce_order(connection, wiring, events.ORDER_CANCELLED, order.id, cancelled_at=now,
                                     reason=reason, was_paid=False, correlation_id=correlation_id)


def expire_due_holds(wiring: Billing, *, item_ids: list[str] | None = None, limit: int = 200,
                     correlation_id: str = "hold-expiry") -> int:
    """Release holds whose time is up (all of them, or those on `item_ids`). Rows another
    transaction is working on are skipped: it is paying or releasing them right now."""
    now = _now()
    query = (sa.select(orders).where(orders.c.status.in_(repository.holding_statuses()),
                                     orders.c.hold_expires_at <= now)
             .order_by(orders.c.hold_expires_at).limit(limit).with_for_update(skip_locked=True))
    if item_ids is not None:
        query = query.where(orders.c.id.in_(sa.select(order_lines.c.order_id)
                                            .where(order_lines.c.item_id.in_(item_ids))))
    with wiring.engine.begin() as connection:
        due = connection.execute(query).all()
        for order in due:
            close_hold(connection, wiring, order, OrderStatus.EXPIRED, reason="the hold expired unpaid",
                       correlation_id=correlation_id, now=now)
    return len(due)


def remind_expiring_holds(wiring: Billing, *, limit: int = 200, correlation_id: str = "hold-reminder") -> int:
    """Tell buyers whose hold is about to run out (once per order)."""
    now = _now()
    online_soon = sa.and_(orders.c.status == OrderStatus.HELD.value,
                          orders.c.hold_expires_at <= now + timedelta(minutes=wiring.settings.hold_reminder_minutes))
    transfer_soon = sa.and_(orders.c.status == OrderStatus.AWAITING_TRANSFER.value,
                            orders.c.hold_expires_at <= now + BANK_TRANSFER_REMINDER)
    with wiring.engine.begin() as connection:
        due = connection.execute(
            sa.select(orders.c.id, orders.c.hold_expires_at)
            .where(orders.c.hold_reminded_at.is_(None), orders.c.hold_expires_at > now, sa.or_(online_soon, transfer_soon))
            .order_by(orders.c.hold_expires_at).limit(limit).with_for_update(skip_locked=True)).all()
        for order in due:
            connection.execute(orders.update().where(orders.c.id == order.id).values(hold_reminded_at=now))
            announcements.announce_order(connection, wiring, events.HOLD_EXPIRING, order.id,
                                         hold_expires_at=order.hold_expires_at, correlation_id=correlation_id)
    return len(due)


def start_checkout(wiring: Billing, *, order_id: str, registration_id: str, return_url: str,
                   cancel_url: str) -> CheckoutForm:
    """The form that takes the buyer to the gateway. The gateway order is made once per order
    and amount and reused, so a buyer who retries pays into the same one."""
    with wiring.engine.connect() as connection:
        order = repository.order_row(connection, order_id)
        if order is None or order.registration_id != registration_id:
            raise StateConflict("No such order.")
        if order.status != OrderStatus.HELD or order.hold_expires_at <= _now():
            raise StateConflict(f"This order is {order.status.replace('_', ' ')}"
                                f"{'' if order.status != OrderStatus.HELD else ' but its hold has expired'}: "
                                "it cannot be paid online now.")
        buyer = repository.buyer(connection, registration_id)
        existing = connection.execute(
            sa.select(gateway_orders).where(gateway_orders.c.order_id == order_id,
                                            gateway_orders.c.gateway == wiring.gateway.name,
                                            gateway_orders.c.amount_paise == order.payable_paise)
            .order_by(gateway_orders.c.created_at.desc()).limit(1)).first()
    if existing:
        gateway_order = GatewayOrder(existing.gateway_order_id, existing.amount_paise, existing.currency)
    else:
        gateway_order = wiring.gateway.create_order(amount_paise=order.payable_paise, currency=CURRENCY,
                                                    receipt=order.number, notes={"order_id": order_id})
        with wiring.engine.begin() as connection:
            connection.execute(gateway_orders.insert().values(
                gateway_order_id=gateway_order.gateway_order_id, gateway=wiring.gateway.name, order_id=order_id,
                amount_paise=gateway_order.amount_paise, currency=gateway_order.currency))
    return wiring.gateway.checkout_form(gateway_order, description=f"Order {order.number}",
                                        buyer_name=buyer.contact_name or buyer.legal_name,
                                        buyer_email=buyer.contact_email, return_url=return_url, cancel_url=cancel_url)
