"""Document numbers: consecutive per series and financial year, at most 16 characters of
letters, digits, '-' and '/' (GST rule 46(b)), e.g. "DPD/2627/000042".

The financial year runs 1 April to 31 March in India's time zone and is written by its two
years' last digits ("2627" for 2026-27). The numbers themselves are allocated by the
database in the transaction that issues the document, so a rollback leaves no gap.
"""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

INDIA = ZoneInfo("Asia/Kolkata")
MAX_LENGTH = 16
SEQUENCE_DIGITS = 6
PREFIX_PATTERN = re.compile(r"^[A-Z0-9-]{1,4}$")  # 4 + "/" + 4 + "/" + 6 = 16
_ALLOWED = re.compile(r"^[A-Za-z0-9/-]+$")


def financial_year(moment: datetime) -> str:
    """The financial year `moment` falls in, as people in India count it: "2627"."""
    if moment.tzinfo is None:
        raise ValueError("a financial year needs a time-zone-aware moment")
    local = moment.astimezone(INDIA)
    start = local.year if local.month >= 4 else local.year - 1
    return f"{start % 100:02d}{(start + 1) % 100:02d}"


def check_prefix(prefix: str) -> str:
    if not PREFIX_PATTERN.match(prefix):
        raise ValueError("a document series prefix is 1 to 4 capital letters, digits or '-'")
    return prefix


def document_number(prefix: str, year: str, sequence: int) -> str:
    if sequence < 1 or sequence >= 10 ** SEQUENCE_DIGITS:
        raise ValueError(f"sequence {sequence} is outside 1..{10 ** SEQUENCE_DIGITS - 1}")
    number = f"{check_prefix(prefix)}/{year}/{sequence:0{SEQUENCE_DIGITS}d}"
    if len(number) > MAX_LENGTH or not _ALLOWED.match(number):
        raise ValueError(f"{number!r} is not a valid document number")
    return number
