"""What billing's pages and reports read: plain SELECTs, no writes.

Availability counts only live holds: a hold past its expiry shows its items as available
even before the worker has released it (placing an order releases it on the spot).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.engine import Connection, Engine

from services.billing.adapters import repository
from services.billing.adapters.tables import (
    buyers, catalogue_items, credit_notes, editions, gateway_callbacks, invoices, order_lines, orders, payment_flags,
    payments, refunds)


@dataclass(frozen=True)
class Offer:
    """A catalogue item as buyers and finance see it now."""

    id: str
    kind: str
    name: str
    description: str
    unit_price_paise: int
    gst_rate_bp: int
    sac_code: str
    quantity: int
    sold: int
    live_held: int
    active: bool
    matchmaking_priority: int | None
    includes_booth: bool
    hall: str | None
    booth_number: str | None
    x_m: Decimal | None
    y_m: Decimal | None
    width_m: Decimal | None
    depth_m: Decimal | None
    holder: str | None = None  # for finance: who holds or bought a booth
    holder_order_id: str | None = None

    @property
    def available(self) -> int:
        return max(self.quantity - self.sold - self.live_held, 0) if self.active else 0

    @property
    def status(self) -> str:
        if self.kind == "booth":
            if self.sold:
                return "sold"
            if self.live_held:
                return "held"
            return "available" if self.active else "withdrawn"
        if not self.active:
            return "withdrawn"
        return "available" if self.available else "sold out"

    @property
    def area_m2(self) -> Decimal | None:
        return self.width_m * self.depth_m if self.width_m is not None else None


def _paise_sum(column) -> sa.Cast:
    """SUM of a bigint is numeric in PostgreSQL: paise stay integers."""
    return sa.cast(sa.func.coalesce(sa.func.sum(column), 0), sa.BigInteger)


def _live_holds() -> sa.Subquery:
    return (sa.select(order_lines.c.item_id, sa.cast(sa.func.sum(order_lines.c.quantity), sa.Integer).label("quantity"))
            .join(orders, orders.c.id == order_lines.c.order_id)
            .where(orders.c.status.in_(repository.holding_statuses()), orders.c.hold_expires_at > sa.func.now())
            .group_by(order_lines.c.item_id).subquery())


def _booth_holders() -> sa.Subquery:
    """Who has each booth now: a paid order, or a hold still running."""
    return (sa.select(order_lines.c.item_id, buyers.c.legal_name, orders.c.id.label("order_id"))
            .join(orders, orders.c.id == order_lines.c.order_id)
            .join(buyers, buyers.c.registration_id == orders.c.registration_id)
            .where(order_lines.c.kind == "booth",
                   sa.or_(orders.c.status == "paid", sa.and_(orders.c.status.in_(repository.holding_statuses()),
                                                             orders.c.hold_expires_at > sa.func.now())))
            .ext(distinct_on(order_lines.c.item_id)).order_by(order_lines.c.item_id, orders.c.placed_at.desc()).subquery())


def catalogue(engine: Engine, edition_id: str, *, with_holders: bool = False, active_only: bool = False) -> list[Offer]:
    holds, holders = _live_holds(), _booth_holders()
    i = catalogue_items.c
    query = (sa.select(i.id, i.kind, i.name, i.description, i.unit_price_paise, i.gst_rate_bp, i.sac_code, i.quantity,
                       i.sold, sa.func.coalesce(holds.c.quantity, 0).label("live_held"), i.active,
                       i.matchmaking_priority, i.includes_booth, i.hall, i.booth_number, i.x_m, i.y_m, i.width_m,
                       i.depth_m,
                       (holders.c.legal_name if with_holders else sa.null()).label("holder"),
                       (holders.c.order_id if with_holders else sa.null()).label("holder_order_id"))
             .outerjoin(holds, holds.c.item_id == i.id)
             .outerjoin(holders, holders.c.item_id == i.id)
             .where(i.edition_id == edition_id)
             .order_by(i.kind.desc(), i.matchmaking_priority.desc().nulls_last(), i.hall, i.booth_number, i.name))
    if active_only:
        query = query.where(i.active)
    with engine.connect() as connection:
        return [Offer(**row._mapping) for row in connection.execute(query)]


def buyer_of(engine: Engine, registration_id: str) -> sa.Row | None:
    with engine.connect() as connection:
        return repository.buyer(connection, registration_id)


def item(engine: Engine, item_id: str) -> sa.Row | None:
    with engine.connect() as connection:
        return connection.execute(sa.select(catalogue_items).where(catalogue_items.c.id == item_id)).first()


def all_editions(engine: Engine) -> list[sa.Row]:
    with engine.connect() as connection:
        return connection.execute(sa.select(editions).order_by(editions.c.created_at)).all()


def editions_with_buyers_only(engine: Engine) -> list[sa.Row]:
    """Editions registration approved buyers for that billing does not sell for yet: finance's hint."""
    with engine.connect() as connection:
        return connection.execute(
            sa.select(buyers.c.edition_id, sa.func.count().label("buyers"))
            .where(buyers.c.edition_id.not_in(sa.select(editions.c.id)))
            .group_by(buyers.c.edition_id)).all()


