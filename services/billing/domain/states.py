"""Indian states and union territories as GST sees them: billing's own copy of the table.

Two codes per region: the ISO 3166-2:IN key without "IN-" ("DL"), which registration's
events carry as an organisation's state, and the two-digit GST state code that opens every
GSTIN ("07"), which an invoice prints beside the place of supply.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GstState:
    key: str
    gst_code: str
    name: str

    @property
    def label(self) -> str:
        """As an invoice prints a place of supply: "Delhi (07)"."""
        return f"{self.name} ({self.gst_code})"


_STATES = (
    GstState("JK", "01", "Jammu and Kashmir"), GstState("HP", "02", "Himachal Pradesh"),
    GstState("PB", "03", "Punjab"), GstState("CH", "04", "Chandigarh"), GstState("UK", "05", "Uttarakhand"),
    GstState("HR", "06", "Haryana"), GstState("DL", "07", "Delhi"), GstState("RJ", "08", "Rajasthan"),
    GstState("UP", "09", "Uttar Pradesh"), GstState("BR", "10", "Bihar"), GstState("SK", "11", "Sikkim"),
    GstState("AR", "12", "Arunachal Pradesh"), GstState("NL", "13", "Nagaland"), GstState("MN", "14", "Manipur"),
    GstState("MZ", "15", "Mizoram"), GstState("TR", "16", "Tripura"), GstState("ML", "17", "Meghalaya"),
    GstState("AS", "18", "Assam"), GstState("WB", "19", "West Bengal"), GstState("JH", "20", "Jharkhand"),
    GstState("OD", "21", "Odisha"), GstState("CG", "22", "Chhattisgarh"), GstState("MP", "23", "Madhya Pradesh"),
    GstState("GJ", "24", "Gujarat"), GstState("DH", "26", "Dadra and Nagar Haveli and Daman and Diu"),
    GstState("MH", "27", "Maharashtra"), GstState("KA", "29", "Karnataka"), GstState("GA", "30", "Goa"),
    GstState("LD", "31", "Lakshadweep"), GstState("KL", "32", "Kerala"), GstState("TN", "33", "Tamil Nadu"),
    GstState("PY", "34", "Puducherry"), GstState("AN", "35", "Andaman and Nicobar Islands"),
    GstState("TS", "36", "Telangana"), GstState("AP", "37", "Andhra Pradesh"), GstState("LA", "38", "Ladakh"),
    GstState("OT", "97", "Other Territory"),
)

STATES_BY_KEY = {state.key: state for state in _STATES}
STATES_BY_GST_CODE = {state.gst_code: state for state in _STATES}


class UnknownState(ValueError):
    """Neither a state key nor a GST state code we know."""


def state_by_key(key: str) -> GstState:
    try:
        return STATES_BY_KEY[key.strip().upper().removeprefix("IN-")]
    except KeyError:
        raise UnknownState(f"{key!r} is not an Indian state or union territory code.") from None


def state_of_gstin(gstin: str) -> GstState:
    """A GSTIN's first two digits are its holder's GST state code."""
    try:
        return STATES_BY_GST_CODE[gstin[:2]]
    except KeyError:
        raise UnknownState(f"GSTIN {gstin!r} does not open with a GST state code.") from None
