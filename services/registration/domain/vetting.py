"""The life of a registration, from the registrant's email check to the organisers' decision.

    awaiting_verification --verify email--> submitted
    submitted --approve--> approved (or waitlisted when its category is full)
    submitted --waitlist--> waitlisted --approve--> approved
    submitted|waitlisted --request changes--> changes_requested --amend--> submitted
    submitted|waitlisted|changes_requested --reject (with a reason)--> rejected
    anything still alive --cancel--> cancelled; an approved one frees a place for the waitlist

Plain Python: every transition is guarded by the current status, so a replayed or
double-clicked decision is refused instead of applied twice.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from shared.errors import InvalidFields, StateConflict


class Status(enum.StrEnum):
    AWAITING_VERIFICATION = "awaiting_verification"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    WAITLISTED = "waitlisted"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class Decision(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    WAITLIST = "waitlist"
    REQUEST_CHANGES = "request_changes"


class TransitionRefused(StateConflict):
    """The registration is not in a state that allows this step; the message says why."""


@dataclass(frozen=True)
class Outcome:
    status: Status
    note: str | None = None  # what the organiser should know, e.g. "waitlisted: the category is full"


_ALLOWED_FROM = {
    Decision.APPROVE: {Status.SUBMITTED, Status.WAITLISTED},
    Decision.REJECT: {Status.SUBMITTED, Status.WAITLISTED, Status.CHANGES_REQUESTED},
    Decision.WAITLIST: {Status.SUBMITTED},
    Decision.REQUEST_CHANGES: {Status.SUBMITTED, Status.WAITLISTED},
}
_VERB = {Decision.APPROVE: "approved", Decision.REJECT: "rejected", Decision.WAITLIST: "waitlisted",
         Decision.REQUEST_CHANGES: "sent back for changes"}


def decide(current: Status, decision: Decision, *, places_left: int | None, message: str | None = None) -> Outcome:
    """An organiser's decision. `places_left` in the registration's category (None: no limit)."""
    if current not in _ALLOWED_FROM[decision]:
        raise TransitionRefused(f"A registration that is {current.value.replace('_', ' ')} cannot be "
                                f"{_VERB[decision]}.")
    if decision in (Decision.REJECT, Decision.REQUEST_CHANGES) and len((message or "").strip()) < 5:
        what = "why it is rejected" if decision is Decision.REJECT else "what should change"
        raise InvalidFields({"message": [f"Tell the registrant {what} (a few words at least)."]})
    if decision is Decision.APPROVE:
        if places_left is not None and places_left <= 0:
            if current is Status.WAITLISTED:
                raise TransitionRefused("The category is full: this registration stays on the waitlist.")
            return Outcome(Status.WAITLISTED, "The category is full, so it was waitlisted instead.")
        return Outcome(Status.APPROVED)
    return Outcome({Decision.REJECT: Status.REJECTED, Decision.WAITLIST: Status.WAITLISTED,
                    Decision.REQUEST_CHANGES: Status.CHANGES_REQUESTED}[decision])


def verify_email(current: Status, *, every_address_confirmed: bool) -> Status:
    """A delegate's email link: once every delegate's address is confirmed, the registration
    enters vetting. Following a link again changes nothing."""
    if current is Status.AWAITING_VERIFICATION and every_address_confirmed:
        return Status.SUBMITTED
    return current


def amend(current: Status) -> Status:
    if current is not Status.CHANGES_REQUESTED:
        raise TransitionRefused("Only a registration sent back for changes can be amended.")
    return Status.SUBMITTED


def cancel(current: Status) -> tuple[Status, bool]:
    """The new status, and whether a place in the category was freed for the waitlist."""
    if current in (Status.CANCELLED, Status.REJECTED):
        raise TransitionRefused(f"A registration that is {current.value} cannot be cancelled.")
    return Status.CANCELLED, current is Status.APPROVED


# Who the organisation is: a change to these sends an approved registration back to vetting.
MATERIAL_FIELDS = frozenset({"legal_name", "type", "country", "state", "gstin", "udyam_number", "dpiit_number"})
EDITABLE_BY_REGISTRANT = frozenset({Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.WAITLISTED, Status.APPROVED})


def after_registrant_edit(current: Status, changed: set[str]) -> Status:
    """The status once the registrant has edited their organisation's details."""
    if current not in EDITABLE_BY_REGISTRANT:
        raise TransitionRefused(f"A registration that is {current.value.replace('_', ' ')} cannot be changed.")
    if current is Status.CHANGES_REQUESTED:
        return amend(current)
    if current is Status.APPROVED and changed & MATERIAL_FIELDS:
        return Status.SUBMITTED
    return current
