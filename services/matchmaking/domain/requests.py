"""The rules of a meeting request, whatever the channel: who may ask whom, the caps, and the
life of a request (pending, then accepted, declined, expired or cancelled)."""
from __future__ import annotations

import enum
from dataclasses import dataclass

from shared.errors import InvalidFields, StateConflict

MAX_AGENDA = 1000


class Status(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


OPEN = (Status.PENDING, Status.ACCEPTED)


@dataclass(frozen=True)
class Party:
    """A side of a meeting as the rules see it."""

    key: str  # "company:<registration id>" or "officer:<officer id>"
    kind: str  # "company" or "officer"
    name: str
    edition_id: str
    taking_part: bool  # an approved organisation, or an officer on the roster
    wants_b2b: bool = True


def check_request(requester: Party, receiver: Party, *, agenda: str, open_requests: int, cap: int) -> str:
    """The kind of meeting ("b2g" or "b2b") if `requester` may ask `receiver`; else InvalidFields
    or StateConflict with a sentence the requester can act on."""
    if requester.kind != "company":
        raise StateConflict("Only companies send meeting requests; officers answer them.")
    if not requester.taking_part:
        raise StateConflict("Your organisation is not approved for matchmaking yet.")
    if requester.key == receiver.key:
        raise InvalidFields({"receiver": ["You cannot request a meeting with your own organisation."]})
    if receiver.edition_id != requester.edition_id or not receiver.taking_part:
        raise InvalidFields({"receiver": ["This participant is not taking part in matchmaking at this edition."]})
    if receiver.kind == "company" and not receiver.wants_b2b:
        raise InvalidFields({"receiver": [f"{receiver.name} does not take B2B meetings."]})
    agenda = agenda.strip()
    if not 10 <= len(agenda) <= MAX_AGENDA:
        raise InvalidFields({"agenda": [f"Say in 10 to {MAX_AGENDA} characters what you want to discuss."]})
    if open_requests >= cap:
        raise StateConflict(f"Your organisation already has {open_requests} open requests, the most allowed "
                            f"({cap}). Cancel one, or wait for answers, before asking again.")
    return "b2g" if receiver.kind == "officer" else "b2b"


def answer(status: Status, *, accept: bool) -> Status:
    if status is not Status.PENDING:
        raise StateConflict(f"This request is already {status.value}; it can no longer be answered.")
    return Status.ACCEPTED if accept else Status.DECLINED


def check_acceptance_capacity(accepted_meetings: int, capacity: int) -> None:
    """An officer cannot accept more meetings than their days can hold."""
    if accepted_meetings >= capacity:
        raise StateConflict(f"You have accepted {accepted_meetings} meetings, as many as your days can hold "
                            f"({capacity}). Decline this one, or cancel another first.")


def cancel(status: Status) -> Status:
    if status not in OPEN:
        raise StateConflict(f"This request is already {status.value}.")
    return Status.CANCELLED
