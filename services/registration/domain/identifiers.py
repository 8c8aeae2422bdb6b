"""Indian business identifiers a registrant gives: GSTIN, PAN, Udyam and DPIIT numbers.

These checks are offline: they catch typing mistakes and wrong fields before an
organiser vets the registration; they cannot tell whether a number was ever issued.
Every validator strips surrounding spaces and upper-cases its input, returns the
normalised value, and raises `InvalidIdentifier` with a message that names what is
wrong and where (1-based character positions, as a person counts them).
"""

import string
from dataclasses import dataclass

from services.registration.domain.errors import InvalidInput
from services.registration.domain.india import (
    RETIRED_GST_CODES,
    STATES_BY_GST_CODE,
    IndianState,
    state_by_key,
)


class InvalidIdentifier(InvalidInput):
    """An identifier is malformed; `str(exc)` says what is wrong with it."""


_DIGITS = string.digits
_LETTERS = string.ascii_uppercase
_BASE36 = _DIGITS + _LETTERS  # GSTIN alphabet, in checksum value order: "0" = 0 ... "Z" = 35


@dataclass(frozen=True, slots=True)
class _Slot:
    """What one character position of an identifier may hold."""

    allowed: str
    description: str
    part: str


@dataclass(frozen=True, slots=True)
class _Layout:
    """A fixed-length identifier, one slot per character."""

    name: str
    example: str
    slots: tuple[_Slot, ...]

    def check(self, value: str) -> None:
        if len(value) != len(self.slots):
            raise InvalidIdentifier(
                f"{self.name} must be {len(self.slots)} characters long "
                f"(like {self.example}), got {len(value)}."
            )
        for position, (char, slot) in enumerate(zip(value, self.slots), start=1):
            if char not in slot.allowed:
                raise InvalidIdentifier(
                    f"{self.name} character {position} ({slot.part}) "
                    f"should be {slot.description}, got {char!r}."
                )


def _repeat(count: int, allowed: str, description: str, part: str) -> tuple[_Slot, ...]:
    return (_Slot(allowed, description, part),) * count


def _literal(text: str, part: str) -> tuple[_Slot, ...]:
    return tuple(_Slot(char, repr(char), part) for char in text)


# PAN: five letters, four digits, a letter. The fourth letter encodes the holder type
# (C company, F firm, P person, ...); it is deliberately not checked: the set of
# holder types has changed over time, and a stale list would turn away a real company.
_PAN_SLOTS = (
    _repeat(5, _LETTERS, "a letter", "PAN")
    + _repeat(4, _DIGITS, "a digit", "PAN")
    + _repeat(1, _LETTERS, "a letter", "PAN")
)
_PAN = _Layout("PAN", "AAPFU0939F", _PAN_SLOTS)

# GSTIN of a regular taxpayer: state code, the holder's PAN, which registration of
# that PAN in the state (1-9 then A-Z, never 0), "Z" (reserved, fixed for regular
# taxpayers), check character. Other GST ids (tax deductors, UN bodies, non-resident
# suppliers) do not embed a PAN and are not accepted: none of them registers a company.
_GSTIN = _Layout(
    "GSTIN",
    "27AAPFU0939F1ZV",
    _repeat(2, _DIGITS, "a digit", "state code")
    + _PAN_SLOTS
    + _repeat(1, _DIGITS[1:] + _LETTERS, "1-9 or A-Z", "entity number")
    + _literal("Z", "fixed character")
    + _repeat(1, _BASE36, "a digit or letter", "check character"),
)

# The state letters are not checked against `india.STATES_BY_KEY`: the Udyam portal
# uses its own two-letter codes, which do not all match ISO 3166-2:IN.
_UDYAM = _Layout(
    "Udyam registration number",
    "UDYAM-MH-26-0123456",
    _literal("UDYAM-", "prefix")
    + _repeat(2, _LETTERS, "a letter", "state")
    + _literal("-", "separator")
    + _repeat(2, _DIGITS, "a digit", "district")
    + _literal("-", "separator")
    + _repeat(7, _DIGITS, "a digit", "serial number"),
)

