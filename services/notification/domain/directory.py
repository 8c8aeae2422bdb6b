"""Notification's own directory of the people it may write to, kept from registration's and
billing's events: who they are, which edition, which organisation and its standing. Plain Python."""
from __future__ import annotations

from dataclasses import dataclass

DEFAULT_LANGUAGE = "en"

DELEGATE = "delegate"
OFFICER = "officer"

SPONSOR = "sponsor"
EXHIBITOR = "exhibitor"

# The registration's status each decision leaves it in (registration.updated.v1 states it itself).
STATUS_AFTER = {
    "registration.submitted.v1": "submitted",
    "registration.approved.v1": "approved",
    "registration.rejected.v1": "rejected",
    "registration.waitlisted.v1": "waitlisted",
    "registration.changes_requested.v1": "changes_requested",
    "registration.cancelled.v1": "cancelled",
}


@dataclass(frozen=True)
class DirectoryEntry:
    person_id: str
    kind: str  # DELEGATE or OFFICER
    edition_id: str
    registration_id: str | None  # officers belong to no registration
    email: str
    full_name: str
    role: str | None  # a delegate's designation, an officer's appointment
    language: str = DEFAULT_LANGUAGE


def delegates_of(data: dict) -> list[DirectoryEntry]:
    """Every delegate a registration event names (the contact is one of them)."""
    return [DirectoryEntry(person_id=str(person["delegate_id"]), kind=DELEGATE, edition_id=str(data["edition_id"]),
                           registration_id=str(data["registration_id"]), email=person["email"],
                           full_name=person["full_name"], role=person["designation"],
                           language=person["language"] or DEFAULT_LANGUAGE)
            for person in data["delegates"]]


def officer(data: dict) -> DirectoryEntry:
    return DirectoryEntry(person_id=str(data["officer_id"]), kind=OFFICER, edition_id=str(data["edition_id"]),
                          registration_id=None, email=data["email"], full_name=data["name"],
                          role=data["appointment"])
