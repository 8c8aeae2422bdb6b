"""The events billing records in its outbox, built from its rows inside the use case's transaction.

Every order event carries the order's snapshot (`OrderV1`), so a consumer needs nothing
else to email the buyer. Links to documents are signed here, with their expiry.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.billing import events
from services.billing.adapters import repository
from services.billing.adapters.tables import outbox
from services.billing.bootstrap import Billing
from services.billing.domain.tax import TaxedLine
from shared.outbox import record_event


def announce(connection: Connection, wiring: Billing, event_type: str, subject: str, data: dict[str, Any], *,
             correlation_id: str) -> None:
    record_event(connection, outbox, topic=events.EVENTS_TOPIC, correlation_id=correlation_id,
                 envelope=wiring.contracts.create(event_type, subject, data))


def order_url(wiring: Billing, order_id: str) -> str:
    return f"{wiring.settings.public_url}/me/orders/{order_id}"


def document_link(wiring: Billing, kind: str, document_id: str, now: datetime) -> tuple[str, datetime]:
    """A download link that works without signing in until it expires; `kind` is
    "invoices" or "credit-notes"."""
    expires_at = now + timedelta(days=wiring.settings.document_link_days)
    query = wiring.links.query(kind, document_id, expires_at)
    return f"{wiring.settings.public_url}/documents/{kind}/{document_id}.pdf?{query}", expires_at


@dataclass(frozen=True)
class OrderFacts:
    """An order with its buyer and lines, read once per transaction and shared by its events."""

    order: sa.Row
    buyer: sa.Row
    lines: list[sa.Row]


def order_facts(connection: Connection, order_id: str) -> OrderFacts:
    order = repository.order_row(connection, order_id)
    return OrderFacts(order, repository.buyer(connection, order.registration_id), repository.lines_of(connection, order_id))


def order_snapshot(wiring: Billing, facts: OrderFacts) -> dict[str, Any]:
    order, buyer = facts.order, facts.buyer
    return {
        "order_id": order.id, "order_number": order.number, "edition_id": order.edition_id,
        "registration_id": order.registration_id,
        "buyer": {"legal_name": buyer.legal_name, "gstin": buyer.gstin, "contact_name": buyer.contact_name,
                  "contact_email": buyer.contact_email},
        "lines": [{"description": line.description, "kind": line.kind, "quantity": line.quantity,
                   "payable_paise": line_payable(line)} for line in facts.lines],
        "currency": "INR", "taxable_paise": order.taxable_paise, "tax_paise": order.tax_paise,
        "payable_paise": order.payable_paise, "payment_method": order.payment_method,
        "order_url": order_url(wiring, order.id),
    }


def line_payable(line: sa.Row) -> int:
    return TaxedLine(description=line.description, sac_code=line.sac_code, quantity=line.quantity,
                     unit_price_paise=line.unit_price_paise, gst_rate_bp=line.gst_rate_bp,
                     taxable_paise=line.taxable_paise, cgst_paise=line.cgst_paise, sgst_paise=line.sgst_paise,
                     igst_paise=line.igst_paise, reverse_charge=line.reverse_charge).payable_paise


def announce_order(connection: Connection, wiring: Billing, event_type: str, order: str | OrderFacts, *,
                   correlation_id: str, **extra: Any) -> None:
    """An order event: the order's snapshot plus `extra`. `order` is its id, or its facts already read."""
    facts = order if isinstance(order, OrderFacts) else order_facts(connection, order)
    announce(connection, wiring, event_type, facts.order.id, {**order_snapshot(wiring, facts), **extra},
             correlation_id=correlation_id)


def announce_benefits(connection: Connection, wiring: Billing, facts: OrderFacts, *, granted: bool, at: datetime,
                      reason: str, correlation_id: str) -> None:
    """Sponsorships confirmed and booths allocated when an order is paid; withdrawn and released
    when it is cancelled. Keyed by registration id: one organisation's benefits stay in order."""
    order, buyer = facts.order, facts.buyer
    beneficial = [line for line in facts.lines if line.kind in ("sponsorship", "booth")]
    items = repository.items_by_id(connection, [line.item_id for line in beneficial])
    for line in beneficial:
        item = items[line.item_id]
        common = {"edition_id": order.edition_id, "registration_id": order.registration_id, "order_id": order.id}
        if item.kind == "sponsorship":
            if granted:
                data = {**common, "tier_id": item.id, "tier_name": item.name,
                        "matchmaking_priority": item.matchmaking_priority or 0, "confirmed_at": at}
                announce(connection, wiring, events.SPONSORSHIP_CONFIRMED, order.registration_id, data,
                         correlation_id=correlation_id)
            else:
                data = {**common, "tier_id": item.id, "withdrawn_at": at, "reason": reason}
                announce(connection, wiring, events.SPONSORSHIP_WITHDRAWN, order.registration_id, data,
                         correlation_id=correlation_id)
        else:
            data = {**common, "booth_id": item.id, "hall": item.hall, "booth_number": item.booth_number,
                    "area_m2": item.width_m * item.depth_m, "legal_name": buyer.legal_name, "at": at}
            announce(connection, wiring, events.BOOTH_ALLOCATED if granted else events.BOOTH_RELEASED,
                     order.registration_id, data, correlation_id=correlation_id)
