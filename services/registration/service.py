"""Registration's use cases: each one a transaction that changes state and records its events."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from services.registration import events
from services.registration.adapters import repository
from services.registration.adapters.tables import audit_log, delegates, outbox, registrations
from services.registration.domain.model import Registration, RegistrationStatus, approve
from shared.audit import record_audit
from shared.auth import Principal
from shared.errors import StateConflict
from shared.events import ContractRegistry
from shared.outbox import record_event


@dataclass(frozen=True)
class Submitted:
    registration_id: str
    reference: str
    status: str
    replayed: bool  # True when an Idempotency-Key was seen before: nothing new was stored


def submit_registration(engine: Engine, contracts: ContractRegistry, registration: Registration, *,
                        client_request_id: str | None, correlation_id: str) -> Submitted:
    """Store a new registration and its `registration submitted` event in one transaction."""
    if client_request_id:
        with engine.connect() as connection:
            earlier = repository.find_by_client_request_id(connection, client_request_id)
        if earlier:
            return Submitted(earlier.id, earlier.reference, earlier.status, replayed=True)
    try:
        with engine.begin() as connection:
            repository.add(connection, registration, client_request_id)
            record_event(connection, outbox, topic=events.EVENTS_TOPIC, correlation_id=correlation_id,
                         envelope=contracts.create(events.REGISTRATION_SUBMITTED, registration.id,
                                                   submitted_event_data(registration)))
    except sa.exc.IntegrityError:
        if not client_request_id:
            raise
        # Two requests with one Idempotency-Key raced: the other one stored it.
        with engine.connect() as connection:
            earlier = repository.find_by_client_request_id(connection, client_request_id)
        if earlier is None:
            raise
        return Submitted(earlier.id, earlier.reference, earlier.status, replayed=True)
    return Submitted(registration.id, registration.reference, registration.status.value, replayed=False)


def submitted_event_data(registration: Registration) -> dict:
    org = registration.organisation

    def person(delegate):
        return {"delegate_id": delegate.id, "full_name": delegate.full_name,
                "email": delegate.email, "designation": delegate.designation}

    return {
        "registration_id": registration.id,
        "reference": registration.reference,
        "submitted_at": registration.submitted_at,
        "organisation": {"legal_name": org.legal_name, "type": org.type.value, "country": org.country,
                         "state": org.state, "gstin": org.gstin},
        "contact": person(registration.contact),
        "delegates": [person(d) for d in registration.delegates],
        "sectors": list(org.sectors),
        "meeting_interests": [i.value for i in registration.meeting_interests],
        "participation_interests": [i.value for i in registration.participation_interests],
    }


def approve_registration(engine: Engine, contracts: ContractRegistry, *, registration_id: str, actor: Principal,
                         access_url: str, correlation_id: str) -> str:
    """Vetting's yes: the status changes, the decision is audited, and the approval is announced."""
    with engine.begin() as connection:
        row = connection.execute(sa.select(registrations).where(registrations.c.id == registration_id)
                                 .with_for_update()).first()
        if row is None:
            raise StateConflict("No such registration.")
        new_status = approve(RegistrationStatus(row.status))
        decided_at = datetime.now(timezone.utc)
        connection.execute(registrations.update().where(registrations.c.id == registration_id)
                           .values(status=new_status.value, decided_at=decided_at))
        people = connection.execute(sa.select(delegates).where(delegates.c.registration_id == registration_id)
                                    .order_by(delegates.c.position)).all()
        record_audit(connection, audit_log, actor=actor, action="registration.approved", target_type="registration",
                     target_id=registration_id, before={"status": row.status}, after={"status": new_status.value},
                     correlation_id=correlation_id)

        def person(delegate):
            return {"delegate_id": delegate.id, "full_name": delegate.full_name, "email": delegate.email,
                    "designation": delegate.designation}

        record_event(connection, outbox, topic=events.EVENTS_TOPIC, correlation_id=correlation_id,
                     envelope=contracts.create(events.REGISTRATION_APPROVED, registration_id, {
                         "registration_id": registration_id, "reference": row.reference, "approved_at": decided_at, "access_url": access_url,
                         "organisation": {"legal_name": row.legal_name, "type": row.organisation_type,
                                          "country": row.country, "state": row.state, "gstin": row.gstin},
                         "contact": person(people[0]), "delegates": [person(p) for p in people]}))
    return new_status.value