def order_list(engine: Engine, *, registration_id: str | None = None, status: str | None = None,
               search: str | None = None, limit: int = 500) -> list[sa.Row]:
    query = (sa.select(orders, buyers.c.legal_name)
             .join(buyers, buyers.c.registration_id == orders.c.registration_id)
             .order_by(orders.c.placed_at.desc()).limit(limit))
    if registration_id:
        query = query.where(orders.c.registration_id == registration_id)
    if status:
        query = query.where(orders.c.status == status)
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(sa.or_(orders.c.number.ilike(pattern), buyers.c.legal_name.ilike(pattern),
                                   buyers.c.gstin.ilike(pattern)))
    with engine.connect() as connection:
        return connection.execute(query).all()


@dataclass(frozen=True)
class OrderDetail:
    order: sa.Row
    buyer: sa.Row
    lines: list[sa.Row]
    payments: list[sa.Row]
    refunds: list[sa.Row]
    invoices: list[sa.Row]
    credit_notes: list[sa.Row]
    flags: list[sa.Row]


def order_detail(engine: Engine, order_id: str) -> OrderDetail | None:
    with engine.connect() as connection:
        order = repository.order_row(connection, order_id)
        if order is None:
            return None
        return OrderDetail(
            order=order, buyer=repository.buyer(connection, order.registration_id),
            lines=repository.lines_of(connection, order_id),
            payments=_all(connection, sa.select(payments).where(payments.c.order_id == order_id)
                          .order_by(payments.c.created_at)),
            refunds=_all(connection, sa.select(refunds).where(refunds.c.order_id == order_id)
                         .order_by(refunds.c.requested_at)),
            invoices=_all(connection, sa.select(invoices.c.id, invoices.c.kind, invoices.c.number, invoices.c.issued_at,
                                                invoices.c.payable_paise)
                          .where(invoices.c.order_id == order_id).order_by(invoices.c.issued_at)),
            credit_notes=_all(connection, sa.select(credit_notes.c.id, credit_notes.c.number, credit_notes.c.issued_at,
                                                    credit_notes.c.refunded_paise)
                              .where(credit_notes.c.order_id == order_id).order_by(credit_notes.c.issued_at)),
            flags=_all(connection, sa.select(payment_flags).where(payment_flags.c.order_id == order_id)
                       .order_by(payment_flags.c.raised_at)))


def _all(connection: Connection, query) -> list[sa.Row]:
    return connection.execute(query).all()


