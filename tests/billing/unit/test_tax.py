"""GST on billing's lines: the split by place of supply, the rounding, several lines, reverse charge."""
from __future__ import annotations

import pytest

from services.billing.domain.tax import Buyer, LegalForm, LineToTax, Supplier, price_order, tax_on

DELHI_SUPPLIER = Supplier("Centre for Joint Warfare Studies", "07AAACD1234E1ZB", "Kashmir House, New Delhi",
                          LegalForm.COMPANY)
DELHI_COMPANY = Buyer("Tejas Avionics Pvt Ltd", "07AABCT1234F1ZS", "Okhla, New Delhi", "DL", "IN")
MUMBAI_COMPANY = Buyer("Varuna Marine Ltd", "27AABCT1234F1ZQ", "Andheri, Mumbai", "MH", "IN")
UNREGISTERED_IN_KARNATAKA = Buyer("Garuda Drones (startup)", None, "Koramangala, Bengaluru", "KA", "IN")
FOREIGN_OEM = Buyer("Thales Avionics SA", None, "Paris", None, "FR")


def line(price_paise: int, quantity: int = 1, *, rate_bp: int = 1800, sponsorship: bool = False) -> LineToTax:
    return LineToTax(description="Booth A-1", sac_code="998596", quantity=quantity, unit_price_paise=price_paise,
                     gst_rate_bp=rate_bp, is_sponsorship=sponsorship)


def test_a_buyer_in_the_suppliers_state_pays_cgst_and_sgst_at_half_the_rate_each():
    priced = price_order([line(100_000_00)], supplier=DELHI_SUPPLIER, buyer=DELHI_COMPANY, venue_state_key="DL")
    [taxed] = priced.lines
    assert priced.intra_state and priced.place_of_supply.label == "Delhi (07)"
    assert (taxed.cgst_paise, taxed.sgst_paise, taxed.igst_paise) == (9_000_00, 9_000_00, 0)
    assert priced.totals.payable_paise == 118_000_00


def test_a_registered_buyer_in_another_state_pays_igst_at_the_full_rate():
    priced = price_order([line(100_000_00)], supplier=DELHI_SUPPLIER, buyer=MUMBAI_COMPANY, venue_state_key="DL")
    assert not priced.intra_state and priced.place_of_supply.label == "Maharashtra (27)"
    assert (priced.totals.cgst_paise, priced.totals.sgst_paise, priced.totals.igst_paise) == (0, 0, 18_000_00)


@pytest.mark.parametrize("buyer", [UNREGISTERED_IN_KARNATAKA, FOREIGN_OEM], ids=["unregistered", "foreign"])
def test_an_unregistered_buyer_is_supplied_where_the_event_is_held(buyer):
    in_delhi = price_order([line(50_000_00)], supplier=DELHI_SUPPLIER, buyer=buyer, venue_state_key="DL")
    assert in_delhi.place_of_supply.key == "DL" and in_delhi.totals.cgst_paise == 4_500_00
    in_goa = price_order([line(50_000_00)], supplier=DELHI_SUPPLIER, buyer=buyer, venue_state_key="GA")
    assert in_goa.place_of_supply.key == "GA" and in_goa.totals.igst_paise == 9_000_00


def test_each_tax_is_rounded_to_the_paisa_halves_up_so_the_split_can_exceed_igst_by_a_paisa():
    # 50 paise at 9% is 4.5 paise: rounded up to 5, twice; at 18% it is exactly 9.
    assert tax_on(50, 1800, intra_state=True) == (5, 5, 0)
    assert tax_on(50, 1800, intra_state=False) == (0, 0, 9)
    assert tax_on(44, 1800, intra_state=True) == (4, 4, 0)  # 3.96 rounds up, 3.96 is no half
    assert tax_on(27, 1800, intra_state=False) == (0, 0, 5)  # 4.86
    assert tax_on(1, 500, intra_state=False) == (0, 0, 0)  # 0.05 paisa: below half


def test_several_lines_are_rounded_one_by_one_and_totals_are_their_sums():
    lines = [line(50), line(50), line(333, quantity=3), line(100_00, rate_bp=500)]
    priced = price_order(lines, supplier=DELHI_SUPPLIER, buyer=DELHI_COMPANY, venue_state_key="DL")
    assert [(t.taxable_paise, t.cgst_paise, t.sgst_paise) for t in priced.lines] == [
        (50, 5, 5), (50, 5, 5), (999, 90, 90), (100_00, 250, 250)]
    assert priced.totals.taxable_paise == 50 + 50 + 999 + 100_00
    assert priced.totals.tax_paise == 2 * (5 + 5 + 90 + 250)
    assert priced.totals.payable_paise == priced.totals.taxable_paise + priced.totals.tax_paise


def test_sponsorship_from_a_society_to_a_company_is_under_reverse_charge_and_the_buyer_pays_us_the_taxable_value():
    society = Supplier("Centre for Joint Warfare Studies", "07AAACD1234E1ZB", "New Delhi", LegalForm.SOCIETY)
    priced = price_order([line(500_000_00, sponsorship=True), line(100_000_00)], supplier=society,
                         buyer=DELHI_COMPANY, venue_state_key="DL")
    sponsorship, booth = priced.lines
    assert sponsorship.reverse_charge and not booth.reverse_charge
    assert sponsorship.tax_paise == 90_000_00, "the invoice still shows the tax"
    assert priced.totals.reverse_charge_tax_paise == 90_000_00
    assert priced.totals.payable_paise == 500_000_00 + 118_000_00


@pytest.mark.parametrize("supplier_form, buyer", [
    (LegalForm.COMPANY, DELHI_COMPANY),  # a company organiser charges GST itself
    (LegalForm.SOCIETY, UNREGISTERED_IN_KARNATAKA),  # no GSTIN: not a registered body corporate
    (LegalForm.TRUST, Buyer("Ramesh Kumar (proprietor)", "07AAAPK1234F1ZW", "Delhi", "DL", "IN")),  # P: a person
])
def test_no_reverse_charge_unless_a_society_trust_or_government_sells_sponsorship_to_a_body_corporate(
        supplier_form, buyer):
    supplier = Supplier("Organiser", "07AAACD1234E1ZB", "New Delhi", supplier_form)
    priced = price_order([line(100_00, sponsorship=True)], supplier=supplier, buyer=buyer, venue_state_key="DL")
    assert not priced.reverse_charge
    assert priced.totals.payable_paise == 118_00
