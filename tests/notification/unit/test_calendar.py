"""Calendar invites: one entry per meeting in people's calendars, updated and removed in place."""
from __future__ import annotations

from datetime import datetime, timezone

from icalendar import Calendar

from services.notification import contracts as c
from services.notification.adapters.calendar import invite_ics
from services.notification.domain import meetings
from services.notification.domain.meetings import MeetingLinks
from services.notification.samples import EVENTS

LINKS = MeetingLinks.of("https://dpd.example.in/matchmaking")
STAMP = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)
ORGANISER = "Defence Partnership Days <no-reply@defencepartnershipdays.in>"


def calendar_of(event_type: str, make) -> tuple[Calendar, object]:
    [first, *_] = make(EVENTS[event_type], LINKS)
    calendar = Calendar.from_ical(invite_ics(first.calendar, organiser=ORGANISER, stamp=STAMP))
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_a_scheduled_meeting_is_a_request_with_its_slot_in_utc_its_table_and_everyone_invited():
    calendar, event = calendar_of(c.MEETING_SCHEDULED, meetings.meeting_scheduled)

    assert str(calendar["METHOD"]) == "REQUEST" and str(calendar["VERSION"]) == "2.0"
    assert event.decoded("DTSTART") == datetime(2026, 11, 28, 4, 30, tzinfo=timezone.utc)
    assert event.decoded("DTEND") == datetime(2026, 11, 28, 4, 50, tzinfo=timezone.utc)
    assert event["DTSTART"].to_ical() == b"20261128T043000Z"
    assert str(event["LOCATION"]) == "Table G12, Defence Partnership Days"
    assert str(event["STATUS"]) == "CONFIRMED" and event["SEQUENCE"] == 1
    assert str(event["ORGANIZER"]) == "mailto:no-reply@defencepartnershipdays.in"
    assert sorted(str(a) for a in event["ATTENDEE"]) == ["mailto:ananya.rao@tejas-avionics.example.in",
                                                          "mailto:r.iyer@navy.example.in"]
    assert "P-75I" in str(event["DESCRIPTION"])


def test_a_move_and_a_cancellation_update_the_same_entry_with_a_higher_sequence():
    _, scheduled = calendar_of(c.MEETING_SCHEDULED, meetings.meeting_scheduled)
    moved_calendar, moved = calendar_of(c.MEETING_MOVED, meetings.meeting_moved)
    cancelled_calendar, cancelled = calendar_of(c.MEETING_CANCELLED, meetings.meeting_cancelled)

    uid = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f@matchmaking.dpd"  # as matchmaking's agenda download names it
    assert str(scheduled["UID"]) == str(moved["UID"]) == str(cancelled["UID"]) == uid
    assert scheduled["SEQUENCE"] < moved["SEQUENCE"] < cancelled["SEQUENCE"]
    assert str(moved_calendar["METHOD"]) == "REQUEST" and str(moved["LOCATION"]).startswith("Table G7")
    assert moved.decoded("DTSTART") == datetime(2026, 11, 28, 6, 30, tzinfo=timezone.utc)
    assert str(cancelled_calendar["METHOD"]) == "CANCEL" and str(cancelled["STATUS"]) == "CANCELLED"


def test_both_sides_hear_of_a_placement_and_only_placed_meetings_carry_an_invite():
    scheduled = meetings.meeting_scheduled(EVENTS[c.MEETING_SCHEDULED], LINKS)
    assert sorted(e.recipient.email for e in scheduled) == ["ananya.rao@tejas-avionics.example.in",
                                                            "r.iyer@navy.example.in"]
    assert all(e.calendar and e.calendar.method == "REQUEST" for e in scheduled)

    never_placed = {**EVENTS[c.MEETING_CANCELLED], "starts_at": None, "ends_at": None, "table": None}
    cancelled = meetings.meeting_cancelled(never_placed, LINKS)
    assert len(cancelled) == 2 and all(e.calendar is None for e in cancelled)
    assert all(e.context["cancelled_by"] == "the organisers" for e in cancelled)


def test_requests_go_to_the_receiving_side_grouped_and_answers_back_to_the_requester():
    [request] = meetings.meeting_requested(EVENTS[c.MEETING_REQUESTED], LINKS)
    assert request.recipient.email == "r.iyer@navy.example.in" and request.digest == meetings.MEETING_REQUESTS_DIGEST
    [declined] = meetings.meeting_declined(EVENTS[c.MEETING_DECLINED], LINKS)
    assert declined.recipient.email == "ananya.rao@tejas-avionics.example.in" and declined.digest is None
    assert declined.context["reason"] == "Sonar domes are handled by another directorate."
