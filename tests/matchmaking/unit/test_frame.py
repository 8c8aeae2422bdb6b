"""The schedule frame: slots follow from days, hours, breaks and slot length; bad frames are refused field by field."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from services.matchmaking.domain.frame import Break, Day, Frame, PartOfDay
from shared.errors import InvalidFields


def two_days() -> tuple[Day, ...]:
    return tuple(Day(date(2026, 11, 28 + d), time(9, 30), time(17, 30), (Break(time(13), time(14), "Lunch"),))
                 for d in range(2))


def test_slots_are_computed_in_the_edition_time_zone_and_stored_in_utc():
    frame = Frame(edition_id="e", time_zone="Asia/Kolkata", days=two_days(), b2g_tables=150, b2b_tables=100)
    assert len(frame.slots) == 40
    first = frame.slots[0]
    assert first.starts_at == datetime(2026, 11, 28, 4, 0, tzinfo=timezone.utc)
    assert first.part is PartOfDay.MORNING and frame.slots[10].part is PartOfDay.AFTERNOON
    assert frame.slots[10].starts_at.astimezone(frame.zone).time() == time(14)
    assert frame.meeting_capacity_of_officer() == 32


def test_a_bad_frame_is_refused_with_every_reason():
    with pytest.raises(InvalidFields) as refused:
        Frame(edition_id="e", time_zone="Mars/Olympus", slot_minutes=2, b2g_tables=0, b2b_tables=0,
              days=(Day(date(2026, 11, 28), time(17), time(9)),
                    Day(date(2026, 11, 28), time(9), time(17), (Break(time(8), time(9)),))))
    assert set(refused.value.errors) == {"time_zone", "slot_minutes", "days.0.closes", "days.1.date",
                                         "days.1.breaks.0.starts", "b2b_tables"}
