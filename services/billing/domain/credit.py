"""How a refund is credited against the lines of the invoice it reverses (a credit note).

A refund is money: the part of what the buyer paid that goes back. It is spread over the
invoice's lines in proportion to what is still creditable on each (largest remainder, so
the parts add up to the paisa), and each line's part is split back into taxable value and
tax at that line's rate, rounding the taxable value half up. A line credited in full gets
exactly what remains of its own amounts, so a series of partial refunds ends at zero on
every line. On a reverse-charge line the buyer paid only the taxable value, so that is what
is credited; the tax shown beside it is the part of the buyer's own reverse-charge tax that
the credit note cancels.
"""
from __future__ import annotations

from dataclasses import dataclass

from services.billing.domain.money import round_half_up
from services.billing.domain.tax import BASIS_POINTS, tax_on


@dataclass(frozen=True)
class LineAmounts:
    line_no: int
    description: str
    sac_code: str
    gst_rate_bp: int
    reverse_charge: bool
    taxable_paise: int
    cgst_paise: int
    sgst_paise: int
    igst_paise: int

    @property
    def tax_paise(self) -> int:
        return self.cgst_paise + self.sgst_paise + self.igst_paise

    @property
    def paid_paise(self) -> int:
        """What the buyer paid for these amounts: the tax only when it was not on reverse charge."""
        return self.taxable_paise + (0 if self.reverse_charge else self.tax_paise)


@dataclass(frozen=True)
class CreditableLine(LineAmounts):
    """One invoice line, with what earlier credit notes left of it."""

    intra_state: bool = True


@dataclass(frozen=True)
class CreditedLine(LineAmounts):
    """What one credit note takes from one invoice line; `paid_paise` is what goes back."""


class NothingToCredit(ValueError):
    """The refund exceeds what the invoice still has to credit."""


def allocate(amount: int, weights: list[int]) -> list[int]:
    """`amount` split in proportion to `weights`, the parts summing exactly to `amount`."""
    total = sum(weights)
    if total <= 0:
        raise NothingToCredit("nothing is left to credit")
    shares = [amount * weight // total for weight in weights]
    leftovers = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i))
    for index in leftovers[:amount - sum(shares)]:
        shares[index] += 1
    return shares


def credit_lines(lines: list[CreditableLine], refund_paise: int) -> list[CreditedLine]:
    if refund_paise <= 0:
        raise ValueError("a refund is a positive amount")
    creditable = sum(line.paid_paise for line in lines)
    if refund_paise > creditable:
        raise NothingToCredit(f"the refund ({refund_paise} paise) exceeds what is left to credit ({creditable} paise)")
    credited = []
    for line, share in zip(lines, allocate(refund_paise, [line.paid_paise for line in lines])):
        if share:
            credited.append(_credit_one(line, share))
    return credited


def _credit_one(line: CreditableLine, share: int) -> CreditedLine:
    def made(taxable: int, cgst: int, sgst: int, igst: int) -> CreditedLine:
        return CreditedLine(line_no=line.line_no, description=line.description, sac_code=line.sac_code,
                            gst_rate_bp=line.gst_rate_bp, reverse_charge=line.reverse_charge, taxable_paise=taxable,
                            cgst_paise=cgst, sgst_paise=sgst, igst_paise=igst)

    if share == line.paid_paise:
        return made(line.taxable_paise, line.cgst_paise, line.sgst_paise, line.igst_paise)
    if line.reverse_charge:
        cgst, sgst, igst = tax_on(share, line.gst_rate_bp, intra_state=line.intra_state)
        return made(share, min(cgst, line.cgst_paise), min(sgst, line.sgst_paise), min(igst, line.igst_paise))
    taxable = min(round_half_up(share * BASIS_POINTS, BASIS_POINTS + line.gst_rate_bp), line.taxable_paise)
    tax = share - taxable
    if tax > line.tax_paise:
        taxable, tax = taxable + tax - line.tax_paise, line.tax_paise
    if line.intra_state:
        cgst = min(tax - tax // 2, line.cgst_paise)
        return made(taxable, cgst, tax - cgst, 0)
    return made(taxable, 0, 0, tax)
