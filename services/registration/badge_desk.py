"""E-badges: issued when a person is in (an approved delegate, a rostered officer), revoked
when they are out (cancelled, removed, erased), scanned once at the venue.

Badges follow registration's own events: the worker consumes `registration.events` and
keeps the badges in step, so every way a person comes in or goes out issues or revokes
their badge without each use case having to remember to.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from services.registration import events
from services.registration.adapters.badge_documents import BadgeFace, badge_pdf, badge_png
from services.registration.adapters.tables import badges, editions, outbox, registrations
from services.registration.domain.badges import BadgeSigner, InvalidBadge
from shared.auth import Principal
from shared.consumer import Handler, ReceivedEvent
from shared.errors import StateConflict
from shared.events import ContractRegistry
from shared.outbox import record_event


class BadgeRefused(StateConflict):
    """Venue staff must turn this badge away; the message says why."""


@dataclass(frozen=True)
class CheckIn:
    full_name: str
    organisation: str
    role_label: str
    first_time: bool
    checked_in_at: datetime


def _issue(connection: Connection, contracts: ContractRegistry, signer: BadgeSigner, public_url: str, *,
           edition_id: str, person: dict, organisation: str, role_label: str, officer: bool, correlation_id: str) -> None:
    person_column = badges.c.officer_id if officer else badges.c.delegate_id
    live = connection.execute(sa.select(badges.c.id).where(person_column == str(person["id"]),
                                                           badges.c.revoked_at.is_(None))).first()
    if live:
        return
    badge_id = str(uuid.uuid4())
    connection.execute(badges.insert().values(
        id=badge_id, edition_id=str(edition_id), full_name=person["full_name"], organisation=organisation,
        role_label=role_label, **{person_column.name: str(person["id"])}))
    code = signer.code_for(badge_id)
    record_event(connection, outbox, topic=events.IDENTITY_TOPIC, correlation_id=correlation_id,
                 envelope=contracts.create(events.BADGE_ISSUED, badge_id, {
                     "person_id": str(person["id"]), "email": person["email"], "full_name": person["full_name"],
                     "role_label": role_label, "png_url": f"{public_url}/badges/{code}.png",
                     "pdf_url": f"{public_url}/badges/{code}.pdf"}))


def _revoke(connection: Connection, condition, reason: str) -> None:
    connection.execute(badges.update().where(condition, badges.c.revoked_at.is_(None))
                       .values(revoked_at=sa.func.now(), revoked_reason=reason))


def handlers(contracts: ContractRegistry, signer: BadgeSigner, public_url: str) -> dict[str, Handler]:
    """What the registration worker does with its own events to keep badges in step."""

    def delegate(person: dict) -> dict:
        return {"id": person["delegate_id"], "full_name": person["full_name"], "email": person["email"]}

    def on_approved(connection: Connection, event: ReceivedEvent) -> None:
        data = event.data
        for person in data["delegates"]:
            _issue(connection, contracts, signer, public_url, edition_id=data["edition_id"], person=delegate(person),
                   organisation=data["organisation"]["legal_name"], role_label="Delegate", officer=False,
                   correlation_id=event.correlation_id)

    def on_delegate_added(connection: Connection, event: ReceivedEvent) -> None:
        status = connection.execute(sa.select(registrations.c.status).where(
            registrations.c.id == str(event.data["registration_id"]))).scalar()
        if status == "approved":
            _issue(connection, contracts, signer, public_url, edition_id=event.data["edition_id"],
                   person=delegate(event.data["delegate"]), organisation=event.data["organisation"]["legal_name"],
                   role_label="Delegate", officer=False, correlation_id=event.correlation_id)

    def on_cancelled(connection: Connection, event: ReceivedEvent) -> None:
        ids = [str(p["delegate_id"]) for p in event.data["delegates"]]
        _revoke(connection, badges.c.delegate_id.in_(ids), "registration cancelled")

    def on_delegate_removed(connection: Connection, event: ReceivedEvent) -> None:
        _revoke(connection, badges.c.delegate_id == str(event.data["delegate"]["delegate_id"]), "delegate removed")

    def on_erased(connection: Connection, event: ReceivedEvent) -> None:
        column = badges.c.officer_id if event.data["kind"] == "officer" else badges.c.delegate_id
        _revoke(connection, column == str(event.data["person_id"]), "personal data erased")
        connection.execute(badges.update().where(column == str(event.data["person_id"]))
                           .values(full_name="(erased)"))

    def on_officer_added(connection: Connection, event: ReceivedEvent) -> None:
        data = event.data
        _issue(connection, contracts, signer, public_url, edition_id=data["edition_id"],
               person={"id": data["officer_id"], "full_name": f"{data['rank']} {data['name']}", "email": data["email"]},
               organisation=data["appointment"], role_label="Officer", officer=True,
               correlation_id=event.correlation_id)

    def on_officer_removed(connection: Connection, event: ReceivedEvent) -> None:
        _revoke(connection, badges.c.officer_id == str(event.data["officer_id"]), "removed from the roster")

    return {events.REGISTRATION_APPROVED: on_approved, events.DELEGATE_ADDED: on_delegate_added,
            events.REGISTRATION_CANCELLED: on_cancelled, events.DELEGATE_REMOVED: on_delegate_removed,
            events.PERSONAL_DATA_ERASED: on_erased, events.OFFICER_ADDED: on_officer_added,
            events.OFFICER_REMOVED: on_officer_removed}


def _badge(connection: Connection, signer: BadgeSigner, code: str, *, lock: bool = False) -> sa.Row:
    badge_id = signer.read(code)  # InvalidBadge for anything we did not sign
    query = sa.select(badges, editions.c.name.label("event_name"), editions.c.venue, editions.c.starts_on,
                      editions.c.ends_on, editions.c.time_zone).join(editions, editions.c.id == badges.c.edition_id)
    row = connection.execute(query.where(badges.c.id == str(badge_id))
                             .with_for_update(of=badges) if lock else query.where(badges.c.id == str(badge_id))).first()
    if row is None:
        raise InvalidBadge("This badge was never issued.")
    if row.revoked_at is not None:
        raise BadgeRefused(f"This badge was revoked ({row.revoked_reason}). Send the holder to the help desk.")
    return row


def check_in(engine: Engine, contracts: ContractRegistry, signer: BadgeSigner, code: str, *, actor: Principal,
             correlation_id: str) -> CheckIn:
    """The first scan checks the holder in (and announces it); a repeat scan says when that was."""
    with engine.begin() as connection:
        row = _badge(connection, signer, code, lock=True)
        first_time = row.checked_in_at is None
        if first_time:
            at = datetime.now(timezone.utc)
            connection.execute(badges.update().where(badges.c.id == row.id)
                               .values(checked_in_at=at, checked_in_by=actor.name))
            person_id, kind = (row.officer_id, "officer") if row.officer_id else (row.delegate_id, "delegate")
            record_event(connection, outbox, topic=events.EVENTS_TOPIC, correlation_id=correlation_id,
                         envelope=contracts.create(events.PERSON_CHECKED_IN, person_id, {
                             "person_id": person_id, "kind": kind, "edition_id": row.edition_id,
                             "checked_in_at": at}))
        else:
            at = row.checked_in_at
    return CheckIn(row.full_name, row.organisation, row.role_label, first_time, at)


def render(engine: Engine, signer: BadgeSigner, code: str, kind: str) -> bytes:
    with engine.connect() as connection:
        row = _badge(connection, signer, code)
    dates = (f"{row.starts_on:%d}–{row.ends_on:%d %B %Y}" if row.starts_on.month == row.ends_on.month
             else f"{row.starts_on:%d %b}–{row.ends_on:%d %b %Y}")
    face = BadgeFace(full_name=row.full_name, organisation=row.organisation, role_label=row.role_label,
                     event_name=row.event_name, dates_label=dates, venue=row.venue, code=signer.code_for(row.id))
    return badge_pdf(face) if kind == "pdf" else badge_png(face)


def local_time(moment: datetime, time_zone: str = "Asia/Kolkata") -> str:
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%d %b %H:%M")


def live_code(engine: Engine, signer: BadgeSigner, *, delegate_id: str | None = None,
              officer_id: str | None = None) -> str | None:
    """The code of a person's live badge, for their own page; None until it is issued."""
    column, person = (badges.c.officer_id, officer_id) if officer_id else (badges.c.delegate_id, delegate_id)
    with engine.connect() as connection:
        badge_id = connection.execute(sa.select(badges.c.id).where(column == person,
                                                                   badges.c.revoked_at.is_(None))).scalar()
    return signer.code_for(badge_id) if badge_id else None
