"""Reading and writing registrations and editions with SQLAlchemy Core, inside the caller's transaction."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.registration.adapters.tables import delegates, edition_categories, editions, registrations
from services.registration.domain.editions import CategoryRule, Edition
from services.registration.adapters.personal_data import FieldCipher
from services.registration.domain.model import Delegate, Registration


def delegate_row(delegate: Delegate, cipher: FieldCipher, *, registration_id: str, position: int) -> dict:
    """A delegate as stored: the identity document number encrypted, bound to this delegate."""
    document = delegate.id_document
    return dict(id=delegate.id, registration_id=registration_id, position=position, full_name=delegate.full_name,
                designation=delegate.designation, email=delegate.email, phone=delegate.phone,
                nationality=delegate.nationality, id_document_type=document.type.value,
                id_document_ciphertext=cipher.encrypt(document.number, context=delegate.id),
                id_document_last4=document.last_characters)


def new_registration_rows(registration: Registration, client_request_id: str | None,
                          cipher: FieldCipher) -> list[tuple[sa.Table, list[dict]]]:
    """A new registration as rows: its own, and one per delegate."""
    org = registration.organisation
    return [(registrations, [dict(
        id=registration.id, edition_id=registration.edition_id, reference=registration.reference,
        status=registration.status.value, submitted_at=registration.submitted_at, client_request_id=client_request_id,
        legal_name=org.legal_name, organisation_type=org.type.value, country=org.country, state=org.state,
        gstin=org.gstin, address=org.address, city=org.city, postal_code=org.postal_code, website=org.website,
        sectors=list(org.sectors), capabilities=org.capabilities, products=org.products,
        udyam_number=org.udyam_number, dpiit_number=org.dpiit_number,
        meeting_interests=[i.value for i in registration.meeting_interests],
        participation_interests=[i.value for i in registration.participation_interests])]),
            (delegates, [delegate_row(d, cipher, registration_id=registration.id, position=position)
                         for position, d in enumerate(registration.delegates)])]


def find_by_client_request_id(connection: Connection, client_request_id: str) -> sa.Row | None:
    return connection.execute(
        sa.select(registrations.c.id, registrations.c.reference, registrations.c.status)
        .where(registrations.c.client_request_id == client_request_id)).first()


def summary(connection: Connection, registration_id: str) -> sa.Row | None:
    return connection.execute(
        sa.select(registrations.c.id, registrations.c.reference, registrations.c.status,
                  registrations.c.submitted_at, registrations.c.legal_name)
        .where(registrations.c.id == registration_id)).first()


def locked(connection: Connection, registration_id: str) -> sa.Row | None:
    """The registration, locked until the transaction ends: decisions on it happen one at a time."""
    return connection.execute(sa.select(registrations).where(registrations.c.id == registration_id)
                              .with_for_update()).first()


def people_of(connection: Connection, registration_id: str) -> list[sa.Row]:
    return connection.execute(sa.select(delegates).where(delegates.c.registration_id == registration_id)
                              .order_by(delegates.c.position)).all()


def snapshot(row: sa.Row, people: list[sa.Row]) -> dict:
    """What every registration event carries about it (see events.py)."""
    def person(delegate):
        return {"delegate_id": delegate.id, "full_name": delegate.full_name, "email": delegate.email,
                "designation": delegate.designation, "nationality": delegate.nationality}

    return {"registration_id": row.id, "edition_id": row.edition_id, "reference": row.reference,
            "organisation": {"legal_name": row.legal_name, "type": row.organisation_type, "country": row.country,
                             "state": row.state, "gstin": row.gstin, "address": row.address, "city": row.city,
                             "postal_code": row.postal_code},
            "contact": person(people[0]), "delegates": [person(p) for p in people]}


def profile(row: sa.Row) -> dict:
    """What the organisation offers and seeks, for the events matchmaking builds its profiles from."""
    return {"sectors": row.sectors, "capabilities": row.capabilities, "products": row.products,
            "meeting_interests": row.meeting_interests, "participation_interests": row.participation_interests}


def places_left(connection: Connection, edition_id: str, category: str) -> int | None:
    """Approvals still possible in a category; locks the category so two approvals cannot both
    take the last place. None when the category has no limit."""
    capacity = connection.execute(
        sa.select(edition_categories.c.capacity)
        .where(edition_categories.c.edition_id == edition_id, edition_categories.c.category == category)
        .with_for_update()).scalar()
    if capacity is None:
        return None
    approved = connection.execute(sa.select(sa.func.count()).where(
        registrations.c.edition_id == edition_id, registrations.c.organisation_type == category,
        registrations.c.status == "approved")).scalar()
    return capacity - approved


def next_waitlisted(connection: Connection, edition_id: str, category: str) -> str | None:
    """The longest-waiting registration of a category (first come, first served)."""
    return connection.execute(
        sa.select(registrations.c.id)
        .where(registrations.c.edition_id == edition_id, registrations.c.organisation_type == category,
               registrations.c.status == "waitlisted")
        .order_by(registrations.c.submitted_at).limit(1).with_for_update(skip_locked=True)).scalar()


def edition_from_rows(row: sa.Row, categories: list[sa.Row]) -> Edition:
    return Edition(id=row.id, slug=row.slug, name=row.name, venue=row.venue, starts_on=row.starts_on,
                   ends_on=row.ends_on, time_zone=row.time_zone, registration_opens_at=row.registration_opens_at,
                   registration_closes_at=row.registration_closes_at,
                   categories={c.category: CategoryRule(c.capacity, c.max_delegates) for c in categories})


def edition_by(connection: Connection, *, slug: str | None = None, edition_id: str | None = None) -> Edition | None:
    condition = editions.c.slug == slug if slug else editions.c.id == edition_id
    row = connection.execute(sa.select(editions).where(condition)).first()
    if row is None:
        return None
    categories = connection.execute(sa.select(edition_categories)
                                    .where(edition_categories.c.edition_id == row.id)).all()
    return edition_from_rows(row, categories)


def save_edition(connection: Connection, edition: Edition) -> None:
    values = dict(slug=edition.slug, name=edition.name, venue=edition.venue, starts_on=edition.starts_on,
                  ends_on=edition.ends_on, time_zone=edition.time_zone,
                  registration_opens_at=edition.registration_opens_at,
                  registration_closes_at=edition.registration_closes_at)
    exists = connection.execute(sa.select(editions.c.id).where(editions.c.id == edition.id)).first()
    if exists:
        connection.execute(editions.update().where(editions.c.id == edition.id).values(**values))
    else:
        connection.execute(editions.insert().values(id=edition.id, **values))
    connection.execute(edition_categories.delete().where(edition_categories.c.edition_id == edition.id))
    if edition.categories:
        connection.execute(edition_categories.insert(), [
            dict(edition_id=edition.id, category=category, capacity=rule.capacity, max_delegates=rule.max_delegates)
            for category, rule in edition.categories.items()])


def all_editions(connection: Connection) -> list[sa.Row]:
    return connection.execute(sa.select(editions).order_by(editions.c.starts_on.desc())).all()
