"""Who hears about what: the emails an event calls for. Plain Python; rendering happens elsewhere."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

EVENT_TIME_ZONE = ZoneInfo("Asia/Kolkata")


@dataclass(frozen=True)
class Contact:
    person_id: str | None  # None for someone who is not a delegate yet (an unconfirmed registrant)
    email: str
    full_name: str
    registration_id: str | None = None


@dataclass(frozen=True)
class EmailToSend:
    recipient: Contact
    template: str
    context: dict


def local_time(moment: datetime) -> str:
    """A time as people at the event read it: Indian Standard Time, stated."""
    return moment.astimezone(EVENT_TIME_ZONE).strftime("%d %b %Y, %H:%M IST")


def contacts_of_registration(data: dict) -> list[Contact]:
    registration_id = str(data["registration_id"])
    return [Contact(person_id=str(person["delegate_id"]), email=person["email"],
                    full_name=person["full_name"], registration_id=registration_id)
            for person in data["delegates"]]


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


def _contact(data: dict) -> Contact:
    person = data["contact"]
    return Contact(person_id=str(person["delegate_id"]), email=person["email"], full_name=person["full_name"],
                   registration_id=str(data["registration_id"]))


def registration_approved(data: dict) -> list[EmailToSend]:
    """Every delegate hears that they are in, and how to sign in to see their registration."""
    return [EmailToSend(recipient=person, template="registration_approved", context={
        "full_name": person.full_name,
        "organisation": data["organisation"]["legal_name"],
        "reference": data["reference"],
        "access_url": data["access_url"],
    }) for person in contacts_of_registration(data)]


def access_link(data: dict) -> list[EmailToSend]:
    person = Contact(person_id=str(data["person_id"]), email=data["email"], full_name=data["full_name"])
    return [EmailToSend(recipient=person, template="access_link", context={
        "full_name": data["full_name"], "url": data["url"], "expires_at": local_time(data["expires_at"]),
    })]


def email_verification(data: dict) -> list[EmailToSend]:
    """Each delegate confirms their address before the registration reaches the organisers."""
    person = Contact(person_id=None, email=data["email"], full_name=data["full_name"],
                     registration_id=str(data["registration_id"]))
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


def badge_ready(data: dict) -> list[EmailToSend]:
    person = Contact(person_id=str(data["person_id"]), email=data["email"], full_name=data["full_name"])
    return [EmailToSend(recipient=person, template="badge_ready", context={
        "full_name": data["full_name"], "role": data["role_label"], "png_url": data["png_url"],
        "pdf_url": data["pdf_url"]})]
