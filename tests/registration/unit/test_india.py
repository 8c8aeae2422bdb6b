import dataclasses

import pytest

from services.registration.domain.errors import InvalidInput
from services.registration.domain.india import (
    EVENT_SUPPLIER_STATE,
    RETIRED_GST_CODES,
    STATES_BY_GST_CODE,
    STATES_BY_KEY,
    RegionKind,
    UnknownState,
    normalise_state_name,
    state_by_gst_code,
    state_by_key,
    state_by_name,
)

# The GST state code list as published: 01-24, 26 (25 retired by the 2020 merger),
# 27, 29-38 (28 was undivided Andhra Pradesh) and 97 Other Territory.
EXPECTED_GST_CODES = (
    {f"{n:02d}" for n in range(1, 25)} | {"26", "27"} | {f"{n:02d}" for n in range(29, 39)} | {"97"}
)


def test_every_published_gst_code_and_no_other_is_present():
    assert set(STATES_BY_GST_CODE) == EXPECTED_GST_CODES


def test_there_are_28_states_8_union_territories_and_other_territory():
    kinds = [state.kind for state in STATES_BY_KEY.values()]
    assert kinds.count(RegionKind.STATE) == 28
    assert kinds.count(RegionKind.UNION_TERRITORY) == 8
    assert kinds.count(RegionKind.OTHER_TERRITORY) == 1


def test_union_territories_are_the_current_eight():
    union_territories = {s.key for s in STATES_BY_KEY.values() if s.kind is RegionKind.UNION_TERRITORY}
    assert union_territories == {"AN", "CH", "DH", "DL", "JK", "LA", "LD", "PY"}


def test_both_mappings_hold_the_same_regions():
    assert sorted(STATES_BY_KEY.values(), key=lambda s: s.gst_code) == list(STATES_BY_GST_CODE.values())
    for key, state in STATES_BY_KEY.items():
        assert state.key == key
        assert STATES_BY_GST_CODE[state.gst_code] is state


@pytest.mark.parametrize(
    ("gst_code", "key", "name"),
    [
        ("01", "JK", "Jammu and Kashmir"),
        ("02", "HP", "Himachal Pradesh"),
        ("03", "PB", "Punjab"),
        ("04", "CH", "Chandigarh"),
        ("05", "UK", "Uttarakhand"),
        ("06", "HR", "Haryana"),
        ("07", "DL", "Delhi"),
        ("08", "RJ", "Rajasthan"),
        ("09", "UP", "Uttar Pradesh"),
        ("10", "BR", "Bihar"),
        ("19", "WB", "West Bengal"),
        ("21", "OD", "Odisha"),
        ("22", "CG", "Chhattisgarh"),
        ("26", "DH", "Dadra and Nagar Haveli and Daman and Diu"),
        ("27", "MH", "Maharashtra"),
        ("29", "KA", "Karnataka"),
        ("36", "TS", "Telangana"),
        ("37", "AP", "Andhra Pradesh"),
        ("38", "LA", "Ladakh"),
        ("97", "OT", "Other Territory"),
    ],
)
def test_gst_code_key_and_name_agree(gst_code, key, name):
    state = state_by_gst_code(gst_code)
    assert (state.key, state.name) == (key, name)
    assert state_by_key(key) is state
    assert state_by_name(name) is state


def test_mappings_and_states_are_immutable():
    with pytest.raises(TypeError):
        STATES_BY_KEY["XX"] = STATES_BY_KEY["DL"]  # type: ignore[index]
    with pytest.raises(TypeError):
        del STATES_BY_GST_CODE["07"]  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        STATES_BY_KEY["DL"].gst_code = "27"  # type: ignore[misc]


def test_iso_code_is_prefixed_key_except_for_other_territory():
    assert state_by_key("DL").iso_3166_2 == "IN-DL"
    assert state_by_key("OT").iso_3166_2 is None


def test_event_supplier_is_delhi():
    assert EVENT_SUPPLIER_STATE.key == "DL"
    assert EVENT_SUPPLIER_STATE.gst_code == "07"


@pytest.mark.parametrize("key", ["DL", "dl", " DL ", "IN-DL", "in-dl"])
def test_state_by_key_accepts_case_spacing_and_iso_prefix(key):
    assert state_by_key(key).gst_code == "07"


# "OR", "CT", "TG", "UT", "DD", "DN" are superseded ISO codes: one key per region keeps
# stored records comparable, so the old spellings are refused rather than mapped.
@pytest.mark.parametrize("key", ["XX", "", "IN", "DEL", "OR", "CT", "TG", "UT", "DD", "DN"])
def test_state_by_key_rejects_unknown_keys(key):
    with pytest.raises(UnknownState, match="not a known Indian state"):
        state_by_key(key)


def test_state_by_gst_code_strips_spaces():
    assert state_by_gst_code(" 29 ").key == "KA"


@pytest.mark.parametrize("code", ["00", "7", "007", "39", "96", "99", "DL", ""])
def test_state_by_gst_code_rejects_unknown_codes(code):
    with pytest.raises(UnknownState, match="not a GST state code"):
        state_by_gst_code(code)


@pytest.mark.parametrize(("code", "successor"), [("25", "26"), ("28", "37")])
def test_retired_gst_codes_explain_their_successor(code, successor):
    assert code in RETIRED_GST_CODES
    with pytest.raises(UnknownState, match=successor):
        state_by_gst_code(code)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Jammu & Kashmir", "JK"),
        ("JAMMU AND KASHMIR", "JK"),
        ("  tamil   nadu ", "TN"),
        ("Andaman & Nicobar Islands", "AN"),
        ("Dadra & Nagar Haveli and Daman & Diu", "DH"),
        ("Orissa", "OD"),
        ("Uttaranchal", "UK"),
        ("Pondicherry", "PY"),
        ("NCT of Delhi", "DL"),
        ("National Capital Territory of Delhi", "DL"),
        ("Daman and Diu", "DH"),
        ("Dadra and Nagar Haveli", "DH"),
    ],
)
def test_state_by_name_tolerates_variants_and_former_names(name, key):
    assert state_by_name(name).key == key


def test_every_state_is_found_by_its_own_name():
    for state in STATES_BY_KEY.values():
        assert state_by_name(state.name) is state


@pytest.mark.parametrize("name", ["Atlantis", "", "Pradesh", "DL"])
def test_state_by_name_rejects_unknown_names(name):
    with pytest.raises(UnknownState, match="not a known Indian state"):
        state_by_name(name)


def test_normalise_state_name_folds_case_ampersand_and_punctuation():
    assert normalise_state_name("Jammu  &  Kashmir.") == "jammu and kashmir"


def test_unknown_state_is_an_invalid_input():
    assert issubclass(UnknownState, InvalidInput)
    assert issubclass(UnknownState, ValueError)
