"""How refunds are credited against an invoice's lines."""
from __future__ import annotations

import pytest

from services.billing.domain.credit import CreditableLine, NothingToCredit, allocate, credit_lines
from services.billing.domain.money import round_half_up


def invoice_line(line_no: int, taxable: int, *, intra: bool = True, rate_bp: int = 1800,
                 reverse_charge: bool = False) -> CreditableLine:
    half = (taxable * rate_bp * 2 + 20_000) // 40_000
    full = (taxable * rate_bp * 2 + 10_000) // 20_000
    return CreditableLine(line_no=line_no, description=f"line {line_no}", sac_code="998596", gst_rate_bp=rate_bp,
                          reverse_charge=reverse_charge, intra_state=intra, taxable_paise=taxable,
                          cgst_paise=half if intra else 0, sgst_paise=half if intra else 0,
                          igst_paise=0 if intra else full)


def remaining_after(lines: list[CreditableLine], credited) -> list[CreditableLine]:
    by_line = {c.line_no: c for c in credited}
    result = []
    for line in lines:
        c = by_line.get(line.line_no)
        if c is None:
            result.append(line)
            continue
        result.append(CreditableLine(**{**line.__dict__, "taxable_paise": line.taxable_paise - c.taxable_paise,
                                        "cgst_paise": line.cgst_paise - c.cgst_paise,
                                        "sgst_paise": line.sgst_paise - c.sgst_paise,
                                        "igst_paise": line.igst_paise - c.igst_paise}))
    return result


def test_allocation_is_proportional_and_adds_up_to_the_paisa():
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert sum(allocate(1_000_01, [3, 7, 11])) == 1_000_01


def test_a_full_refund_credits_exactly_what_the_invoice_charged():
    lines = [invoice_line(1, 5_00_000_00), invoice_line(2, 1_00_000_33)]
    total = sum(line.paid_paise for line in lines)
    credited = credit_lines(lines, total)
    assert [(c.taxable_paise, c.cgst_paise, c.sgst_paise) for c in credited] == [
        (l.taxable_paise, l.cgst_paise, l.sgst_paise) for l in lines]


def test_partial_refunds_split_taxable_and_tax_and_end_at_zero_on_every_line():
    lines = [invoice_line(1, 2_00_000_00, intra=False), invoice_line(2, 33_333, intra=False)]
    total = sum(line.paid_paise for line in lines)
    first = credit_lines(lines, 1_00_000_00)
    assert sum(c.paid_paise for c in first) == 1_00_000_00
    line_one = next(c for c in first if c.line_no == 1)
    assert abs(line_one.igst_paise - round_half_up(line_one.taxable_paise * 1800, 10_000)) <= 1
    left = remaining_after(lines, first)
    second = credit_lines(left, total - 1_00_000_00)
    assert all(line.taxable_paise == line.igst_paise == 0 for line in remaining_after(left, second))


def test_a_reverse_charge_line_credits_only_the_taxable_value_the_buyer_paid():
    lines = [invoice_line(1, 5_00_000_00, reverse_charge=True), invoice_line(2, 1_00_000_00)]
    assert lines[0].paid_paise == 5_00_000_00
    credited = credit_lines(lines, 3_00_000_00)
    rc = next(c for c in credited if c.line_no == 1)
    assert rc.paid_paise == rc.taxable_paise
    assert rc.cgst_paise == rc.sgst_paise == round_half_up(rc.taxable_paise * 900, 10_000)


def test_a_refund_beyond_what_is_left_is_refused():
    lines = [invoice_line(1, 100_00)]
    with pytest.raises(NothingToCredit):
        credit_lines(lines, 118_01)
    with pytest.raises(ValueError):
        credit_lines(lines, 0)
