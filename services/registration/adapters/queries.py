"""What the back-office and the participant pages read: lists and the dashboard's figures."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from services.registration.adapters.personal_data import masked
from services.registration.adapters.tables import delegates, editions, officers, registrations

EVENT_TIME_ZONE = "Asia/Kolkata"


def registration_list(engine: Engine, *, status: str | None = None, search: str | None = None,
                      limit: int = 200) -> list[sa.Row]:
    query = (sa.select(registrations.c.id, registrations.c.reference, registrations.c.legal_name,
                       registrations.c.organisation_type, registrations.c.state, registrations.c.status,
                       registrations.c.submitted_at)
             .order_by(registrations.c.submitted_at.desc()).limit(limit))
    if status:
        query = query.where(registrations.c.status == status)
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(sa.or_(registrations.c.legal_name.ilike(pattern),
                                   registrations.c.reference.ilike(pattern), registrations.c.gstin.ilike(pattern)))
    with engine.connect() as connection:
        return connection.execute(query).all()


def registration_detail(engine: Engine, registration_id: str) -> tuple[sa.Row | None, list[sa.Row]]:
    with engine.connect() as connection:
        registration = connection.execute(
            sa.select(registrations).where(registrations.c.id == registration_id)).first()
        people = connection.execute(
            sa.select(delegates.c.id, delegates.c.full_name, delegates.c.designation, delegates.c.email,
                      delegates.c.nationality, delegates.c.id_document_type, delegates.c.id_document_last4,
                      delegates.c.email_verified_at, delegates.c.erased_at)
            .where(delegates.c.registration_id == registration_id).order_by(delegates.c.position)).all()
    return registration, people


def status_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(registrations.c.status, sa.func.count())
                                  .group_by(registrations.c.status)).all()
    return {status: count for status, count in rows}


def registrations_per_day_by_type(engine: Engine, days: int = 14) -> tuple[list[str], dict[str, list[int]]]:
    """Day labels (event time zone) and, per organisation type, how many registered that day."""
    today = datetime.now(timezone.utc).astimezone(ZoneInfo(EVENT_TIME_ZONE)).date()
    first = today - timedelta(days=days - 1)
    local_day = sa.func.date(sa.func.timezone(EVENT_TIME_ZONE, registrations.c.submitted_at))
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(local_day.label("day"), registrations.c.organisation_type, sa.func.count())
            .where(local_day >= first).group_by("day", registrations.c.organisation_type)).all()
    labels = [(first + timedelta(days=i)) for i in range(days)]
    series: dict[str, list[int]] = {}
    for day, organisation_type, count in rows:
        series.setdefault(organisation_type, [0] * days)[(day - first).days] = count
    return [day.strftime("%d %b") for day in labels], series


SIMILAR_NAME_THRESHOLD = 0.6
# Legal-form words say nothing about who a company is: "Bharat Drone Pvt Ltd" is "Bharat Drones Private Limited".
_LEGAL_FORMS = r"\m(private|pvt|limited|ltd|llp|inc|incorporated|co|company|corporation|corp|india)\M"


def _core_name(name):
    return sa.func.btrim(sa.func.regexp_replace(sa.func.regexp_replace(sa.func.lower(name), _LEGAL_FORMS, "", "g"),
                                                r"[^a-z0-9 ]+", " ", "g"))


def flags(engine: Engine, registration: sa.Row, people: list[sa.Row]) -> list[str]:
    """What vetting should look at before deciding: likely duplicates within the edition
    (same GSTIN, a delegate's email, a look-alike name), delegates who are foreign nationals, and
    delegates (added after the registration went to vetting) who have not confirmed their address."""
    others = sa.and_(registrations.c.edition_id == registration.edition_id, registrations.c.id != registration.id)
    found = []
    with engine.connect() as connection:
        if registration.gstin:
            for other in connection.execute(sa.select(registrations.c.reference, registrations.c.legal_name)
                                            .where(others, registrations.c.gstin == registration.gstin)):
                found.append(f"Same GSTIN as {other.reference} ({other.legal_name}).")
        emails = [p.email.lower() for p in people]
        for other in connection.execute(
                sa.select(registrations.c.reference, delegates.c.email).distinct()
                .join(delegates, delegates.c.registration_id == registrations.c.id)
                .where(others, sa.func.lower(delegates.c.email).in_(emails))):
            found.append(f"{other.email} is also a delegate of {other.reference}.")
        similarity = sa.func.similarity(_core_name(registrations.c.legal_name),
                                        _core_name(sa.literal(registration.legal_name)))
        for other in connection.execute(
                sa.select(registrations.c.reference, registrations.c.legal_name, similarity.label("score"))
                .where(others, similarity >= SIMILAR_NAME_THRESHOLD).order_by(similarity.desc()).limit(5)):
            found.append(f"Name much like {other.reference} ({other.legal_name}).")
    for person in people:
        if person.nationality != "IN":
            found.append(f"{person.full_name} is a national of {person.nationality}: needs additional clearance.")
        if person.email_verified_at is None and not person.erased_at:
            found.append(f"{person.full_name} has not confirmed their email address yet.")
    return found


def officer(engine: Engine, officer_id: str) -> sa.Row | None:
    with engine.connect() as connection:
        return connection.execute(sa.select(officers).where(officers.c.id == officer_id)).first()


def edition_choices(engine: Engine) -> list[tuple[str, str]]:
    """(slug, name) of every edition, the latest first."""
    with engine.connect() as connection:
        return [(row.slug, row.name) for row in connection.execute(
            sa.select(editions.c.slug, editions.c.name).order_by(editions.c.starts_on.desc()))]


EXPORT_COLUMNS = ("reference", "status", "legal_name", "organisation_type", "state", "country", "gstin",
                  "submitted_at", "delegate_name", "designation", "email", "phone", "nationality",
                  "id_document_type", "id_document_number")


def export_rows(engine: Engine, edition_id: str | None = None):
    """One row per delegate, for organisers' spreadsheets. Identity numbers stay masked."""
    query = (sa.select(registrations, delegates.c.full_name, delegates.c.designation, delegates.c.email,
                       delegates.c.phone, delegates.c.nationality, delegates.c.id_document_type,
                       delegates.c.id_document_last4)
             .join(delegates, delegates.c.registration_id == registrations.c.id)
             .order_by(registrations.c.submitted_at, delegates.c.position))
    if edition_id:
        query = query.where(registrations.c.edition_id == edition_id)
    with engine.connect() as connection:
        for row in connection.execute(query):
            yield (row.reference, row.status, row.legal_name, row.organisation_type, row.state or "", row.country,
                   row.gstin or "", row.submitted_at.isoformat(), row.full_name, row.designation, row.email,
                   row.phone, row.nationality, row.id_document_type or "", masked(row.id_document_last4))
