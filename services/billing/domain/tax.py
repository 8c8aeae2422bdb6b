"""GST on what billing sells: who supplies, where the supply takes place, and the tax per line.

The rules, as our invoices state them:

* Place of supply (IGST Act s.12(7), organising an event): a registered buyer's state (the
  GST state code that opens its GSTIN); for an unregistered buyer, the state where the
  event is held.
* Same state as the supplier: CGST and SGST, each half the rate; otherwise IGST at the rate.
* Rounding: each tax amount of each line is rounded to the nearest paisa, halves up; an
  invoice's totals are the sums of its lines, never rounded again. CGST + SGST can thus be
  one paisa above IGST on the same taxable value.
* Reverse charge (notification 13/2017-Central Tax (Rate), sponsorship services): when the
  supplier is a society, trust or government body and the buyer a body corporate or
  partnership firm, the buyer pays the GST on sponsorship lines to the government. The
  invoice still shows that tax, marked as payable on reverse charge, and the buyer pays us
  only the taxable value of those lines.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from services.billing.domain.money import round_half_up
from services.billing.domain.states import GstState, state_by_key, state_of_gstin

BASIS_POINTS = 10_000  # a rate of 18% is 1800 basis points


class LegalForm(enum.StrEnum):
    COMPANY = "company"
    LLP = "llp"
    PARTNERSHIP = "partnership"
    SOCIETY = "society"
    TRUST = "trust"
    GOVERNMENT = "government"


# Suppliers whose sponsorship services a body corporate pays the GST on (reverse charge).
REVERSE_CHARGE_SUPPLIER_FORMS = frozenset({LegalForm.SOCIETY, LegalForm.TRUST, LegalForm.GOVERNMENT})
# A GSTIN carries its holder's PAN from the third character; the PAN's fourth character
# says who holds it: C a company, F a firm or LLP (both "body corporate or partnership firm").
_BODY_CORPORATE_PAN_HOLDERS = frozenset("CF")


@dataclass(frozen=True)
class Supplier:
    legal_name: str
    gstin: str
    address: str
    legal_form: LegalForm

    @property
    def state(self) -> GstState:
        return state_of_gstin(self.gstin)


@dataclass(frozen=True)
class Buyer:
    legal_name: str
    gstin: str | None
    address: str
    state_key: str | None  # None for a buyer outside India
    country: str

    @property
    def is_body_corporate(self) -> bool:
        return bool(self.gstin) and self.gstin[5] in _BODY_CORPORATE_PAN_HOLDERS


def place_of_supply(buyer: Buyer, venue_state_key: str) -> GstState:
    if buyer.gstin:
        return state_of_gstin(buyer.gstin)
    return state_by_key(venue_state_key)


def reverse_charge_applies(is_sponsorship: bool, supplier: Supplier, buyer: Buyer) -> bool:
    return is_sponsorship and supplier.legal_form in REVERSE_CHARGE_SUPPLIER_FORMS and buyer.is_body_corporate


@dataclass(frozen=True)
class LineToTax:
    description: str
    sac_code: str
    quantity: int
    unit_price_paise: int
    gst_rate_bp: int
    is_sponsorship: bool


@dataclass(frozen=True)
class TaxedLine:
    description: str
    sac_code: str
    quantity: int
    unit_price_paise: int
    gst_rate_bp: int
    taxable_paise: int
    cgst_paise: int
    sgst_paise: int
    igst_paise: int
    reverse_charge: bool

    @property
    def tax_paise(self) -> int:
        return self.cgst_paise + self.sgst_paise + self.igst_paise

    @property
    def payable_paise(self) -> int:
        """What the buyer pays us for this line: the tax only when we, not they, pay it over."""
        return self.taxable_paise + (0 if self.reverse_charge else self.tax_paise)


def tax_on(taxable_paise: int, gst_rate_bp: int, *, intra_state: bool) -> tuple[int, int, int]:
    """(CGST, SGST, IGST) on one line's taxable value, each rounded half up to the paisa."""
    if intra_state:
        half = round_half_up(taxable_paise * gst_rate_bp, 2 * BASIS_POINTS)
        return half, half, 0
    return 0, 0, round_half_up(taxable_paise * gst_rate_bp, BASIS_POINTS)


def tax_line(line: LineToTax, *, intra_state: bool, reverse_charge: bool) -> TaxedLine:
    taxable = line.quantity * line.unit_price_paise
    cgst, sgst, igst = tax_on(taxable, line.gst_rate_bp, intra_state=intra_state)
    return TaxedLine(description=line.description, sac_code=line.sac_code, quantity=line.quantity,
                     unit_price_paise=line.unit_price_paise, gst_rate_bp=line.gst_rate_bp, taxable_paise=taxable,
                     cgst_paise=cgst, sgst_paise=sgst, igst_paise=igst, reverse_charge=reverse_charge)


@dataclass(frozen=True)
class Totals:
    taxable_paise: int
    cgst_paise: int
    sgst_paise: int
    igst_paise: int
    reverse_charge_tax_paise: int  # shown on the invoice, paid to the government by the buyer
    payable_paise: int

    @property
    def tax_paise(self) -> int:
        return self.cgst_paise + self.sgst_paise + self.igst_paise


def totals_of(lines: Iterable[TaxedLine]) -> Totals:
    lines = list(lines)
    return Totals(taxable_paise=sum(line.taxable_paise for line in lines),
                  cgst_paise=sum(line.cgst_paise for line in lines),
                  sgst_paise=sum(line.sgst_paise for line in lines),
                  igst_paise=sum(line.igst_paise for line in lines),
                  reverse_charge_tax_paise=sum(line.tax_paise for line in lines if line.reverse_charge),
                  payable_paise=sum(line.payable_paise for line in lines))


@dataclass(frozen=True)
class PricedOrder:
    place_of_supply: GstState
    intra_state: bool
    lines: tuple[TaxedLine, ...]
    totals: Totals

    @property
    def reverse_charge(self) -> bool:
        return any(line.reverse_charge for line in self.lines)


def price_order(lines: Iterable[LineToTax], *, supplier: Supplier, buyer: Buyer, venue_state_key: str) -> PricedOrder:
    supply = place_of_supply(buyer, venue_state_key)
    intra_state = supply.gst_code == supplier.state.gst_code
    taxed = tuple(tax_line(line, intra_state=intra_state,
                           reverse_charge=reverse_charge_applies(line.is_sponsorship, supplier, buyer))
                  for line in lines)
    return PricedOrder(place_of_supply=supply, intra_state=intra_state, lines=taxed, totals=totals_of(taxed))
