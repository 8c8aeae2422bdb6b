"""Registration's use cases: each one a transaction that changes state, audits organiser
decisions and records the events other services and people need."""
from __future__ import annotations

import dataclasses
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from services.registration import events
from services.registration.adapters import repository
from services.registration.adapters.personal_data import FieldCipher
from services.registration.adapters.tables import audit_log, delegates, email_verifications, outbox, registrations
from services.registration.domain import vetting
from services.registration.domain.editions import Edition, check_edition
from services.registration.domain.model import Delegate, Registration, new_reference
from services.registration.domain.vetting import Decision, Outcome, Status
from shared.audit import record_audit
from shared.auth import Principal
from shared.db import violated_constraint
from shared.errors import StateConflict
from shared.events import ContractRegistry
from shared.outbox import insert_with_events, outbox_row, record_event

EMAIL_VERIFICATION_HOURS = 72
REFERENCE_ATTEMPTS = 3


class LinkRefused(StateConflict):
    """An emailed link that is unknown or expired; the message says what to do."""


@dataclass(frozen=True)
class Submitted:
    registration_id: str
    reference: str
    status: str
    replayed: bool  # True when an Idempotency-Key was seen before: nothing new was stored


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def find_edition(engine: Engine, slug: str) -> Edition | None:
    with engine.connect() as connection:
        return repository.edition_by(connection, slug=slug)


def save_edition(engine: Engine, contracts: ContractRegistry, edition: Edition, *, actor: Principal | None,
                 correlation_id: str) -> Edition:
    check_edition(edition)
    edition = edition if edition.id else dataclasses.replace(edition, id=str(uuid.uuid4()))
    with engine.begin() as connection:
        before = repository.edition_by(connection, edition_id=edition.id)
        taken = repository.edition_by(connection, slug=edition.slug)
        if taken and taken.id != edition.id:
            raise StateConflict(f"Another edition already uses the address {edition.slug!r}.")
        repository.save_edition(connection, edition)
        record_audit(connection, audit_log, actor=actor, action="edition.saved", target_type="edition",
                     target_id=edition.id, before=_edition_view(before) if before else None,
                     after=_edition_view(edition), correlation_id=correlation_id)
        record_event(connection, outbox, topic=events.EVENTS_TOPIC, correlation_id=correlation_id,
                     envelope=contracts.create(events.EDITION_SAVED, edition.id, {
                         "edition_id": edition.id, "slug": edition.slug, "name": edition.name, "venue": edition.venue,
                         "starts_on": edition.starts_on, "ends_on": edition.ends_on, "time_zone": edition.time_zone,
                         "registration_opens_at": edition.registration_opens_at,
                         "registration_closes_at": edition.registration_closes_at}))
    return edition


def _edition_view(edition: Edition) -> dict:
    view = dataclasses.asdict(edition)
    return {key: (str(value) if not isinstance(value, (dict, str, type(None))) else value)
            for key, value in view.items()}


def submit_registration(engine: Engine, contracts: ContractRegistry, cipher: FieldCipher, registration: Registration,
                        *, client_request_id: str | None, verify_url: str, correlation_id: str) -> Submitted:
    """Store a new registration, and email its contact a link to confirm the address: only a
    confirmed registration goes to the organisers."""
    if client_request_id:
        earlier = _by_request_id(engine, client_request_id)
        if earlier:
            return earlier
    attempts_left = REFERENCE_ATTEMPTS
    while True:
        try:
            return _store_new(engine, contracts, cipher, registration, client_request_id=client_request_id,
                              verify_url=verify_url, correlation_id=correlation_id)
        except sa.exc.IntegrityError as error:
            attempts_left -= 1
            if violated_constraint(error) == "uq_registrations_reference" and attempts_left:
                registration = dataclasses.replace(registration, reference=new_reference())
                continue  # 40 random bits: rare, but a surge of thousands meets one sooner or later
            earlier = _by_request_id(engine, client_request_id) if client_request_id else None
            if earlier is None:
                raise
            return earlier  # two requests with one Idempotency-Key raced: the other one stored it


