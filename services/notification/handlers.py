"""What notification does with each event it consumes: keep its directory, queue the emails.

Each handler runs inside the consumer's transaction, beside the processed-event mark.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection

from services.notification import contracts as c
from services.notification.adapters.tables import (
    contacts, digest_items, digest_schedule, editions, organisation_benefits, outbound_emails, registrations,
    revoked_subjects)
from services.notification.catalogue import EMAILS_FOR
from services.notification.domain import directory
from services.notification.domain.meetings import MeetingLinks
from services.notification.queueing import Cause, EmailQueue
from shared.consumer import Handler, ReceivedEvent
from shared.revocation import ACCESS_REVOKED, access_revoked_handler

_contact = insert(contacts)
_UPSERT_CONTACT = _contact.on_conflict_do_update(index_elements=["person_id"], set_={
    column: _contact.excluded[column] for column in
    ("kind", "edition_id", "registration_id", "email", "full_name", "role", "language")} | {"updated_at": sa.func.now()})
_registration = insert(registrations)
_UPSERT_REGISTRATION = _registration.on_conflict_do_update(index_elements=["registration_id"], set_={
    "legal_name": _registration.excluded.legal_name, "status": _registration.excluded.status,
    "updated_at": sa.func.now()})
_KEEP_REGISTRATION_NAME = _registration.on_conflict_do_update(index_elements=["registration_id"], set_={
    "legal_name": _registration.excluded.legal_name, "updated_at": sa.func.now()})
_REMOVE_DEPARTED_DELEGATES = contacts.delete().where(
    contacts.c.registration_id == sa.bindparam("registration_id"),
    contacts.c.person_id.not_in(sa.bindparam("staying", expanding=True)))
_edition = insert(editions)
_UPSERT_EDITION = _edition.on_conflict_do_update(index_elements=["edition_id"], set_={
    "name": _edition.excluded.name, "starts_on": _edition.excluded.starts_on})
_GRANT_BENEFIT = insert(organisation_benefits).on_conflict_do_nothing()
_BENEFIT = {c.SPONSORSHIP_CONFIRMED: (directory.SPONSOR, "tier_id", True),
            c.SPONSORSHIP_WITHDRAWN: (directory.SPONSOR, "tier_id", False),
            c.BOOTH_ALLOCATED: (directory.EXHIBITOR, "booth_id", True),
            c.BOOTH_RELEASED: (directory.EXHIBITOR, "booth_id", False)}
_REGISTRATION_EVENTS = (c.REGISTRATION_SUBMITTED, c.REGISTRATION_APPROVED, c.REGISTRATION_REJECTED,
                        c.REGISTRATION_WAITLISTED, c.REGISTRATION_CHANGES_REQUESTED, c.REGISTRATION_CANCELLED,
                        c.REGISTRATION_UPDATED, c.DELEGATE_ADDED, c.DELEGATE_REMOVED)


def _entry_row(entry: directory.DirectoryEntry) -> dict:
    return {"person_id": entry.person_id, "kind": entry.kind, "edition_id": entry.edition_id,
            "registration_id": entry.registration_id, "email": entry.email, "full_name": entry.full_name,
            "role": entry.role, "language": entry.language}


def keep_registration(connection: Connection, event: ReceivedEvent) -> None:
    """The registration's standing and its delegates as the event states them; delegates it no longer names go."""
    data, event_type = event.data, event.envelope.type
    status = data["status"] if event_type == c.REGISTRATION_UPDATED else directory.STATUS_AFTER.get(event_type)
    registration_id = str(data["registration_id"])
    connection.execute(_UPSERT_REGISTRATION if status else _KEEP_REGISTRATION_NAME, {
        "registration_id": registration_id, "edition_id": str(data["edition_id"]),
        "legal_name": data["organisation"]["legal_name"], "status": status or "submitted"})
    delegates = directory.delegates_of(data)
    connection.execute(_UPSERT_CONTACT, [_entry_row(entry) for entry in delegates])
    connection.execute(_REMOVE_DEPARTED_DELEGATES, {"registration_id": registration_id,
                                                    "staying": [entry.person_id for entry in delegates]})


