"""An order's life: held for a while, then paid, expired or cancelled; refunds come after.

    held ----------> paid ---(refund with cancellation)--> cancelled
     |  \\             ^
     |   expired -----'  (a payment arriving late is honoured if the items are still free)
     cancelled (by the buyer, before paying)
    awaiting_transfer (bank transfer against a pro-forma invoice) behaves like held.
"""
from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass

from services.billing.domain.catalogue import ItemKind
from shared.errors import InvalidFields, StateConflict


class OrderStatus(enum.StrEnum):
    HELD = "held"
    AWAITING_TRANSFER = "awaiting_transfer"
    PAID = "paid"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


HOLDING = frozenset({OrderStatus.HELD, OrderStatus.AWAITING_TRANSFER})  # inventory reserved, not sold


class PaymentMethod(enum.StrEnum):
    GATEWAY = "gateway"
    BANK_TRANSFER = "bank_transfer"


@dataclass(frozen=True)
class RequestedLine:
    item_id: str
    quantity: int


@dataclass(frozen=True)
class OfferedItem:
    """What the order rules need to know of a catalogue item."""

    id: str
    kind: ItemKind
    name: str
    edition_id: str
    active: bool
    includes_booth: bool


def check_request(lines: list[RequestedLine], items: dict[str, OfferedItem], *, edition_id: str,
                  included_booth_id: str | None) -> None:
    """Refuse an order that cannot be placed as asked, naming each problem."""
    errors: dict[str, list[str]] = {}
    if not lines:
        errors["lines"] = ["Choose at least one item."]
    counts = Counter(line.item_id for line in lines)
    if any(count > 1 for count in counts.values()):
        errors.setdefault("lines", []).append("List each item once, with its quantity.")
    for index, line in enumerate(lines):
        item = items.get(line.item_id)
        where = f"lines.{index}"
        if item is None or item.edition_id != edition_id or not item.active:
            errors[where] = ["This item is not on sale for your edition."]
        elif line.quantity < 1:
            errors[where] = ["The quantity is at least 1."]
        elif item.kind in (ItemKind.SPONSORSHIP, ItemKind.BOOTH) and line.quantity != 1:
            errors[where] = [f"{item.name}: one per order."]
    wants_booth = [items[l.item_id] for l in lines if l.item_id in items and items[l.item_id].includes_booth]
    if wants_booth and not included_booth_id:
        errors["included_booth_id"] = [f"{wants_booth[0].name} includes a booth: pick one on the floor plan."]
    if included_booth_id and not wants_booth:
        errors["included_booth_id"] = ["Only a sponsorship tier that includes a booth comes with a free one."]
    if included_booth_id and wants_booth:
        booth = items.get(included_booth_id)
        if booth is None or booth.kind is not ItemKind.BOOTH or booth.edition_id != edition_id or not booth.active:
            errors["included_booth_id"] = ["Pick one of this edition's booths."]
        elif included_booth_id in counts:
            errors["included_booth_id"] = ["This booth is already in the order."]
    if errors:
        raise InvalidFields(errors)


def check_cancellable_by_buyer(status: OrderStatus) -> None:
    if status not in HOLDING:
        raise StateConflict(f"This order is {status.replace('_', ' ')}: only an unpaid order can be cancelled here; "
                            "ask the organisers for a refund.")
