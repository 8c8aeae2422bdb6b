"""Who is in a segment, from notification's own directory (domain/segments.py names them)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on

from services.notification.adapters.tables import contacts as c
from services.notification.adapters.tables import editions as e
from services.notification.adapters.tables import organisation_benefits as b
from services.notification.adapters.tables import registrations as r
from services.notification.domain.directory import DELEGATE, EXHIBITOR, OFFICER, SPONSOR
from services.notification.domain.segments import Segment


def _approved_delegates(edition_id: str | None, benefit: str | None = None) -> sa.Select:
    query = (sa.select(c.c.person_id, c.c.email, c.c.full_name)
             .select_from(c.join(r, r.c.registration_id == c.c.registration_id))
             .where(c.c.kind == DELEGATE, r.c.status == "approved"))
    if edition_id:
        query = query.where(r.c.edition_id == edition_id)
    if benefit:
        query = query.where(sa.exists().where(b.c.registration_id == c.c.registration_id, b.c.benefit == benefit))
    return query


def _officers(edition_id: str | None) -> sa.Select:
    query = sa.select(c.c.person_id, c.c.email, c.c.full_name).where(c.c.kind == OFFICER)
    return query.where(c.c.edition_id == edition_id) if edition_id else query


def members(segment: Segment, edition_id: str | None) -> sa.Subquery:
    """(person_id, email, full_name) of everyone in `segment` (of one edition, unless None), once per address."""
    query = {
        Segment.APPROVED_DELEGATES: lambda: _approved_delegates(edition_id),
        Segment.OFFICERS: lambda: _officers(edition_id),
        Segment.EXHIBITORS: lambda: _approved_delegates(edition_id, EXHIBITOR),
        Segment.SPONSORS: lambda: _approved_delegates(edition_id, SPONSOR),
        Segment.EVERYONE: lambda: sa.union(_approved_delegates(edition_id), _officers(edition_id)),
    }[segment]().subquery()
    return sa.select(query).ext(distinct_on(query.c.email)).order_by(query.c.email, query.c.person_id).subquery()


def count(connection: sa.Connection, segment: Segment, edition_id: str | None) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(members(segment, edition_id))).scalar()


def editions(connection: sa.Connection) -> list[tuple[str, str]]:
    """(edition id, name) of every edition registration announced, newest first."""
    return [tuple(row) for row in connection.execute(
        sa.select(e.c.edition_id, e.c.name).order_by(e.c.starts_on.desc(), e.c.name)).all()]
