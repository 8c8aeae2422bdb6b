"""Amounts as Indian documents print them, and document numbers across a financial year's end."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.billing.domain.money import amount_in_words, format_inr, group_indian, number_in_words, round_half_up
from services.billing.domain.numbering import MAX_LENGTH, check_prefix, document_number, financial_year


def test_amounts_use_indian_grouping():
    assert group_indian(999) == "999"
    assert group_indian(1000) == "1,000"
    assert group_indian(12_34_567) == "12,34,567"
    assert format_inr(1_18_000_50) == "₹1,18,000.50"
    assert format_inr(-5) == "-₹0.05"


def test_amounts_in_words_count_in_lakhs_and_crores():
    assert number_in_words(1_18_000) == "One Lakh Eighteen Thousand"
    assert number_in_words(2_05_00_000) == "Two Crore Five Lakh"
    assert number_in_words(101) == "One Hundred One"
    assert amount_in_words(1_18_000_50) == "Rupees One Lakh Eighteen Thousand and Fifty Paise Only"
    assert amount_in_words(99) == "Rupees Zero and Ninety-Nine Paise Only"
    assert amount_in_words(12_34_56_789_00) == ("Rupees Twelve Crore Thirty-Four Lakh Fifty-Six Thousand "
                                                 "Seven Hundred Eighty-Nine Only")


def test_half_up_rounding_is_exact_integer_arithmetic():
    assert [round_half_up(n, 10) for n in (14, 15, 16, -15)] == [1, 2, 2, -2]


def test_the_financial_year_turns_at_midnight_on_1_april_in_india():
    last_moment = datetime(2027, 3, 31, 18, 29, 59, tzinfo=timezone.utc)  # 23:59:59 IST
    first_moment = datetime(2027, 3, 31, 18, 30, 0, tzinfo=timezone.utc)  # 00:00:00 IST, 1 April
    assert financial_year(last_moment) == "2627"
    assert financial_year(first_moment) == "2728"
    assert financial_year(datetime(2099, 12, 31, tzinfo=timezone.utc)) == "9900"
    with pytest.raises(ValueError):
        financial_year(datetime(2027, 4, 1))


def test_document_numbers_are_at_most_16_characters_of_letters_digits_dash_and_slash():
    assert document_number("DPD", "2627", 1) == "DPD/2627/000001"
    longest = document_number("DPDC", "2627", 999_999)
    assert longest == "DPDC/2627/999999" and len(longest) == MAX_LENGTH
    with pytest.raises(ValueError):
        document_number("DPD", "2627", 1_000_000)
    with pytest.raises(ValueError):
        document_number("DPD", "2627", 0)
    for bad in ("DPDXX", "dp", "D P", ""):
        with pytest.raises(ValueError):
            check_prefix(bad)
