"""How times and money read in an email: plain Python, no framework."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

EVENT_TIME_ZONE = "Asia/Kolkata"


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(moment: datetime, time_zone: str = EVENT_TIME_ZONE) -> str:
    """A time as people at the venue read it, with its zone stated: "28 Nov 2026, 10:00 IST"."""
    return moment.astimezone(_zone(time_zone)).strftime("%d %b %Y, %H:%M %Z")


def local_slot(starts_at: datetime, ends_at: datetime, time_zone: str = EVENT_TIME_ZONE) -> str:
    """A meeting's slot: "28 Nov 2026, 10:00–10:20 IST"."""
    zone = _zone(time_zone)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if start.date() != end.date():
        return f"{local_time(starts_at, time_zone)} – {local_time(ends_at, time_zone)}"
    return f"{start:%d %b %Y, %H:%M}–{end:%H:%M %Z}"


def rupees(paise: int) -> str:
    """Indian digit grouping, as invoices print it: 11800000 paise -> "₹1,18,000.00"."""
    sign = "-" if paise < 0 else ""
    whole, fraction = divmod(abs(paise), 100)
    digits = str(whole)
    if len(digits) > 3:
        head, tail = digits[:-3], digits[-3:]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        digits = ",".join(([head] if head else []) + groups + [tail])
    return f"{sign}₹{digits}.{fraction:02d}"