def keep_edition(connection: Connection, event: ReceivedEvent) -> None:
    data = event.data
    connection.execute(_UPSERT_EDITION, {"edition_id": str(data["edition_id"]), "name": data["name"],
                                         "starts_on": data["starts_on"]})


def keep_officer(connection: Connection, event: ReceivedEvent) -> None:
    connection.execute(_UPSERT_CONTACT, [_entry_row(directory.officer(event.data))])


def remove_officer(connection: Connection, event: ReceivedEvent) -> None:
    connection.execute(contacts.delete().where(contacts.c.person_id == str(event.data["officer_id"])))


def keep_benefit(connection: Connection, event: ReceivedEvent) -> None:
    """Sponsors and exhibitors, for announcements to them: granted when billing confirms, gone when withdrawn."""
    benefit, item_key, granted = _BENEFIT[event.envelope.type]
    row = {"registration_id": str(event.data["registration_id"]), "benefit": benefit,
           "order_id": str(event.data["order_id"]), "item_id": str(event.data[item_key])}
    if granted:
        connection.execute(_GRANT_BENEFIT, row)
    else:
        b = organisation_benefits
        connection.execute(b.delete().where(*(b.c[key] == value for key, value in row.items())))


def forget_person(connection: Connection, event: ReceivedEvent) -> None:
    """Erasure: the contact goes, their waiting digest items go, emails not yet sent are not sent,
    and the emails sent to them keep only that they were sent."""
    person_id = str(event.data["person_id"])
    email = connection.execute(sa.select(contacts.c.email).where(contacts.c.person_id == person_id)).scalar()
    connection.execute(contacts.delete().where(contacts.c.person_id == person_id))
    theirs = outbound_emails.c.recipient_person_id == person_id
    if email:
        theirs = sa.or_(theirs, outbound_emails.c.recipient_email == email)
        connection.execute(digest_items.delete().where(digest_items.c.recipient_email == email))
        connection.execute(digest_schedule.delete().where(digest_schedule.c.recipient_email == email))
    connection.execute(outbound_emails.update().where(theirs, outbound_emails.c.status == "pending")
                       .values(status="failed", last_error="the recipient's personal data was erased"))
    connection.execute(outbound_emails.update().where(theirs).values(
        # Unique per row: one event's emails to several erased people must not collide.
        recipient_email=sa.func.concat("erased+", outbound_emails.c.id, "@invalid"), recipient_name=None,
        recipient_person_id=None, subject="(erased)", text_body="", html_body="", calendar_ics=None))


def _emails(queue: EmailQueue, links: MeetingLinks, event_type: str) -> Handler:
    make = EMAILS_FOR[event_type]

    def handle(connection: Connection, event: ReceivedEvent) -> None:
        queue.queue(connection, Cause(event.id, event.envelope.type, event.correlation_id), make(event.data, links))
    return handle


def _both(first: Handler, then: Handler | None) -> Handler:
    if then is None:
        return first

    def handle(connection: Connection, event: ReceivedEvent) -> None:
        first(connection, event)
        then(connection, event)
    return handle


def handlers(queue: EmailQueue, links: MeetingLinks) -> dict[str, Handler]:
    table: dict[str, Handler] = {event_type: _emails(queue, links, event_type) for event_type in EMAILS_FOR}
    for event_type in _REGISTRATION_EVENTS:
        table[event_type] = _both(keep_registration, table.get(event_type))
    table |= {c.EDITION_SAVED: keep_edition, c.OFFICER_ADDED: keep_officer, c.OFFICER_UPDATED: keep_officer, c.OFFICER_REMOVED: remove_officer,
              c.PERSONAL_DATA_ERASED: forget_person, ACCESS_REVOKED: access_revoked_handler(revoked_subjects)}
    table |= {event_type: keep_benefit for event_type in _BENEFIT}
    return table
