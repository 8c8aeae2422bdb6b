"""Reading and writing registrations with SQLAlchemy Core, inside the caller's transaction."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.registration.adapters.tables import delegates, registrations
from services.registration.domain.model import Registration


def add(connection: Connection, registration: Registration, client_request_id: str | None) -> None:
    org = registration.organisation
    connection.execute(registrations.insert().values(
        id=registration.id, reference=registration.reference, status=registration.status.value,
        submitted_at=registration.submitted_at, client_request_id=client_request_id,
        legal_name=org.legal_name, organisation_type=org.type.value, country=org.country, state=org.state,
        gstin=org.gstin, address=org.address, city=org.city, postal_code=org.postal_code, website=org.website,
        sectors=list(org.sectors), capabilities=org.capabilities, products=org.products,
        udyam_number=org.udyam_number, dpiit_number=org.dpiit_number,
        meeting_interests=[i.value for i in registration.meeting_interests],
        participation_interests=[i.value for i in registration.participation_interests]))
    connection.execute(delegates.insert(), [
        dict(id=d.id, registration_id=registration.id, position=position, full_name=d.full_name,
             designation=d.designation, email=d.email, phone=d.phone, nationality=d.nationality)
        for position, d in enumerate(registration.delegates)])


def find_by_client_request_id(connection: Connection, client_request_id: str) -> sa.Row | None:
    return connection.execute(
        sa.select(registrations.c.id, registrations.c.reference, registrations.c.status)
        .where(registrations.c.client_request_id == client_request_id)).first()


def summary(connection: Connection, registration_id: str) -> sa.Row | None:
    return connection.execute(
        sa.select(registrations.c.id, registrations.c.reference, registrations.c.status,
                  registrations.c.submitted_at, registrations.c.legal_name)
        .where(registrations.c.id == registration_id)).first()
