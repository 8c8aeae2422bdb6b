"""A meeting's calendar invite as an iCalendar document (RFC 5545, iTIP methods of RFC 5546).

The UID is the one matchmaking's agenda download gives the same meeting
(`<meeting id>@matchmaking.dpd`), so an invite, a later move and the downloaded agenda all
update one calendar entry instead of adding copies; SEQUENCE is matchmaking's, which grows
with every change, so calendars apply the newest and ignore a late older one.
"""
from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parseaddr

from icalendar import Calendar, Event, vCalAddress, vText

from services.notification.domain.messages import CalendarInvite

PRODUCT_ID = "-//Defence Partnership Days//Notification//EN"
UID_DOMAIN = "matchmaking.dpd"  # matchmaking's, for its agenda file: keep the two equal


def meeting_uid(meeting_id: str) -> str:
    return f"{meeting_id}@{UID_DOMAIN}"


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def invite_ics(invite: CalendarInvite, *, organiser: str, stamp: datetime) -> str:
    """The iCalendar text of `invite`; `organiser` is the From address ("Name <address>")."""
    organiser_name, organiser_email = parseaddr(organiser)
    cancelled = invite.method == "CANCEL"
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", invite.method)
    event = Event()
    event.add("uid", meeting_uid(invite.meeting_id))
    event.add("sequence", invite.sequence)
    event.add("dtstamp", stamp.astimezone(timezone.utc))
    event.add("dtstart", invite.starts_at.astimezone(timezone.utc))
    event.add("dtend", invite.ends_at.astimezone(timezone.utc))
    event.add("summary", invite.summary)
    event.add("location", invite.location)
    event.add("description", invite.description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(organiser_email, organiser_name or organiser_email))
    for name, email in invite.attendees:
        event.add("attendee", _address(email, name, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp="FALSE"))
    calendar.add_component(event)
    return calendar.to_ical().decode()
