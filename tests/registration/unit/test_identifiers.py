import dataclasses
import re
import string

import pytest

from services.registration.domain.errors import InvalidInput
from services.registration.domain.identifiers import (
    Gstin,
    InvalidIdentifier,
    gstin_check_character,
    gstin_matches_state,
    validate_dpiit_recognition_number,
    validate_gstin,
    validate_pan,
    validate_udyam_number,
)
from services.registration.domain.india import STATES_BY_GST_CODE, UnknownState

BASE36 = string.digits + string.ascii_uppercase

# Sample GSTINs published with a valid check character (not produced by our code).
PUBLISHED_VALID_GSTINS = ["27AAPFU0939F1ZV", "29AAGCB7383J1Z4"]


def replace_at(text: str, index: int, char: str) -> str:
    return text[:index] + char + text[index + 1 :]


def build_gstin(first14: str) -> str:
    return first14 + gstin_check_character(first14)


# ---------------------------------------------------------------- check character


def test_check_character_matches_a_hand_computation():
    # 27AAPFU0939F1Z by hand: values 2,7,10,10,25,15,30,0,9,3,9,15,1,35; weights 1,2,...;
    # products 2,14,10,20,25,30,30,0,9,6,9,30,1,70; quotient+remainder by 36 leaves
    # them unchanged except 70 -> 1+34 = 35. Total 221; 221 % 36 = 5; 36 - 5 = 31 = "V".
    assert gstin_check_character("27AAPFU0939F1Z") == "V"


@pytest.mark.parametrize("gstin", PUBLISHED_VALID_GSTINS)
def test_check_character_agrees_with_published_samples(gstin):
    assert gstin_check_character(gstin[:14]) == gstin[14]


def test_check_character_accepts_lower_case():
    assert gstin_check_character("27aapfu0939f1z") == "V"


@pytest.mark.parametrize("first14", ["27AAPFU0939F1", "27AAPFU0939F1ZV", "27AAPFU0939F1-", ""])
def test_check_character_needs_exactly_14_base36_characters(first14):
    with pytest.raises(InvalidIdentifier, match="14 digits or letters"):
        gstin_check_character(first14)


@pytest.mark.parametrize("gstin", PUBLISHED_VALID_GSTINS)
def test_check_character_changes_under_every_single_substitution(gstin):
    """A property of Luhn mod 36: no single-character change keeps the check character."""
    for index in range(14):
        for char in BASE36:
            if char == gstin[index]:
                continue
            mutated = replace_at(gstin, index, char)
            assert gstin_check_character(mutated[:14]) != gstin[14], mutated


@pytest.mark.parametrize("gstin", PUBLISHED_VALID_GSTINS)
def test_validate_gstin_rejects_every_single_substitution(gstin):
    for index in range(15):
        for char in BASE36:
            if char == gstin[index]:
                continue
            with pytest.raises(InvalidIdentifier):
                validate_gstin(replace_at(gstin, index, char))


# ---------------------------------------------------------------- GSTIN


@pytest.mark.parametrize("gstin", PUBLISHED_VALID_GSTINS)
def test_validate_gstin_accepts_published_samples(gstin):
    assert validate_gstin(gstin).value == gstin


def test_validate_gstin_splits_the_parts():
    gstin = validate_gstin("27AAPFU0939F1ZV")
    assert gstin == Gstin(value="27AAPFU0939F1ZV", state_code="27", pan="AAPFU0939F", entity_number="1")
    assert gstin.state.key == "MH"
    assert str(gstin) == "27AAPFU0939F1ZV"


def test_gstin_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        validate_gstin("27AAPFU0939F1ZV").pan = "AAAAA0000A"  # type: ignore[misc]


def test_validate_gstin_normalises_spaces_and_case():
    assert validate_gstin("  27aapfu0939f1zv\n").value == "27AAPFU0939F1ZV"


def test_validate_gstin_accepts_every_state_code_and_letter_entity_numbers():
    for state_code in STATES_BY_GST_CODE:
        for entity_number in "19AZ":
            gstin = build_gstin(f"{state_code}AAGCB7383J{entity_number}Z")
            assert validate_gstin(gstin).state_code == state_code


@pytest.mark.parametrize("raw", ["27AAPFU0939F1Z", "27AAPFU0939F1ZVV", "", "27 AAPFU 0939F1ZV"])
def test_validate_gstin_rejects_wrong_length(raw):
    with pytest.raises(InvalidIdentifier, match=rf"GSTIN must be 15 characters long .* got {len(raw.strip())}"):
        validate_gstin(raw)


@pytest.mark.parametrize(
    ("index", "char", "expected_message"),
    [
        (0, "A", "character 1 (state code) should be a digit"),
        (2, "1", "character 3 (PAN) should be a letter"),
        (7, "X", "character 8 (PAN) should be a digit"),
        (11, "9", "character 12 (PAN) should be a letter"),
        (12, "0", "character 13 (entity number) should be 1-9 or A-Z"),
        (13, "Y", "character 14 (fixed character) should be 'Z'"),
        (14, "-", "character 15 (check character) should be a digit or letter"),
        (5, "É", "character 6 (PAN) should be a letter"),
    ],
)
def test_validate_gstin_says_which_position_is_malformed(index, char, expected_message):
    with pytest.raises(InvalidIdentifier, match=re.escape(f"GSTIN {expected_message}, got '{char}'")):
        validate_gstin(replace_at("27AAPFU0939F1ZV", index, char))


