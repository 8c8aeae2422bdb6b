"""Reading matchmaking's tables with SQLAlchemy Core, inside the caller's transaction."""
from __future__ import annotations

from datetime import date, time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.matchmaking.adapters.tables import (
    delegates, meeting_requests, meetings, officers, organisations, schedule_frames, sponsorships)
from services.matchmaking.domain.frame import Break, Day, Frame
from services.matchmaking.domain.requests import Party


def frame_of(connection: Connection, edition_id: str) -> Frame | None:
    row = connection.execute(sa.select(schedule_frames).where(schedule_frames.c.edition_id == edition_id)).first()
    return frame_from_row(row) if row else None


def frame_from_row(row) -> Frame:
    days = tuple(Day(date.fromisoformat(d["date"]), time.fromisoformat(d["opens"]), time.fromisoformat(d["closes"]),
                     tuple(Break(time.fromisoformat(b["starts"]), time.fromisoformat(b["ends"]), b.get("label") or "Break")
                           for b in d.get("breaks", ())))
                 for d in row.days)
    return Frame(edition_id=row.edition_id, time_zone=row.time_zone, days=days, slot_minutes=row.slot_minutes,
                 b2g_tables=row.b2g_tables, b2b_tables=row.b2b_tables, officers_keep_tables=row.officers_keep_tables,
                 max_open_requests_per_company=row.max_open_requests_per_company,
                 max_meetings_per_officer_per_day=row.max_meetings_per_officer_per_day,
                 max_meetings_per_company_per_day=row.max_meetings_per_company_per_day,
                 response_hours=row.response_hours)


def days_as_json(frame: Frame) -> list[dict]:
    return [{"date": d.date.isoformat(), "opens": d.opens.isoformat("minutes"), "closes": d.closes.isoformat("minutes"),
             "breaks": [{"starts": b.starts.isoformat("minutes"), "ends": b.ends.isoformat("minutes"), "label": b.label}
                        for b in d.breaks]} for d in frame.days]


def split_party(key: str) -> tuple[str, str]:
    kind, _, identifier = key.partition(":")
    return kind, identifier


def party(connection: Connection, key: str) -> Party | None:
    kind, identifier = split_party(key)
    if kind == "company":
        row = connection.execute(sa.select(organisations).where(
            organisations.c.registration_id == identifier)).first()
        if row is None:
            return None
        return Party(key=key, kind=kind, name=row.legal_name, edition_id=row.edition_id,
                     taking_part=row.status == "approved",
                     wants_b2b="b2b" in row.meeting_interests or not row.meeting_interests)
    if kind == "officer":
        row = connection.execute(sa.select(officers).where(officers.c.officer_id == identifier)).first()
        if row is None:
            return None
        return Party(key=key, kind=kind, name=f"{row.rank} {row.name}", edition_id=row.edition_id,
                     taking_part=row.removed_at is None)
    return None


def party_snapshot(connection: Connection, key: str) -> dict:
    """A side of a meeting as the events carry it (events.PartyV1)."""
    kind, identifier = split_party(key)
    if kind == "officer":
        row = connection.execute(sa.select(officers).where(officers.c.officer_id == identifier)).one()
        people = [{"name": f"{row.rank} {row.name}", "email": row.email}] if row.email else []
        return {"kind": kind, "id": identifier, "name": f"{row.rank} {row.name}", "detail": row.appointment,
                "people": people}
    row = connection.execute(sa.select(organisations).where(organisations.c.registration_id == identifier)).one()
    people = connection.execute(sa.select(delegates.c.full_name, delegates.c.email).where(
        delegates.c.registration_id == identifier).order_by(delegates.c.position)).all()
    return {"kind": kind, "id": identifier, "name": row.legal_name, "detail": row.reference,
            "people": [{"name": p.full_name, "email": p.email} for p in people]}


def party_names(connection: Connection, keys: set[str]) -> dict[str, str]:
    company_ids = [split_party(k)[1] for k in keys if k.startswith("company:")]
    officer_ids = [split_party(k)[1] for k in keys if k.startswith("officer:")]
    names = {}
    if company_ids:
        for row in connection.execute(sa.select(organisations.c.registration_id, organisations.c.legal_name)
                                      .where(organisations.c.registration_id.in_(company_ids))):
            names[f"company:{row.registration_id}"] = row.legal_name
    if officer_ids:
        for row in connection.execute(sa.select(officers.c.officer_id, officers.c.rank, officers.c.name)
                                      .where(officers.c.officer_id.in_(officer_ids))):
            names[f"officer:{row.officer_id}"] = f"{row.rank} {row.name}"
    return names


def sponsor_priorities(connection: Connection, edition_id: str) -> dict[str, int]:
    """company party -> the highest matchmaking priority of its live sponsorships."""
    rows = connection.execute(sa.select(sponsorships.c.registration_id,
                                        sa.func.max(sponsorships.c.matchmaking_priority))
                              .where(sponsorships.c.edition_id == edition_id, sponsorships.c.withdrawn_at.is_(None))
                              .group_by(sponsorships.c.registration_id)).all()
    return {f"company:{registration_id}": priority for registration_id, priority in rows}


def request_locked(connection: Connection, request_id: str):
    return connection.execute(sa.select(meeting_requests).where(meeting_requests.c.id == request_id)
                              .with_for_update()).first()


def meeting_of(connection: Connection, request_id: str):
    return connection.execute(sa.select(meetings).where(meetings.c.request_id == request_id)).first()
