"""Registration's use cases: each one a transaction that changes state and records its events."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from services.registration import events
from services.registration.adapters import repository
from services.registration.adapters.tables import outbox
from services.registration.domain.model import Registration
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