# Recognition numbers kept the department's old name (DIPP) after it became DPIIT in 2019.
# The serial is sequential and has six digits today; the bound leaves room to grow while
# keeping absurd input out of storage.
_DPIIT_PREFIX = "DIPP"
_DPIIT_MAX_SERIAL_DIGITS = 10


def _normalise(raw: str) -> str:
    return raw.strip().upper()


@dataclass(frozen=True, slots=True)
class Gstin:
    """A GSTIN that passed every offline check, including its check character."""

    value: str
    state_code: str
    pan: str
    entity_number: str

    @property
    def state(self) -> IndianState:
        return STATES_BY_GST_CODE[self.state_code]

    def __str__(self) -> str:
        return self.value


def gstin_check_character(first14: str) -> str:
    """The check character that completes the first 14 characters of a GSTIN.

    GSTN's algorithm, a Luhn mod 36: the characters are valued 0-9 then A-Z as 10-35
    and weighted 1, 2, 1, 2, ... from the left; each weighted value contributes its
    quotient plus its remainder by 36 (its two base-36 "digits"); the check character
    brings the total to a multiple of 36. Like every Luhn mod N it detects every
    single-character substitution.
    """
    prefix = _normalise(first14)
    if len(prefix) != 14 or any(char not in _BASE36 for char in prefix):
        raise InvalidIdentifier(
            f"A GSTIN check character needs exactly 14 digits or letters, got {first14!r}."
        )
    total = 0
    for index, char in enumerate(prefix):
        weighted = _BASE36.index(char) * (1 if index % 2 == 0 else 2)
        total += weighted // 36 + weighted % 36
    return _BASE36[(36 - total % 36) % 36]


def validate_gstin(raw: str) -> Gstin:
    """Validate a GSTIN and split it into its parts."""
    value = _normalise(raw)
    _GSTIN.check(value)
    state_code = value[:2]
    if state_code in RETIRED_GST_CODES:
        raise InvalidIdentifier(
            f"GSTIN state code {state_code} {RETIRED_GST_CODES[state_code]}."
        )
    if state_code not in STATES_BY_GST_CODE:
        raise InvalidIdentifier(f"GSTIN state code {state_code} is not a GST state code.")
    expected = gstin_check_character(value[:14])
    if value[14] != expected:
        raise InvalidIdentifier(
            f"GSTIN check character (the last one) should be {expected}, not {value[14]}: "
            "a character of the GSTIN is probably mistyped."
        )
    return Gstin(value=value, state_code=state_code, pan=value[2:12], entity_number=value[12])


def gstin_matches_state(gstin: str, state_key: str) -> bool:
    """Whether a GSTIN was issued in the given state ("DL", "IN-DL", ...).

    A registrant's declared state decides the GST split on their invoices, so it must
    agree with their GSTIN. Raises `InvalidIdentifier` for a malformed GSTIN and
    `india.UnknownState` for an unknown state key, rather than answering False.
    """
    return validate_gstin(gstin).state_code == state_by_key(state_key).gst_code


def validate_pan(raw: str) -> str:
    """Validate a PAN (Permanent Account Number) and return it normalised."""
    value = _normalise(raw)
    _PAN.check(value)
    return value


def validate_udyam_number(raw: str) -> str:
    """Validate an MSME's Udyam registration number (UDYAM-XX-00-0000000)."""
    value = _normalise(raw)
    _UDYAM.check(value)
    return value


def validate_dpiit_recognition_number(raw: str) -> str:
    """Validate a startup's DPIIT recognition number ("DIPP" then digits, e.g. DIPP12345)."""
    value = _normalise(raw)
    if not value.startswith(_DPIIT_PREFIX):
        raise InvalidIdentifier(
            f"DPIIT recognition number should start with {_DPIIT_PREFIX} (like DIPP12345), "
            f"got {raw.strip()!r}."
        )
    serial = value.removeprefix(_DPIIT_PREFIX)
    if not 1 <= len(serial) <= _DPIIT_MAX_SERIAL_DIGITS or any(char not in _DIGITS for char in serial):
        raise InvalidIdentifier(
            f"DPIIT recognition number should have 1 to {_DPIIT_MAX_SERIAL_DIGITS} digits "
            f"after {_DPIIT_PREFIX} (like DIPP12345), got {raw.strip()!r}."
        )
    return value
