"""Who an announcement can go to. Plain Python; the directory query lives in adapters/segments.py."""
from __future__ import annotations

from enum import Enum


class Segment(str, Enum):
    APPROVED_DELEGATES = "approved_delegates"
    OFFICERS = "officers"
    EXHIBITORS = "exhibitors"
    SPONSORS = "sponsors"
    EVERYONE = "everyone"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Segment.APPROVED_DELEGATES: "All delegates of approved registrations",
    Segment.OFFICERS: "All officers on the roster",
    Segment.EXHIBITORS: "Delegates of exhibitors (a booth allocated)",
    Segment.SPONSORS: "Delegates of sponsors (a sponsorship confirmed)",
    Segment.EVERYONE: "Everyone: approved delegates and officers",
}
