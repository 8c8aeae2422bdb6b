"""A person's agenda as an iCalendar file (RFC 5545), one event per meeting.

Each event's UID is built from the meeting's id, so a calendar that imports the file again
updates the meetings it already has instead of duplicating them; SEQUENCE grows with each
move, so the newest placement wins.
"""
from __future__ import annotations

from datetime import datetime, timezone

from icalendar import Calendar, Event

from services.matchmaking.adapters.queries import AgendaItem

PRODUCT_ID = "-//Defence Partnership Days//Matchmaking//EN"
UID_DOMAIN = "matchmaking.dpd"


def meeting_uid(meeting_id: str) -> str:
    return f"{meeting_id}@{UID_DOMAIN}"


def agenda_calendar(owner: str, items: list[AgendaItem], *, stamp: datetime | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{owner}: meetings at Defence Partnership Days")
    for item in items:
        event = Event()
        event.add("uid", meeting_uid(item.meeting_id))
        event.add("sequence", item.sequence)
        event.add("dtstamp", stamp or datetime.now(timezone.utc))
        event.add("dtstart", item.starts_at.astimezone(timezone.utc))
        event.add("dtend", item.ends_at.astimezone(timezone.utc))
        event.add("summary", f"{item.kind.upper()} meeting with {item.counterpart}")
        event.add("location", f"Table {item.table}, {item.venue}" if item.venue else f"Table {item.table}")
        event.add("description", item.agenda)
        calendar.add_component(event)
    return calendar.to_ical()