def documents(engine: Engine, *, registration_id: str | None = None, limit: int = 1000) -> list[sa.Row]:
    """Tax invoices, pro-formas and credit notes, newest first, as one list."""
    invoice_rows = sa.select(invoices.c.id, invoices.c.kind, invoices.c.number, invoices.c.issued_at,
                             invoices.c.order_id, invoices.c.registration_id, invoices.c.taxable_paise,
                             invoices.c.tax_paise, invoices.c.payable_paise.label("amount_paise"))
    note_rows = sa.select(credit_notes.c.id, sa.literal("credit_note").label("kind"), credit_notes.c.number,
                          credit_notes.c.issued_at, credit_notes.c.order_id, credit_notes.c.registration_id,
                          credit_notes.c.taxable_paise, credit_notes.c.tax_paise,
                          credit_notes.c.refunded_paise.label("amount_paise"))
    if registration_id:
        invoice_rows = invoice_rows.where(invoices.c.registration_id == registration_id)
        note_rows = note_rows.where(credit_notes.c.registration_id == registration_id)
    union = sa.union_all(invoice_rows, note_rows).subquery()
    query = (sa.select(union, buyers.c.legal_name, buyers.c.gstin)
             .join(buyers, buyers.c.registration_id == union.c.registration_id)
             .order_by(union.c.issued_at.desc()).limit(limit))
    with engine.connect() as connection:
        return connection.execute(query).all()


def invoice(engine: Engine, invoice_id: str) -> sa.Row | None:
    with engine.connect() as connection:
        return connection.execute(sa.select(invoices).where(invoices.c.id == invoice_id)).first()


def credit_note(engine: Engine, note_id: str) -> sa.Row | None:
    with engine.connect() as connection:
        return connection.execute(sa.select(credit_notes).where(credit_notes.c.id == note_id)).first()


def open_flags(engine: Engine, *, include_resolved: bool = False) -> list[sa.Row]:
    query = (sa.select(payment_flags, orders.c.number.label("order_number"))
             .outerjoin(orders, orders.c.id == payment_flags.c.order_id)
             .order_by(payment_flags.c.raised_at.desc()).limit(500))
    if not include_resolved:
        query = query.where(payment_flags.c.resolved_at.is_(None))
    with engine.connect() as connection:
        return connection.execute(query).all()


def recent_payments(engine: Engine, limit: int = 300) -> list[sa.Row]:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(payments, orders.c.number.label("order_number"), buyers.c.legal_name)
            .join(orders, orders.c.id == payments.c.order_id)
            .join(buyers, buyers.c.registration_id == orders.c.registration_id)
            .order_by(payments.c.updated_at.desc()).limit(limit)).all()


def recent_callbacks(engine: Engine, limit: int = 100) -> list[sa.Row]:
    with engine.connect() as connection:
        return connection.execute(sa.select(gateway_callbacks.c.id, gateway_callbacks.c.event_id,
                                            gateway_callbacks.c.event_type, gateway_callbacks.c.received_at,
                                            gateway_callbacks.c.outcome, gateway_callbacks.c.order_id)
                                  .order_by(gateway_callbacks.c.id.desc()).limit(limit)).all()


def refund_list(engine: Engine, limit: int = 300) -> list[sa.Row]:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(refunds, orders.c.number.label("order_number"), buyers.c.legal_name)
            .join(orders, orders.c.id == refunds.c.order_id)
            .join(buyers, buyers.c.registration_id == orders.c.registration_id)
            .order_by(refunds.c.requested_at.desc()).limit(limit)).all()


RECONCILIATION_COLUMNS = ("order_number", "buyer", "status", "payable_paise", "captured_paise", "refunded_paise",
                          "invoiced_paise", "credited_paise", "problem")


