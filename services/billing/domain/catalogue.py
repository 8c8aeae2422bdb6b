"""What an edition sells: sponsorship tiers, exhibition booths and branding items.

Each item has a price in paise, a GST rate and a SAC code, and a quantity that can be sold:
a tier's number of sponsors, a branding item's units, a booth exactly one. Booths also have
a place on their hall's floor plan (position and size in metres).
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from decimal import Decimal

from shared.errors import InvalidFields


class ItemKind(enum.StrEnum):
    SPONSORSHIP = "sponsorship"
    BOOTH = "booth"
    BRANDING = "branding"


# Services Accounting Codes: sponsorship services; organisation of trade fairs and
# exhibitions (a booth); sale of advertising space in print and other media (branding).
DEFAULT_SAC = {ItemKind.SPONSORSHIP: "998397", ItemKind.BOOTH: "998596", ItemKind.BRANDING: "998366"}
STANDARD_GST_RATE_BP = 1800
_SAC = re.compile(r"^99\d{4}$")
MAX_PRICE_PAISE = 100_000_000_00  # ₹10 crore: anything above is a typing slip


@dataclass(frozen=True)
class BoothPlace:
    hall: str
    booth_number: str
    x_m: Decimal
    y_m: Decimal
    width_m: Decimal
    depth_m: Decimal

    @property
    def area_m2(self) -> Decimal:
        return self.width_m * self.depth_m


def metres(value: Decimal) -> str:
    """A length or area as people write it: 9, 7.5 (never 9.0000)."""
    return f"{value.normalize():f}"


@dataclass(frozen=True)
class CatalogueItem:
    kind: ItemKind
    name: str
    unit_price_paise: int
    quantity: int
    gst_rate_bp: int = STANDARD_GST_RATE_BP
    sac_code: str = ""
    description: str = ""
    matchmaking_priority: int | None = None  # sponsorship tiers: higher is scheduled first
    includes_booth: bool = False  # sponsorship tiers: the sponsor also picks a booth, at no charge
    booth: BoothPlace | None = None
    id: str | None = field(default=None, compare=False)

    @property
    def effective_sac(self) -> str:
        return self.sac_code or DEFAULT_SAC[self.kind]


def check_item(item: CatalogueItem) -> CatalogueItem:
    """The item, if it can be sold as described; else InvalidFields naming each problem."""
    errors: dict[str, list[str]] = {}

    def problem(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not 0 <= item.unit_price_paise <= MAX_PRICE_PAISE:
        problem("unit_price_paise", "Must be between 0 and 10 crore rupees, in paise.")
    if not 0 <= item.gst_rate_bp <= 2800:
        problem("gst_rate_bp", "Must be a GST rate between 0 and 2800 basis points (28%).")
    if item.sac_code and not _SAC.match(item.sac_code):
        problem("sac_code", "A SAC code for services is six digits starting with 99.")
    if item.kind is ItemKind.BOOTH:
        if item.quantity != 1:
            problem("quantity", "A booth is one place: its quantity is 1.")
        if item.booth is None:
            problem("booth", "A booth needs its hall, number, position and size.")
        elif item.booth.width_m <= 0 or item.booth.depth_m <= 0:
            problem("booth", "A booth's width and depth must be above zero.")
        elif item.booth.x_m < 0 or item.booth.y_m < 0:
            problem("booth", "A booth's position is measured from the hall's corner: zero or more.")
    elif item.booth is not None:
        problem("booth", "Only booths have a place on the floor plan.")
    if not 0 <= item.quantity <= 10_000:
        problem("quantity", "Must be between 0 and 10,000.")
    if item.kind is ItemKind.SPONSORSHIP:
        if item.matchmaking_priority is None or item.matchmaking_priority < 0:
            problem("matchmaking_priority", "A tier's matchmaking priority is a whole number, 0 or more.")
    elif item.matchmaking_priority is not None or item.includes_booth:
        problem("kind", "Matchmaking priority and an included booth are benefits of sponsorship tiers.")
    if errors:
        raise InvalidFields(errors)
    return item
