"""Money as people read it on Indian documents: integer paise in, Indian digit grouping and
amounts in words out. Nothing here ever holds a float."""
from __future__ import annotations


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves away from zero
    (the rounding stated on our invoices), in exact integer arithmetic."""
    if denominator <= 0:
        raise ValueError("the denominator must be positive")
    sign = -1 if numerator < 0 else 1
    return sign * ((2 * abs(numerator) + denominator) // (2 * denominator))


def group_indian(number: int) -> str:
    """12345678 -> "1,23,45,678": the last three digits, then pairs (lakh, crore)."""
    digits = str(abs(number))
    head, tail = digits[:-3], digits[-3:]
    pairs = []
    while head:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    return ("-" if number < 0 else "") + ",".join([*pairs, tail])


def format_inr(paise: int, *, symbol: str = "₹") -> str:
    """1180050 -> "₹11,800.50"."""
    rupees, remainder = divmod(abs(paise), 100)
    return f"{'-' if paise < 0 else ''}{symbol}{group_indian(rupees)}.{remainder:02d}"


def rupees_text(paise: int) -> str:
    """As a form shows an amount to edit: 15000050 -> "150000.50"."""
    rupees, remainder = divmod(abs(paise), 100)
    return f"{'-' if paise < 0 else ''}{rupees}.{remainder:02d}"


_ONES = ("", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve",
         "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen")
_TENS = ("", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety")
# Largest first; Indian usage counts crores of crores rather than inventing a new word.
_SCALES = ((10_000_000, "Crore"), (100_000, "Lakh"), (1_000, "Thousand"), (100, "Hundred"))


def _below_hundred(number: int) -> str:
    if number < 20:
        return _ONES[number]
    tens, ones = divmod(number, 10)
    return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")


def number_in_words(number: int) -> str:
    """In the Indian system: 1180000 -> "Eleven Lakh Eighty Thousand"."""
    if number < 0:
        raise ValueError("only amounts of zero or more are written in words")
    if number == 0:
        return "Zero"
    words = []
    for scale, name in _SCALES:
        count, number = divmod(number, scale)
        if count:
            words.append(f"{number_in_words(count) if count >= 100 else _below_hundred(count)} {name}")
    if number:
        words.append(_below_hundred(number))
    return " ".join(words)


def amount_in_words(paise: int) -> str:
    """1180050 -> "Rupees Eleven Thousand Eight Hundred and Fifty Paise Only"."""
    rupees, remainder = divmod(paise, 100)
    text = f"Rupees {number_in_words(rupees)}"
    if remainder:
        text += f" and {_below_hundred(remainder)} Paise"
    return text + " Only"