@pytest.mark.parametrize("state_code", ["00", "39", "96", "99"])
def test_validate_gstin_rejects_unknown_state_codes(state_code):
    with pytest.raises(InvalidIdentifier, match=f"GSTIN state code {state_code} is not a GST state code"):
        validate_gstin(build_gstin(f"{state_code}AAPFU0939F1Z"))


@pytest.mark.parametrize(("state_code", "successor"), [("25", "26"), ("28", "37")])
def test_validate_gstin_explains_retired_state_codes(state_code, successor):
    with pytest.raises(InvalidIdentifier, match=rf"GSTIN state code {state_code} .*{successor}"):
        validate_gstin(build_gstin(f"{state_code}AAPFU0939F1Z"))


def test_validate_gstin_names_the_expected_check_character():
    with pytest.raises(InvalidIdentifier, match="check character .* should be V, not W"):
        validate_gstin("27AAPFU0939F1ZW")


def test_validate_gstin_detects_an_adjacent_transposition():
    with pytest.raises(InvalidIdentifier, match="should be"):
        validate_gstin("27AAPFU9039F1ZV")


def test_invalid_identifier_is_an_invalid_input_and_a_value_error():
    with pytest.raises(InvalidInput):
        validate_gstin("nonsense")
    assert issubclass(InvalidIdentifier, ValueError)


# ---------------------------------------------------------------- GSTIN against state


@pytest.mark.parametrize(
    ("gstin", "state_key", "expected"),
    [
        ("27AAPFU0939F1ZV", "MH", True),
        ("27AAPFU0939F1ZV", "in-mh", True),
        ("27AAPFU0939F1ZV", "DL", False),
        ("29AAGCB7383J1Z4", "KA", True),
        ("29AAGCB7383J1Z4", "MH", False),
    ],
)
def test_gstin_matches_state(gstin, state_key, expected):
    assert gstin_matches_state(gstin, state_key) is expected


def test_gstin_matches_state_for_the_supplier_state():
    assert gstin_matches_state(build_gstin("07AAACB1234C1Z"), "DL")


def test_gstin_matches_state_raises_for_a_malformed_gstin():
    with pytest.raises(InvalidIdentifier):
        gstin_matches_state("27AAPFU0939F1ZW", "MH")


def test_gstin_matches_state_raises_for_an_unknown_state():
    with pytest.raises(UnknownState):
        gstin_matches_state("27AAPFU0939F1ZV", "XX")


# ---------------------------------------------------------------- PAN


@pytest.mark.parametrize(("raw", "expected"), [("AAPFU0939F", "AAPFU0939F"), (" aagcb7383j ", "AAGCB7383J")])
def test_validate_pan_accepts_and_normalises(raw, expected):
    assert validate_pan(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected_message"),
    [
        ("AAPFU0939", "PAN must be 10 characters long .* got 9"),
        ("AAPFU0939FF", "PAN must be 10 characters long .* got 11"),
        ("AAPF10939F", "PAN character 5 \\(PAN\\) should be a letter, got '1'"),
        ("AAPFU093OF", "PAN character 9 \\(PAN\\) should be a digit, got 'O'"),
        ("AAPFU09399", "PAN character 10 \\(PAN\\) should be a letter, got '9'"),
    ],
)
def test_validate_pan_rejects_malformed(raw, expected_message):
    with pytest.raises(InvalidIdentifier, match=expected_message):
        validate_pan(raw)


# ---------------------------------------------------------------- Udyam


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("UDYAM-MH-26-0123456", "UDYAM-MH-26-0123456"), (" udyam-dl-08-0001234 ", "UDYAM-DL-08-0001234")],
)
def test_validate_udyam_number_accepts_and_normalises(raw, expected):
    assert validate_udyam_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected_message"),
    [
        ("UDYAM-MH-26-012345", "must be 19 characters long .* got 18"),
        ("UDYOG-MH-26-0123456", "character 4 \\(prefix\\) should be 'A', got 'O'"),
        ("UDYAM MH 26 0123456", "character 6 \\(prefix\\) should be '-', got ' '"),
        ("UDYAM-M1-26-0123456", "character 8 \\(state\\) should be a letter, got '1'"),
        ("UDYAM-MH_26-0123456", "character 9 \\(separator\\) should be '-', got '_'"),
        ("UDYAM-MH-2X-0123456", "character 11 \\(district\\) should be a digit, got 'X'"),
        ("UDYAM-MH-26-01234S6", "character 18 \\(serial number\\) should be a digit, got 'S'"),
    ],
)
def test_validate_udyam_number_rejects_malformed(raw, expected_message):
    with pytest.raises(InvalidIdentifier, match=f"Udyam registration number {expected_message}"):
        validate_udyam_number(raw)


# ---------------------------------------------------------------- DPIIT


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("DIPP12345", "DIPP12345"), (" dipp987 ", "DIPP987"), ("DIPP1234567890", "DIPP1234567890")],
)
def test_validate_dpiit_recognition_number_accepts_and_normalises(raw, expected):
    assert validate_dpiit_recognition_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected_message"),
    [
        ("12345", "should start with DIPP"),
        ("DPIIT12345", "should start with DIPP"),
        ("", "should start with DIPP"),
        ("DIPP", "1 to 10 digits after DIPP"),
        ("DIPP12A45", "1 to 10 digits after DIPP"),
        ("DIPP 12345", "1 to 10 digits after DIPP"),
        ("DIPP12345678901", "1 to 10 digits after DIPP"),
    ],
)
def test_validate_dpiit_recognition_number_rejects_malformed(raw, expected_message):
    with pytest.raises(InvalidIdentifier, match=expected_message):
        validate_dpiit_recognition_number(raw)