def _store_new(engine: Engine, contracts: ContractRegistry, cipher: FieldCipher, registration: Registration,
               *, client_request_id: str | None, verify_url: str, correlation_id: str) -> Submitted:
    contact = registration.contact
    confirmations = [email_confirmation(
        contracts, registration_id=registration.id, reference=registration.reference,
        organisation_name=registration.organisation.legal_name, delegate=delegate,
        registered_by=None if delegate is contact else contact.full_name, verify_url=verify_url,
        correlation_id=correlation_id) for delegate in registration.delegates]
    with engine.begin() as connection:  # the registration surge's path: every row in one statement
        insert_with_events(
            connection, [*repository.new_registration_rows(registration, client_request_id, cipher),
                         (email_verifications, [link for link, _ in confirmations])],
            outbox, [event for _, event in confirmations])
    return Submitted(registration.id, registration.reference, registration.status.value, replayed=False)


def email_confirmation(contracts: ContractRegistry, *, registration_id: str, reference: str, organisation_name: str,
                       delegate: Delegate, registered_by: str | None, verify_url: str,
                       correlation_id: str) -> tuple[dict, dict]:
    """A single-use link for `delegate` to confirm their address, and the outbox row of the event
    that emails it. `registered_by` names who gave the address, when that was someone else."""
    secret = secrets.token_urlsafe(32)
    expires_at = _now() + timedelta(hours=EMAIL_VERIFICATION_HOURS)
    link = dict(token_hash=_hash(secret), registration_id=registration_id, delegate_id=delegate.id,
                expires_at=expires_at)
    return link, outbox_row(topic=events.IDENTITY_TOPIC, correlation_id=correlation_id,
                            envelope=contracts.create(events.EMAIL_VERIFICATION_REQUESTED, registration_id, {
                                "registration_id": registration_id, "reference": reference,
                                "organisation_name": organisation_name, "email": delegate.email,
                                "full_name": delegate.full_name, "registered_by": registered_by,
                                "url": f"{verify_url}/{secret}", "expires_at": expires_at}))


def _by_request_id(engine: Engine, client_request_id: str) -> Submitted | None:
    with engine.connect() as connection:
        earlier = repository.find_by_client_request_id(connection, client_request_id)
    return Submitted(earlier.id, earlier.reference, earlier.status, replayed=True) if earlier else None


@dataclass(frozen=True)
class Confirmation:
    registration: sa.Row
    waiting_for: list[str]  # delegates whose address is not confirmed yet


def verify_email(engine: Engine, contracts: ContractRegistry, secret: str, *, correlation_id: str) -> Confirmation:
    """A delegate confirmed their address. Once every delegate has, the registration goes to the
    organisers' queue. Following a link again is harmless."""
    with engine.begin() as connection:
        link = connection.execute(sa.select(email_verifications).where(
            email_verifications.c.token_hash == _hash(secret)).with_for_update()).first()
        if link is None:
            raise LinkRefused("This confirmation link is not valid.")
        row = repository.locked(connection, link.registration_id)
        if link.used_at is None and link.expires_at <= _now():
            raise LinkRefused("This confirmation link has expired. Please register again.")
        if link.used_at is None:
            connection.execute(email_verifications.update().where(email_verifications.c.token_hash == link.token_hash)
                               .values(used_at=sa.func.now()))
            connection.execute(delegates.update().where(delegates.c.id == link.delegate_id)
                               .values(email_verified_at=sa.func.now()))
        people = repository.people_of(connection, row.id)
        waiting_for = [p.full_name for p in people if p.email_verified_at is None]
        new_status = vetting.verify_email(Status(row.status), every_address_confirmed=not waiting_for)
        if new_status is not Status(row.status):
            connection.execute(registrations.update().where(registrations.c.id == row.id)
                               .values(status=new_status.value, email_verified_at=sa.func.now()))
            row = repository.locked(connection, row.id)
            record_event(connection, outbox, topic=events.EVENTS_TOPIC, correlation_id=correlation_id,
                         envelope=contracts.create(events.REGISTRATION_SUBMITTED, row.id, {
                             **repository.snapshot(row, people), **repository.profile(row),
                             "submitted_at": row.submitted_at}))
        return Confirmation(row, waiting_for)