def reconciliation(engine: Engine) -> list[dict]:
    """Each order that money touched: what it asks for, what the gateway or the bank captured,
    what went back, what was invoiced and credited; and what does not add up."""
    captured = (sa.select(payments.c.order_id, _paise_sum(payments.c.amount_paise).label("paise"))
                .where(payments.c.status == "captured").group_by(payments.c.order_id).subquery())
    refunded = (sa.select(refunds.c.order_id, _paise_sum(refunds.c.amount_paise).label("paise"))
                .where(refunds.c.status == "processed").group_by(refunds.c.order_id).subquery())
    invoiced = (sa.select(invoices.c.order_id, _paise_sum(invoices.c.payable_paise).label("paise"))
                .where(invoices.c.kind == "tax_invoice").group_by(invoices.c.order_id).subquery())
    credited = (sa.select(credit_notes.c.order_id, _paise_sum(credit_notes.c.refunded_paise).label("paise"))
                .group_by(credit_notes.c.order_id).subquery())
    query = (sa.select(orders.c.number, buyers.c.legal_name, orders.c.status, orders.c.payable_paise,
                       orders.c.paid_at, sa.func.coalesce(captured.c.paise, 0).label("captured"),
                       sa.func.coalesce(refunded.c.paise, 0).label("refunded"),
                       sa.func.coalesce(invoiced.c.paise, 0).label("invoiced"),
                       sa.func.coalesce(credited.c.paise, 0).label("credited"))
             .join(buyers, buyers.c.registration_id == orders.c.registration_id)
             .outerjoin(captured, captured.c.order_id == orders.c.id)
             .outerjoin(refunded, refunded.c.order_id == orders.c.id)
             .outerjoin(invoiced, invoiced.c.order_id == orders.c.id)
             .outerjoin(credited, credited.c.order_id == orders.c.id)
             .where(sa.or_(orders.c.paid_at.is_not(None), captured.c.paise.is_not(None)))
             .order_by(orders.c.placed_at))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [{"order_number": row.number, "buyer": row.legal_name, "status": row.status,
             "payable_paise": row.payable_paise, "captured_paise": row.captured, "refunded_paise": row.refunded,
             "invoiced_paise": row.invoiced, "credited_paise": row.credited, "problem": _mismatch(row)}
            for row in rows]


def _mismatch(row) -> str:
    if row.paid_at is not None and row.invoiced != row.payable_paise:
        return "paid without a matching tax invoice"
    if row.paid_at is None and row.captured:
        return "money captured for an unpaid order: refund it"
    if row.captured - row.refunded > row.payable_paise:
        return "more captured than the order is for: refund the difference"
    if row.paid_at is not None and row.refunded > row.credited and row.invoiced:
        return "refunded without a credit note for all of it"
    return ""


def revenue_by_tier(engine: Engine) -> list[sa.Row]:
    """Taxable value sold per sponsorship tier, in orders paid and not cancelled."""
    with engine.connect() as connection:
        return connection.execute(
            sa.select(catalogue_items.c.name, _paise_sum(order_lines.c.taxable_paise).label("taxable_paise"),
                      sa.func.count().label("sold"))
            .join(order_lines, order_lines.c.item_id == catalogue_items.c.id)
            .join(orders, orders.c.id == order_lines.c.order_id)
            .where(catalogue_items.c.kind == "sponsorship", orders.c.status == "paid")
            .group_by(catalogue_items.c.name, catalogue_items.c.matchmaking_priority)
            .order_by(catalogue_items.c.matchmaking_priority.desc().nulls_last())).all()


def dashboard_figures(engine: Engine) -> dict:
    with engine.connect() as connection:
        by_status = dict(connection.execute(sa.select(orders.c.status, sa.func.count()).group_by(orders.c.status)).all())
        revenue = connection.execute(sa.select(_paise_sum(orders.c.payable_paise - orders.c.refunded_paise))
                                     .where(orders.c.paid_at.is_not(None))).scalar()
        flags = connection.execute(sa.select(sa.func.count()).where(payment_flags.c.resolved_at.is_(None))).scalar()
        buyers_count = connection.execute(sa.select(sa.func.count()).where(buyers.c.approved)).scalar()
    return {"orders_by_status": by_status, "revenue_paise": revenue, "open_flags": flags, "buyers": buyers_count}
