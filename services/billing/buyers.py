"""Billing's copy of who may buy (and of the editions they buy for), kept from registration's
events: each handler runs inside the consumer's transaction, beside the processed-event mark.

An approval makes an organisation a buyer with what invoices need; an update keeps that
current (and a change that sends the registration back to vetting stops its buying until it
is approved again); a cancellation ends it and releases its unpaid holds; an erasure forgets
the contact person. Invoices already issued keep their snapshot: they are tax records.
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection

from services.billing import catalogue, contracts, ordering
from services.billing.adapters import repository
from services.billing.adapters.tables import buyers, orders, revoked_subjects
from services.billing.bootstrap import Billing
from services.billing.domain.orders import OrderStatus
from services.billing.domain.payments import FlagKind
from shared.consumer import Handler, ReceivedEvent
from shared.revocation import ACCESS_REVOKED, access_revoked_handler

APPROVED = "approved"


def keep_buyer(connection: Connection, data: dict, *, approved: bool, known_only: bool = False) -> None:
    """Write the organisation as registration last described it. With `known_only`, only an
    organisation billing already knows (an update to someone never approved is not ours)."""
    organisation, contact = data["organisation"], data["contact"]
    registration_id = str(data["registration_id"])
    if known_only and repository.buyer(connection, registration_id) is None:
        return
    values = dict(edition_id=str(data["edition_id"]), reference=data["reference"], approved=approved,
                  legal_name=organisation["legal_name"], organisation_type=organisation["type"],
                  country=organisation["country"], state=organisation["state"], gstin=organisation["gstin"],
                  address=organisation["address"], city=organisation["city"], postal_code=organisation["postal_code"],
                  contact_person_id=str(contact["delegate_id"]), contact_name=contact["full_name"],
                  contact_email=contact["email"], updated_at=datetime.now(timezone.utc))
    statement = insert(buyers).values(registration_id=registration_id, **values)
    connection.execute(statement.on_conflict_do_update(index_elements=["registration_id"], set_=values))


def end_buying(connection: Connection, wiring: Billing, event: ReceivedEvent) -> None:
    """The registration is cancelled: no more orders, unpaid holds released, paid orders to finance."""
    keep_buyer(connection, event.data, approved=False, known_only=True)
    registration_id = str(event.data["registration_id"])
    for order in connection.execute(sa.select(orders).where(orders.c.registration_id == registration_id)
                                    .with_for_update()).all():
        if order.status in repository.holding_statuses():
            ordering.close_hold(connection, wiring, order, OrderStatus.CANCELLED,
                                reason="the organisation's registration was cancelled",
                                correlation_id=event.correlation_id)
        elif order.status == OrderStatus.PAID:
            repository.raise_flag(connection, FlagKind.BUYER_CANCELLED_REGISTRATION,
                                  f"Order {order.number} is paid, but the organisation cancelled its registration: "
                                  "decide whether to refund and cancel it.", order_id=order.id)


def forget_contact(connection: Connection, event: ReceivedEvent) -> None:
    person_id = str(event.data["person_id"])
    connection.execute(buyers.update().where(buyers.c.contact_person_id == person_id)
                       .values(contact_person_id=None, contact_name=None, contact_email=None))


def handlers(wiring: Billing) -> dict[str, Handler]:
    return {
        contracts.REGISTRATION_APPROVED: lambda connection, event: keep_buyer(connection, event.data, approved=True),
        contracts.REGISTRATION_UPDATED: lambda connection, event: keep_buyer(
            connection, event.data, approved=event.data["status"] == APPROVED,
            known_only=event.data["status"] != APPROVED),
        contracts.REGISTRATION_CANCELLED: lambda connection, event: end_buying(connection, wiring, event),
        contracts.PERSONAL_DATA_ERASED: forget_contact,
        contracts.EDITION_SAVED: lambda connection, event: catalogue.keep_edition(
            connection, str(event.data["edition_id"]), event.data["name"]),
        ACCESS_REVOKED: access_revoked_handler(revoked_subjects),
    }