def decide(engine: Engine, contracts: ContractRegistry, *, registration_id: str, decision: Decision,
           message: str | None, actor: Principal, access_url: str, correlation_id: str) -> Outcome:
    """An organiser's decision, guarded by the current status and the category's capacity."""
    with engine.begin() as connection:
        row = repository.locked(connection, registration_id)
        if row is None:
            raise StateConflict("No such registration.")
        places = repository.places_left(connection, row.edition_id, row.organisation_type) \
            if decision is Decision.APPROVE else None
        outcome = vetting.decide(Status(row.status), decision, places_left=places, message=message)
        _apply(connection, contracts, row, outcome.status, message=(message or "").strip() or None, actor=actor,
               access_url=access_url, correlation_id=correlation_id)
        return outcome


def cancel(engine: Engine, contracts: ContractRegistry, *, registration_id: str, actor: Principal,
           access_url: str, correlation_id: str) -> str | None:
    """Withdraw a registration; a freed place goes to the longest-waiting one of its category,
    whose id is returned."""
    with engine.begin() as connection:
        row = repository.locked(connection, registration_id)
        if row is None:
            raise StateConflict("No such registration.")
        new_status, freed_place = vetting.cancel(Status(row.status))
        _apply(connection, contracts, row, new_status, message=None, actor=actor, access_url=access_url,
               correlation_id=correlation_id, was_approved=freed_place)
        if not freed_place:
            return None
        places = repository.places_left(connection, row.edition_id, row.organisation_type)
        promoted_id = repository.next_waitlisted(connection, row.edition_id, row.organisation_type)
        if promoted_id is None or (places is not None and places <= 0):
            return None
        promoted = repository.locked(connection, promoted_id)
        outcome = vetting.decide(Status.WAITLISTED, Decision.APPROVE, places_left=places)
        _apply(connection, contracts, promoted, outcome.status, message=None, actor=actor, access_url=access_url,
               correlation_id=correlation_id, audit_action="registration.promoted_from_waitlist")
        return promoted_id


_EVENT_OF_STATUS = {
    Status.APPROVED: events.REGISTRATION_APPROVED,
    Status.REJECTED: events.REGISTRATION_REJECTED,
    Status.WAITLISTED: events.REGISTRATION_WAITLISTED,
    Status.CHANGES_REQUESTED: events.REGISTRATION_CHANGES_REQUESTED,
    Status.CANCELLED: events.REGISTRATION_CANCELLED,
}


def _apply(connection: Connection, contracts: ContractRegistry, row: sa.Row, new_status: Status, *,
           message: str | None, actor: Principal, access_url: str, correlation_id: str,
           was_approved: bool = False, audit_action: str | None = None) -> None:
    """Write the new status, audit it and announce it."""
    now = _now()
    connection.execute(registrations.update().where(registrations.c.id == row.id).values(
        status=new_status.value, decided_at=now, decision_message=message))
    record_audit(connection, audit_log, actor=actor, action=audit_action or f"registration.{new_status.value}",
                 target_type="registration", target_id=row.id, correlation_id=correlation_id,
                 before={"status": row.status}, after={"status": new_status.value, "message": message})
    data = repository.snapshot(row, repository.people_of(connection, row.id))
    if new_status is Status.APPROVED:
        data |= {"approved_at": now, "access_url": access_url, **repository.profile(row)}
    elif new_status in (Status.REJECTED, Status.CHANGES_REQUESTED):
        data |= {"decided_at": now, "message": message, "access_url": access_url}
    elif new_status is Status.WAITLISTED:
        data |= {"decided_at": now}
    else:
        data |= {"cancelled_at": now, "was_approved": was_approved}
    record_event(connection, outbox, topic=events.EVENTS_TOPIC, correlation_id=correlation_id,
                 envelope=contracts.create(_EVENT_OF_STATUS[new_status], row.id, data))
