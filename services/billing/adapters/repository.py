"""Reading and writing billing's rows with SQLAlchemy Core, inside the caller's transaction.

Inventory moves by conditional updates of an item's `held` and `sold` counters: the WHERE
clause refuses what would exceed the quantity (and the table's CHECK backs it), and rows are
always touched in item-id order, so concurrent orders queue on the row locks instead of
deadlocking.
"""
from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection

from services.billing.adapters.tables import (
    buyers, catalogue_items, document_sequences, editions, gateway_orders, order_lines, orders, payment_flags, payments,
    refunds)
from services.billing.domain.orders import HOLDING

# Order numbers people read aloud on the phone: no 0/O, 1/I/L.
_ORDER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_order_number() -> str:
    return "ORD-" + "".join(secrets.choice(_ORDER_ALPHABET) for _ in range(8))


def edition(connection: Connection, edition_id: str) -> sa.Row | None:
    return connection.execute(sa.select(editions).where(editions.c.id == edition_id)).first()


def buyer(connection: Connection, registration_id: str) -> sa.Row | None:
    return connection.execute(sa.select(buyers).where(buyers.c.registration_id == registration_id)).first()


def items_by_id(connection: Connection, item_ids: Iterable[str]) -> dict[str, sa.Row]:
    ids = list(item_ids)
    if not ids:
        return {}
    return {row.id: row for row in connection.execute(sa.select(catalogue_items).where(catalogue_items.c.id.in_(ids)))}


def locked_order(connection: Connection, order_id: str) -> sa.Row | None:
    return connection.execute(sa.select(orders).where(orders.c.id == order_id).with_for_update()).first()


def order_row(connection: Connection, order_id: str) -> sa.Row | None:
    return connection.execute(sa.select(orders).where(orders.c.id == order_id)).first()


def lines_of(connection: Connection, order_id: str) -> list[sa.Row]:
    return connection.execute(sa.select(order_lines).where(order_lines.c.order_id == order_id)
                              .order_by(order_lines.c.line_no)).all()


def _quantities(lines: Iterable) -> list[tuple[str, int]]:
    """(item id, quantity) in item-id order: the one order in which item rows are locked."""
    return sorted((line.item_id, line.quantity) for line in lines)


def _move(connection: Connection, lines: Iterable, *, held: int, sold: int, guarded: bool) -> str | None:
    """Add `held`/`sold` times each line's quantity to its item; returns the first item that
    had too little left (when `guarded`), having changed nothing the caller should keep."""
    c = catalogue_items.c
    for item_id, quantity in _quantities(lines):
        statement = (catalogue_items.update().where(c.id == item_id)
                     .values(held=c.held + held * quantity, sold=c.sold + sold * quantity))
        if guarded:
            statement = statement.where(c.held + c.sold + quantity <= c.quantity)
        if connection.execute(statement.returning(c.id)).first() is None:
            return item_id
    return None


def hold(connection: Connection, lines: Iterable) -> str | None:
    """Reserve each line's quantity; the id of an item that is not available, if any."""
    return _move(connection, lines, held=1, sold=0, guarded=True)


def release_hold(connection: Connection, lines: Iterable) -> None:
    _move(connection, lines, held=-1, sold=0, guarded=False)


def sell_held(connection: Connection, lines: Iterable) -> None:
    _move(connection, lines, held=-1, sold=1, guarded=False)


def sell_again(connection: Connection, lines: Iterable) -> str | None:
    """Sell items whose hold was released: the id of one somebody else took meanwhile, if any."""
    return _move(connection, lines, held=0, sold=1, guarded=True)


def release_sold(connection: Connection, lines: Iterable) -> None:
    _move(connection, lines, held=0, sold=-1, guarded=False)


def next_document_number(connection: Connection, series: str, financial_year: str) -> int:
    """The next number of a series, allocated in the caller's transaction: a rollback returns it,
    and the row lock makes concurrent issuers take turns, so numbers have no gaps and no repeats."""
    statement = insert(document_sequences).values(series=series, financial_year=financial_year, last_number=1)
    return connection.execute(statement.on_conflict_do_update(
        index_elements=["series", "financial_year"],
        set_={"last_number": document_sequences.c.last_number + 1}).returning(document_sequences.c.last_number)).scalar()


def raise_flag(connection: Connection, kind: str, message: str, *, order_id: str | None = None,
               callback_id: int | None = None) -> str:
    flag_id = str(uuid.uuid4())
    connection.execute(payment_flags.insert().values(id=flag_id, kind=kind, message=message, order_id=order_id,
                                                     callback_id=callback_id))
    return flag_id


@dataclass(frozen=True)
class GatewayOrderOf:
    gateway_order_id: str
    order_id: str
    amount_paise: int
    currency: str
    order: sa.Row | None  # our order, locked, when asked for


_GATEWAY_ORDER_COLUMNS = [gateway_orders.c.gateway_order_id, gateway_orders.c.order_id,
                          gateway_orders.c.amount_paise.label("gateway_amount_paise"), gateway_orders.c.currency]
# Built once, run with a parameter: every gateway callback asks this.
_GATEWAY_ORDER = sa.select(*_GATEWAY_ORDER_COLUMNS).where(gateway_orders.c.gateway_order_id == sa.bindparam("id"))
_GATEWAY_ORDER_LOCKING_ORDER = (
    sa.select(*_GATEWAY_ORDER_COLUMNS, *orders.c).join(orders, orders.c.id == gateway_orders.c.order_id)
    .where(gateway_orders.c.gateway_order_id == sa.bindparam("id")).with_for_update(of=orders))


def gateway_order(connection: Connection, gateway_order_id: str | None, *,
                  lock_order: bool = False) -> GatewayOrderOf | None:
    """The gateway order and (with `lock_order`) our order it collects for, locked, in one round trip."""
    if not gateway_order_id:
        return None
    row = connection.execute(_GATEWAY_ORDER_LOCKING_ORDER if lock_order else _GATEWAY_ORDER,
                             {"id": gateway_order_id}).first()
    if row is None:
        return None
    # The joined row reads as the order too (row.status, row.number...): no second query.
    return GatewayOrderOf(row.gateway_order_id, row.order_id, row.gateway_amount_paise, row.currency,
                          row if lock_order else None)


def locked_payment(connection: Connection, payment_id: str) -> sa.Row | None:
    return connection.execute(sa.select(payments).where(payments.c.id == payment_id).with_for_update()).first()


def payment_by_gateway_id(connection: Connection, gateway_payment_id: str, *, lock: bool = False) -> sa.Row | None:
    query = sa.select(payments).where(payments.c.gateway_payment_id == gateway_payment_id)
    return connection.execute(query.with_for_update() if lock else query).first()


def refunded_or_pending(connection: Connection, payment_id: str) -> int:
    """What of a payment is already refunded or on its way back."""
    return int(connection.execute(sa.select(sa.func.coalesce(sa.func.sum(refunds.c.amount_paise), 0)).where(
        refunds.c.payment_id == payment_id, refunds.c.status.in_(["requested", "pending", "processed"]))).scalar())


def holding_statuses() -> list[str]:
    return [status.value for status in HOLDING]
