"""Who hears about a meeting's life, and with which calendar invite. Plain Python.

A request goes to the receiving side (grouped into digests, see digests.py); its answer or
expiry goes back to the requesting side; a placement, a move or a cancellation goes to both
sides, with an invite that adds, updates or removes the one calendar entry of the meeting.
"""
from __future__ import annotations

from dataclasses import dataclass

from services.notification.domain.formatting import local_slot, local_time
from services.notification.domain.messages import CalendarInvite, EmailToSend, Recipient

MEETING_REQUESTS_DIGEST = "meeting_requests"
_CANCELLED_BY = {"organiser": "the organisers", "platform": "the platform"}


@dataclass(frozen=True)
class MeetingLinks:
    """Where participants answer requests and see their agenda (matchmaking's pages)."""

    requests_url: str
    agenda_url: str

    @classmethod
    def of(cls, matchmaking_url: str) -> MeetingLinks:
        base = matchmaking_url.rstrip("/")
        return cls(requests_url=f"{base}/me", agenda_url=f"{base}/me/agenda")


def _people(party: dict) -> list[Recipient]:
    return [Recipient(email=person["email"], full_name=person["name"]) for person in party["people"]]


def _context(meeting: dict, recipient: Recipient, counterpart: dict, links: MeetingLinks) -> dict:
    placed = meeting["starts_at"] is not None
    return {
        "full_name": recipient.full_name,
        "kind": meeting["kind"].upper(),
        "counterpart": counterpart["name"],
        "counterpart_detail": counterpart["detail"],
        "agenda": meeting["agenda"],
        "slot": local_slot(meeting["starts_at"], meeting["ends_at"], meeting["time_zone"]) if placed else None,
        "table": meeting["table"],
        "requests_url": links.requests_url,
        "agenda_url": links.agenda_url,
    }


def _to_side(template: str, meeting: dict, side: str, links: MeetingLinks, **extra) -> list[EmailToSend]:
    other = meeting["receiver" if side == "requester" else "requester"]
    return [EmailToSend(recipient=person, template=template,
                        context={**_context(meeting, person, other, links), **extra})
            for person in _people(meeting[side])]


def meeting_requested(data: dict, links: MeetingLinks) -> list[EmailToSend]:
    """The receiving side is asked; many requests to one person are grouped into a digest."""
    return [EmailToSend(recipient=email.recipient, template=email.template, context=email.context,
                        digest=MEETING_REQUESTS_DIGEST)
            for email in _to_side("meeting_requested", data, "receiver", links, requested_by=data["requested_by"],
                                  respond_by=local_time(data["respond_by"], data["time_zone"]))]


def meeting_accepted(data: dict, links: MeetingLinks) -> list[EmailToSend]:
    return _to_side("meeting_accepted", data, "requester", links)


def meeting_declined(data: dict, links: MeetingLinks) -> list[EmailToSend]:
    return _to_side("meeting_declined", data, "requester", links, reason=data["reason"])


def meeting_expired(data: dict, links: MeetingLinks) -> list[EmailToSend]:
    return _to_side("meeting_expired", data, "requester", links)


def _both_sides(template: str, data: dict, links: MeetingLinks, calendar: CalendarInvite | None, **extra) -> list[EmailToSend]:
    return [EmailToSend(recipient=email.recipient, template=email.template, context=email.context, calendar=calendar)
            for side in ("requester", "receiver") for email in _to_side(template, data, side, links, **extra)]


def invite(data: dict, method: str) -> CalendarInvite:
    requester, receiver = data["requester"], data["receiver"]
    return CalendarInvite(
        meeting_id=str(data["meeting_id"]), sequence=data["sequence"], method=method,
        starts_at=data["starts_at"], ends_at=data["ends_at"],
        summary=f"{data['kind'].upper()} meeting: {requester['name']} and {receiver['name']}",
        location=f"Table {data['table']}, Defence Partnership Days", description=data["agenda"],
        attendees=tuple((person["name"], person["email"]) for party in (requester, receiver)
                        for person in party["people"]))


def meeting_scheduled(data: dict, links: MeetingLinks) -> list[EmailToSend]:
    return _both_sides("meeting_scheduled", data, links, invite(data, "REQUEST"))


def meeting_moved(data: dict, links: MeetingLinks) -> list[EmailToSend]:
    previous = local_slot(data["previous_starts_at"], data["previous_ends_at"], data["time_zone"])
    return _both_sides("meeting_moved", data, links, invite(data, "REQUEST"),
                       previous_slot=previous, previous_table=data["previous_table"])


def meeting_cancelled(data: dict, links: MeetingLinks) -> list[EmailToSend]:
    """Both sides hear; a meeting that had a slot leaves their calendars too."""
    placed = data["starts_at"] is not None
    cancelled_by = _CANCELLED_BY.get(data["cancelled_by"]) or data[data["cancelled_by"]]["name"]
    return _both_sides("meeting_cancelled", data, links, invite(data, "CANCEL") if placed else None,
                       cancelled_by=cancelled_by, reason=data["reason"])
