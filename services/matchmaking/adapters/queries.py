"""What the pages and the API show: agendas, requests, the grid, profiles, runs (read-only)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from services.matchmaking.adapters import repository
from services.matchmaking.adapters.tables import (
    meeting_requests, meetings, officers, organisations, schedule_frames, schedule_runs)
from services.matchmaking.adapters.tables import editions as announced_editions
from services.matchmaking.domain.recommendations import Profile


@dataclass(frozen=True)
class AgendaItem:
    meeting_id: str
    kind: str
    counterpart: str
    counterpart_key: str
    agenda: str
    starts_at: datetime
    ends_at: datetime
    table: str
    sequence: int
    venue: str | None  # None until registration has announced the edition


def agenda_of(engine: Engine, party: str) -> list[AgendaItem]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(meeting_requests, meetings.c.starts_at, meetings.c.ends_at, meetings.c.table_label,
                      meetings.c.sequence, announced_editions.c.venue)
            .join(meetings, meetings.c.request_id == meeting_requests.c.id)
            .outerjoin(announced_editions, announced_editions.c.edition_id == meeting_requests.c.edition_id)
            .where(sa.or_(meeting_requests.c.requester == party, meeting_requests.c.receiver == party))
            .order_by(meetings.c.starts_at)).all()
        names = repository.party_names(connection, {r.requester for r in rows} | {r.receiver for r in rows})
    items = []
    for row in rows:
        other = row.receiver if row.requester == party else row.requester
        items.append(AgendaItem(row.id, row.kind, names.get(other, "(unknown)"), other, row.agenda, row.starts_at,
                                row.ends_at, row.table_label, row.sequence, row.venue))
    return items


def requests_of(engine: Engine, party: str) -> tuple[list, list, dict[str, str]]:
    """(received, sent) requests of a party, newest first, and the names of everyone in them."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(meeting_requests).where(
            sa.or_(meeting_requests.c.requester == party, meeting_requests.c.receiver == party))
            .order_by(meeting_requests.c.created_at.desc())).all()
        names = repository.party_names(connection, {r.requester for r in rows} | {r.receiver for r in rows})
    return [r for r in rows if r.receiver == party], [r for r in rows if r.requester == party], names


def edition_of_party(engine: Engine, party: str) -> str | None:
    kind, identifier = repository.split_party(party)
    table, column = (officers, officers.c.officer_id) if kind == "officer" else \
        (organisations, organisations.c.registration_id)
    with engine.connect() as connection:
        return connection.execute(sa.select(table.c.edition_id).where(column == identifier)).scalar()


def profiles(engine: Engine, edition_id: str) -> list[Profile]:
    """Everyone taking part in an edition, as the recommender reads them."""
    with engine.connect() as connection:
        companies = connection.execute(sa.select(organisations).where(
            organisations.c.edition_id == edition_id, organisations.c.status == "approved")).all()
        roster = connection.execute(sa.select(officers).where(
            officers.c.edition_id == edition_id, officers.c.removed_at.is_(None))).all()
    return [Profile(f"company:{r.registration_id}", "company", r.legal_name, tuple(r.sectors),
                    f"{r.capabilities}\n{r.products}") for r in companies] + \
        [Profile(f"officer:{r.officer_id}", "officer", f"{r.rank} {r.name}", tuple(r.sectors),
                 f"{r.requirements}\n{r.appointment}") for r in roster]


def editions(engine: Engine) -> list[sa.Row]:
    """Every edition matchmaking has heard of, with how many take part and whether it has a frame."""
    with engine.connect() as connection:
        ids = sa.union(sa.select(organisations.c.edition_id), sa.select(officers.c.edition_id),
                       sa.select(schedule_frames.c.edition_id)).subquery()
        companies = sa.select(sa.func.count()).where(organisations.c.edition_id == ids.c.edition_id,
                                                     organisations.c.status == "approved").scalar_subquery()
        roster = sa.select(sa.func.count()).where(officers.c.edition_id == ids.c.edition_id,
                                                  officers.c.removed_at.is_(None)).scalar_subquery()
        accepted = sa.select(sa.func.count()).where(meeting_requests.c.edition_id == ids.c.edition_id,
                                                    meeting_requests.c.status == "accepted").scalar_subquery()
        placed = sa.select(sa.func.count()).where(meetings.c.edition_id == ids.c.edition_id).scalar_subquery()
        has_frame = sa.exists().where(schedule_frames.c.edition_id == ids.c.edition_id)
        return connection.execute(sa.select(ids.c.edition_id, announced_editions.c.name, announced_editions.c.venue,
                                            companies.label("companies"), roster.label("officers"),
                                            accepted.label("accepted"), placed.label("placed"),
                                            has_frame.label("has_frame"))
                                  .outerjoin(announced_editions, announced_editions.c.edition_id == ids.c.edition_id)
                                  .order_by(announced_editions.c.starts_on.desc().nulls_last())).all()


def edition_name(engine: Engine, edition_id: str) -> str | None:
    with engine.connect() as connection:
        return connection.execute(sa.select(announced_editions.c.name)
                                  .where(announced_editions.c.edition_id == edition_id)).scalar()


def runs_of(engine: Engine, edition_id: str, limit: int = 10) -> list[sa.Row]:
    with engine.connect() as connection:
        return connection.execute(sa.select(schedule_runs.c.id, schedule_runs.c.status, schedule_runs.c.allow_moves,
                                            schedule_runs.c.requested_by, schedule_runs.c.requested_at,
                                            schedule_runs.c.figures, schedule_runs.c.error)
                                  .where(schedule_runs.c.edition_id == edition_id)
                                  .order_by(schedule_runs.c.requested_at.desc()).limit(limit)).all()


def run(engine: Engine, run_id: str) -> sa.Row | None:
    with engine.connect() as connection:
        return connection.execute(sa.select(schedule_runs).where(schedule_runs.c.id == run_id)).first()


@dataclass(frozen=True)
class GridCell:
    meeting_id: str
    kind: str
    parties: str
    pinned: bool


def grid(engine: Engine, edition_id: str) -> dict[tuple[datetime, str], GridCell]:
    """(slot start, table) -> the published meeting there."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(meetings, meeting_requests.c.requester, meeting_requests.c.receiver,
                                            meeting_requests.c.kind)
                                  .join(meeting_requests, meeting_requests.c.id == meetings.c.request_id)
                                  .where(meetings.c.edition_id == edition_id)).all()
        names = repository.party_names(connection, {r.requester for r in rows} | {r.receiver for r in rows})
    return {(r.starts_at, r.table_label): GridCell(r.request_id, r.kind,
                                                   f"{names.get(r.requester, '?')} · {names.get(r.receiver, '?')}",
                                                   r.pinned) for r in rows}


def accepted_unplaced(engine: Engine, edition_id: str) -> list[sa.Row]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(meeting_requests).outerjoin(meetings).where(
            meeting_requests.c.edition_id == edition_id, meeting_requests.c.status == "accepted",
            meetings.c.request_id.is_(None)).order_by(meeting_requests.c.created_at)).all()
        names = repository.party_names(connection, {r.requester for r in rows} | {r.receiver for r in rows})
    return [(row, names) for row in rows]
