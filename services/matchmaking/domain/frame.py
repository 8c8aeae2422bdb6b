"""The schedule frame of an edition: the days, opening hours and breaks, the slot length, the
tables and the caps that organisers set, and the slots that follow from them.

Times of day are read in the edition's time zone (people at the venue set and read them);
every slot's start and end are computed as aware datetimes and compared in UTC.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.errors import InvalidFields

# Where the afternoon begins, for requests that ask for a part of the day.
NOON = time(12, 0)
MAX_SLOTS = 400  # a frame past this is a mistake (e.g. 5-minute slots over a week), not an event


class PartOfDay(enum.StrEnum):
    ANY = "any"
    MORNING = "morning"
    AFTERNOON = "afternoon"


@dataclass(frozen=True)
class Break:
    starts: time
    ends: time
    label: str = "Break"


@dataclass(frozen=True)
class Day:
    date: date
    opens: time
    closes: time
    breaks: tuple[Break, ...] = ()


@dataclass(frozen=True)
class Slot:
    """One slot of the frame: `index` orders every slot of the edition, `position` its place in its day."""

    index: int
    day: int
    position: int
    starts_at: datetime
    ends_at: datetime
    part: PartOfDay  # MORNING or AFTERNOON, by when the slot starts

    def fits(self, wanted: PartOfDay) -> bool:
        return wanted is PartOfDay.ANY or wanted is self.part


@dataclass(frozen=True)
class Frame:
    edition_id: str
    time_zone: str
    days: tuple[Day, ...]
    slot_minutes: int = 20
    b2g_tables: int = 0
    b2b_tables: int = 0
    officers_keep_tables: bool = True  # each officer holds one B2G table all day
    max_open_requests_per_company: int = 30
    max_meetings_per_officer_per_day: int = 16
    max_meetings_per_company_per_day: int | None = None
    response_hours: int = 72  # a request not answered within this expires
    slots: tuple[Slot, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        check_frame(self)
        object.__setattr__(self, "slots", tuple(_slots_of(self)))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def slot_at(self, starts_at: datetime) -> Slot | None:
        return next((slot for slot in self.slots if slot.starts_at == starts_at), None)

    def b2g_table_labels(self) -> list[str]:
        return [f"G{number}" for number in range(1, self.b2g_tables + 1)]

    def b2b_table_labels(self) -> list[str]:
        return [f"B{number}" for number in range(1, self.b2b_tables + 1)]

    def meeting_capacity_of_officer(self) -> int:
        """How many meetings an officer can hold over the whole edition."""
        per_day = [sum(1 for slot in self.slots if slot.day == index) for index in range(len(self.days))]
        return sum(min(count, self.max_meetings_per_officer_per_day) for count in per_day)


def _slots_of(frame: Frame) -> list[Slot]:
    zone = frame.zone
    length = timedelta(minutes=frame.slot_minutes)
    slots: list[Slot] = []
    for day_index, day in enumerate(frame.days):
        start = datetime.combine(day.date, day.opens, zone)
        closes = datetime.combine(day.date, day.closes, zone)
        position = 0
        while start + length <= closes:
            end = start + length
            clash = next((b for b in day.breaks if start < datetime.combine(day.date, b.ends, zone)
                          and datetime.combine(day.date, b.starts, zone) < end), None)
            if clash:
                start = max(start + length, datetime.combine(day.date, clash.ends, zone))
                continue
            part = PartOfDay.MORNING if start.timetz().replace(tzinfo=None) < NOON else PartOfDay.AFTERNOON
            slots.append(Slot(index=len(slots), day=day_index, position=position, starts_at=start.astimezone(ZoneInfo("UTC")),
                              ends_at=end.astimezone(ZoneInfo("UTC")), part=part))
            position += 1
            start = end
    return slots


def check_frame(frame: Frame) -> None:
    """Every rule a frame must satisfy, all reported at once, keyed like the API's fields."""
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    try:
        ZoneInfo(frame.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        refuse("time_zone", "Unknown time zone; use a name like Asia/Kolkata.")
    if not 5 <= frame.slot_minutes <= 240:
        refuse("slot_minutes", "A slot lasts between 5 and 240 minutes.")
    if not frame.days:
        refuse("days", "Give at least one day.")
    seen: set[date] = set()
    for index, day in enumerate(frame.days):
        if day.date in seen:
            refuse(f"days.{index}.date", "This day is listed twice.")
        seen.add(day.date)
        if day.closes <= day.opens:
            refuse(f"days.{index}.closes", "The day must close after it opens.")
        for number, pause in enumerate(day.breaks):
            if pause.ends <= pause.starts:
                refuse(f"days.{index}.breaks.{number}.ends", "A break must end after it starts.")
            elif pause.starts < day.opens or pause.ends > day.closes:
                refuse(f"days.{index}.breaks.{number}.starts", "A break must lie within the day's opening hours.")
    if frame.b2g_tables < 0 or frame.b2b_tables < 0:
        refuse("b2g_tables", "Table counts cannot be negative.")
    if frame.b2g_tables + frame.b2b_tables == 0:
        refuse("b2b_tables", "Give at least one table.")
    if frame.max_open_requests_per_company < 1:
        refuse("max_open_requests_per_company", "Allow at least one request.")
    if frame.max_meetings_per_officer_per_day < 1:
        refuse("max_meetings_per_officer_per_day", "Allow at least one meeting a day.")
    if frame.max_meetings_per_company_per_day is not None and frame.max_meetings_per_company_per_day < 1:
        refuse("max_meetings_per_company_per_day", "Allow at least one meeting a day, or leave it empty.")
    if not 1 <= frame.response_hours <= 24 * 60:
        refuse("response_hours", "Give between 1 hour and 60 days to answer a request.")
    if not errors:
        total_minutes = sum((datetime.combine(d.date, d.closes) - datetime.combine(d.date, d.opens)).seconds // 60
                            for d in frame.days)
        if total_minutes // frame.slot_minutes > MAX_SLOTS:
            refuse("slot_minutes", f"The frame would have more than {MAX_SLOTS} slots; use longer slots or fewer days.")
    if errors:
        raise InvalidFields(errors)
