"""Indian states and union territories, keyed for APIs and for GST.

Two codes matter for each region:

* `key`: the ISO 3166-2:IN subdivision code without the "IN-" prefix ("DL", "MH").
  It is what APIs, forms and stored records use, because it is short, readable and
  stable. The codes follow the current standard, including the 2020 merger (DH) and
  the 2023 recodings (CG, OD, TS, UK), which older lists still show as CT, OR, TG, UT.
* `gst_code`: the two-digit GST state code that opens every GSTIN; it decides whether
  an invoice carries CGST+SGST or IGST (see `EVENT_SUPPLIER_STATE`).

GST code 97 ("Other Territory": offshore areas outside any state) has no ISO code;
it is keyed "OT" as in the GST portal's own alpha codes, and its `iso_3166_2` is None.
"""

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from services.registration.domain.errors import InvalidInput


class RegionKind(enum.Enum):
    STATE = "state"
    UNION_TERRITORY = "union_territory"
    OTHER_TERRITORY = "other_territory"


@dataclass(frozen=True, slots=True)
class IndianState:
    """A state, union territory or GST "Other Territory"."""

    key: str
    gst_code: str
    name: str
    kind: RegionKind

    @property
    def iso_3166_2(self) -> str | None:
        """The full ISO 3166-2 code ("IN-DL"), or None for Other Territory."""
        if self.kind is RegionKind.OTHER_TERRITORY:
            return None
        return f"IN-{self.key}"


class UnknownState(InvalidInput):
    """No state or union territory has the given key, GST code or name."""


_S, _UT = RegionKind.STATE, RegionKind.UNION_TERRITORY

# In GST code order, as the GST state code list publishes them.
_REGIONS = (
    IndianState("JK", "01", "Jammu and Kashmir", _UT),
    IndianState("HP", "02", "Himachal Pradesh", _S),
    IndianState("PB", "03", "Punjab", _S),
    IndianState("CH", "04", "Chandigarh", _UT),
    IndianState("UK", "05", "Uttarakhand", _S),
    IndianState("HR", "06", "Haryana", _S),
    IndianState("DL", "07", "Delhi", _UT),
    IndianState("RJ", "08", "Rajasthan", _S),
    IndianState("UP", "09", "Uttar Pradesh", _S),
    IndianState("BR", "10", "Bihar", _S),
    IndianState("SK", "11", "Sikkim", _S),
    IndianState("AR", "12", "Arunachal Pradesh", _S),
    IndianState("NL", "13", "Nagaland", _S),
    IndianState("MN", "14", "Manipur", _S),
    IndianState("MZ", "15", "Mizoram", _S),
    IndianState("TR", "16", "Tripura", _S),
    IndianState("ML", "17", "Meghalaya", _S),
    IndianState("AS", "18", "Assam", _S),
    IndianState("WB", "19", "West Bengal", _S),
    IndianState("JH", "20", "Jharkhand", _S),
    IndianState("OD", "21", "Odisha", _S),
    IndianState("CG", "22", "Chhattisgarh", _S),
    IndianState("MP", "23", "Madhya Pradesh", _S),
    IndianState("GJ", "24", "Gujarat", _S),
    IndianState("DH", "26", "Dadra and Nagar Haveli and Daman and Diu", _UT),
    IndianState("MH", "27", "Maharashtra", _S),
    IndianState("KA", "29", "Karnataka", _S),
    IndianState("GA", "30", "Goa", _S),
    IndianState("LD", "31", "Lakshadweep", _UT),
    IndianState("KL", "32", "Kerala", _S),
    IndianState("TN", "33", "Tamil Nadu", _S),
    IndianState("PY", "34", "Puducherry", _UT),
    IndianState("AN", "35", "Andaman and Nicobar Islands", _UT),
    IndianState("TS", "36", "Telangana", _S),
    IndianState("AP", "37", "Andhra Pradesh", _S),
    IndianState("LA", "38", "Ladakh", _UT),
    IndianState("OT", "97", "Other Territory", RegionKind.OTHER_TERRITORY),
)

STATES_BY_KEY: Mapping[str, IndianState] = MappingProxyType({s.key: s for s in _REGIONS})
STATES_BY_GST_CODE: Mapping[str, IndianState] = MappingProxyType({s.gst_code: s for s in _REGIONS})

# GST codes that once existed but that no current GSTIN may carry, with the reason,
# so that a registrant typing an old number is told why rather than "unknown".
RETIRED_GST_CODES: Mapping[str, str] = MappingProxyType({
    "25": "was Daman and Diu, merged on 26 January 2020 into "
          "Dadra and Nagar Haveli and Daman and Diu (26)",
    "28": "was undivided Andhra Pradesh before 2014; Andhra Pradesh now uses 37",
})

# The event's organiser invoices from Delhi: a buyer in the same state pays
# CGST + SGST, any other buyer pays IGST.
EVENT_SUPPLIER_STATE: IndianState = STATES_BY_KEY["DL"]


def normalise_state_name(name: str) -> str:
    """Fold a state name so spelling variants compare equal.

    Case, "&" versus "and", punctuation and spacing differ between forms, PDFs and
    the GST portal ("Jammu & Kashmir", "JAMMU AND KASHMIR", "Andaman & Nicobar Is.").
    """
    folded = name.casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


# Former or official long names still common in address data. The two pre-merger
# UTs resolve to the merged territory, the only one that exists today.
_NAME_ALIASES = {
    "National Capital Territory of Delhi": "DL",
    "NCT of Delhi": "DL",
    "New Delhi": "DL",
    "Orissa": "OD",
    "Uttaranchal": "UK",
    "Pondicherry": "PY",
    "Chattisgarh": "CG",
    "Andaman and Nicobar": "AN",
    "Lakshadweep Islands": "LD",
    "Dadra and Nagar Haveli": "DH",
    "Daman and Diu": "DH",
}

_KEYS_BY_NORMALISED_NAME: Mapping[str, str] = MappingProxyType(
    {normalise_state_name(s.name): s.key for s in _REGIONS}
    | {normalise_state_name(alias): key for alias, key in _NAME_ALIASES.items()}
)


def state_by_key(key: str) -> IndianState:
    """Look up by ISO key: "DL", "dl" and "IN-DL" all give Delhi."""
    folded = key.strip().upper().removeprefix("IN-")
    try:
        return STATES_BY_KEY[folded]
    except KeyError:
        raise UnknownState(f"{key!r} is not a known Indian state or union territory code.") from None


def state_by_gst_code(code: str) -> IndianState:
    """Look up by two-digit GST state code ("07" is Delhi)."""
    folded = code.strip()
    if folded in RETIRED_GST_CODES:
        raise UnknownState(f"GST state code {folded} {RETIRED_GST_CODES[folded]}.")
    try:
        return STATES_BY_GST_CODE[folded]
    except KeyError:
        raise UnknownState(f"{code!r} is not a GST state code.") from None


def state_by_name(name: str) -> IndianState:
    """Look up by name, tolerant of case, "&", punctuation and former names."""
    try:
        return STATES_BY_KEY[_KEYS_BY_NORMALISED_NAME[normalise_state_name(name)]]
    except KeyError:
        raise UnknownState(f"{name!r} is not a known Indian state or union territory.") from None
