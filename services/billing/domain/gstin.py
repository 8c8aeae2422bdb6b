"""GSTIN checks for billing's own configuration (the supplier) and for what it prints.

A GSTIN is 15 characters: the GST state code (2 digits), the holder's PAN (10), an entity
number, "Z", and a check character computed over the first 14 (the GSTN's Luhn mod 36).
"""
from __future__ import annotations

import re

from services.billing.domain.states import STATES_BY_GST_CODE

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SHAPE = re.compile(r"^\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")


def check_character(first14: str) -> str:
    total = 0
    for position, character in enumerate(first14):
        product = _ALPHABET.index(character) * (2 if position % 2 else 1)
        total += product // 36 + product % 36
    return _ALPHABET[(36 - total % 36) % 36]


def valid_gstin(raw: str) -> str:
    """The GSTIN in capitals, or ValueError saying what is wrong with it."""
    gstin = raw.strip().upper()
    if not _SHAPE.match(gstin):
        raise ValueError("a GSTIN is 15 characters: state code, PAN, entity number, Z and a check character")
    if gstin[:2] not in STATES_BY_GST_CODE:
        raise ValueError(f"{gstin[:2]} is not a GST state code")
    if check_character(gstin[:14]) != gstin[14]:
        raise ValueError("the GSTIN's check character does not match")
    return gstin
