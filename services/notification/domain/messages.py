"""Who hears about what: the emails an event calls for. Plain Python; rendering happens elsewhere.

Registration's and identity's events here; meetings in meetings.py, orders in orders.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.notification.domain.formatting import local_time


@dataclass(frozen=True)
class Recipient:
    email: str
    full_name: str
    person_id: str | None = None  # None for someone the directory does not know by id (an unconfirmed registrant)


@dataclass(frozen=True)
class CalendarInvite:
    """What a calendar needs to add, update or remove one meeting (RFC 5545 iTIP)."""

    meeting_id: str  # the UID is built from it: every invite about a meeting updates the same entry
    sequence: int  # grows with each change, so the newest invite wins
    method: str  # "REQUEST" (add or update) or "CANCEL" (remove)
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str
    description: str
    attendees: tuple[tuple[str, str], ...]  # (name, email) of everyone at the meeting


@dataclass(frozen=True)
class EmailToSend:
    recipient: Recipient
    template: str
    context: dict
    calendar: CalendarInvite | None = None
    digest: str | None = None  # grouped with others of this kind for the same recipient (domain/digests.py)


def registration_received(data: dict) -> list[EmailToSend]:
    """The contact person hears that the registration arrived and what happens next."""
    contact = _contact(data)
    return [EmailToSend(recipient=contact, template="registration_received", context={
        "full_name": contact.full_name,
        "organisation": data["organisation"]["legal_name"],
        "reference": data["reference"],
        "submitted_at": local_time(data["submitted_at"]),
        "delegates": [p["full_name"] for p in data["delegates"]],
    })]


def _contact(data: dict) -> Recipient:
    person = data["contact"]
    return Recipient(person_id=str(person["delegate_id"]), email=person["email"], full_name=person["full_name"])


def _delegates(data: dict) -> list[Recipient]:
    return [Recipient(person_id=str(p["delegate_id"]), email=p["email"], full_name=p["full_name"])
            for p in data["delegates"]]


def registration_approved(data: dict) -> list[EmailToSend]:
    """Every delegate hears that they are in, and how to sign in to see their registration."""
    return [EmailToSend(recipient=person, template="registration_approved", context={
        "full_name": person.full_name,
        "organisation": data["organisation"]["legal_name"],
        "reference": data["reference"],
        "access_url": data["access_url"],
    }) for person in _delegates(data)]


def access_link(data: dict) -> list[EmailToSend]:
    person = Recipient(person_id=str(data["person_id"]), email=data["email"], full_name=data["full_name"])
    return [EmailToSend(recipient=person, template="access_link", context={
        "full_name": data["full_name"], "url": data["url"], "expires_at": local_time(data["expires_at"]),
    })]


def email_verification(data: dict) -> list[EmailToSend]:
    """Each delegate confirms their address before the registration reaches the organisers."""
    person = Recipient(email=data["email"], full_name=data["full_name"])
    return [EmailToSend(recipient=person, template="email_verification", context={
        "full_name": data["full_name"], "organisation": data["organisation_name"], "reference": data["reference"],
        "url": data["url"], "expires_at": local_time(data["expires_at"]), "registered_by": data["registered_by"],
    })]


def to_contact(template: str, data: dict, **extra) -> list[EmailToSend]:
    """A decision the organisation's contact hears about (rejected, waitlisted, changes, cancelled)."""
    contact = _contact(data)
    return [EmailToSend(recipient=contact, template=template, context={
        "full_name": contact.full_name, "organisation": data["organisation"]["legal_name"],
        "reference": data["reference"], **extra})]


def registration_rejected(data: dict) -> list[EmailToSend]:
    return to_contact("registration_rejected", data, message=data["message"])


def registration_changes_requested(data: dict) -> list[EmailToSend]:
    return to_contact("registration_changes_requested", data, message=data["message"], access_url=data["access_url"])


def registration_waitlisted(data: dict) -> list[EmailToSend]:
    return to_contact("registration_waitlisted", data)


def registration_cancelled(data: dict) -> list[EmailToSend]:
    return to_contact("registration_cancelled", data)


def badge_ready(data: dict) -> list[EmailToSend]:
    person = Recipient(person_id=str(data["person_id"]), email=data["email"], full_name=data["full_name"])
    return [EmailToSend(recipient=person, template="badge_ready", context={
        "full_name": data["full_name"], "role": data["role_label"], "png_url": data["png_url"],
        "pdf_url": data["pdf_url"]})]
