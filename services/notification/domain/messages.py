"""Who hears about what: the emails an event calls for. Plain Python; rendering happens elsewhere."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

EVENT_TIME_ZONE = ZoneInfo("Asia/Kolkata")


@dataclass(frozen=True)
class Contact:
    person_id: str
    email: str
    full_name: str
    registration_id: str


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
    person = data["contact"]
    contact = Contact(person_id=str(person["delegate_id"]), email=person["email"],
                      full_name=person["full_name"], registration_id=str(data["registration_id"]))
    return [EmailToSend(recipient=contact, template="registration_received", context={
        "full_name": contact.full_name,
        "organisation": data["organisation"]["legal_name"],
        "reference": data["reference"],
        "submitted_at": local_time(data["submitted_at"]),
        "delegates": [p["full_name"] for p in data["delegates"]],
    })]
