"""The organisers' scheduling use cases: the frame, people's availability, scheduler runs and
their publication, and pinning, moving or cancelling a meeting by hand.

A run is queued by an organiser and solved by the worker (it may take a minute at full scale);
it proposes a schedule with its figures. Publishing applies it in one transaction: every
meeting newly placed is announced as scheduled, every one that changed as moved. A run made
before the published schedule last changed is stale and cannot be published.
"""
from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from services.matchmaking import events, meetings
from services.matchmaking.adapters import repository
from services.matchmaking.adapters.tables import (
    audit_log, meeting_requests, meeting_seats, meetings as meetings_table, schedule_frames, schedule_runs,
    unavailable_slots)
from services.matchmaking.domain import scheduler
from services.matchmaking.domain.frame import Frame, PartOfDay
from services.matchmaking.domain.scheduling import (
    B2B, MeetingToPlace, Placement, Problem, meeting_weight, violations)
from shared.audit import record_audit
from shared.auth import Principal
from shared.errors import InvalidFields, StateConflict
from shared.events import ContractRegistry

MAX_TIME_LIMIT_SECONDS = 300


def save_frame(engine: Engine, frame: Frame, *, actor: Principal, correlation_id: str) -> None:
    values = {"time_zone": frame.time_zone, "days": repository.days_as_json(frame), "slot_minutes": frame.slot_minutes,
              "b2g_tables": frame.b2g_tables, "b2b_tables": frame.b2b_tables,
              "officers_keep_tables": frame.officers_keep_tables,
              "max_open_requests_per_company": frame.max_open_requests_per_company,
              "max_meetings_per_officer_per_day": frame.max_meetings_per_officer_per_day,
              "max_meetings_per_company_per_day": frame.max_meetings_per_company_per_day,
              "response_hours": frame.response_hours}
    with engine.begin() as connection:
        before = connection.execute(sa.select(schedule_frames).where(
            schedule_frames.c.edition_id == frame.edition_id).with_for_update()).first()
        if before is None:
            connection.execute(schedule_frames.insert().values(edition_id=frame.edition_id, **values))
        else:
            connection.execute(schedule_frames.update().where(schedule_frames.c.edition_id == frame.edition_id)
                               .values(**values, updated_at=sa.func.now()))
        record_audit(connection, audit_log, actor=actor, action="schedule_frame.saved", target_type="edition",
                     target_id=frame.edition_id, correlation_id=correlation_id,
                     before={k: getattr(before, k) for k in values} if before else None, after=values)


def set_unavailable(engine: Engine, party: str, edition_id: str, starts: list[datetime]) -> None:
    """Replace the slots (by start) in which `party` cannot meet; each must be a slot of the frame."""
    with engine.begin() as connection:
        frame = repository.frame_of(connection, edition_id)
        if frame is None:
            raise StateConflict("The organisers have not set the schedule frame yet.")
        unknown = [moment.isoformat() for moment in starts if frame.slot_at(moment) is None]
        if unknown:
            raise InvalidFields({"unavailable": [f"Not a slot of the schedule: {', '.join(unknown[:5])}."]})
        connection.execute(unavailable_slots.delete().where(unavailable_slots.c.party == party))
        if starts:
            connection.execute(unavailable_slots.insert(), [
                {"party": party, "starts_at": moment, "edition_id": edition_id} for moment in sorted(set(starts))])


def unavailable_of(connection: Connection, party: str) -> set[datetime]:
    return set(connection.execute(sa.select(unavailable_slots.c.starts_at).where(
        unavailable_slots.c.party == party)).scalars())


def queue_run(engine: Engine, edition_id: str, *, allow_moves: bool, time_limit_seconds: int, actor: Principal,
              correlation_id: str) -> str:
    if not 1 <= time_limit_seconds <= MAX_TIME_LIMIT_SECONDS:
        raise InvalidFields({"time_limit_seconds": [f"Between 1 and {MAX_TIME_LIMIT_SECONDS} seconds."]})
    run_id = str(uuid.uuid4())
    with engine.begin() as connection:
        if repository.frame_of(connection, edition_id) is None:
            raise StateConflict("Set the schedule frame before running the scheduler.")
        connection.execute(schedule_runs.insert().values(
            id=run_id, edition_id=edition_id, status="queued", allow_moves=allow_moves,
            time_limit_seconds=time_limit_seconds, requested_by=actor.name))
        record_audit(connection, audit_log, actor=actor, action="schedule.run_requested", target_type="edition",
                     target_id=edition_id, after={"run_id": run_id, "allow_moves": allow_moves},
                     correlation_id=correlation_id)
    return run_id


def problem_of(connection: Connection, frame: Frame, *, allow_moves: bool) -> Problem:
    """Every accepted request of the edition as the scheduler sees it, with what is published."""
    edition_id = frame.edition_id
    slot_index = {slot.starts_at: slot.index for slot in frame.slots}
    rows = connection.execute(sa.select(meeting_requests, meetings_table.c.starts_at, meetings_table.c.table_label,
                                        meetings_table.c.pinned)
                              .select_from(meeting_requests.outerjoin(meetings_table))
                              .where(meeting_requests.c.edition_id == edition_id,
                                     meeting_requests.c.status == "accepted")
                              .order_by(meeting_requests.c.created_at)).all()
    priority = repository.sponsor_priorities(connection, edition_id)
    to_place = []
    for row in rows:
        placement = None
        if row.starts_at is not None and row.starts_at in slot_index:
            placement = Placement(slot_index[row.starts_at], row.table_label)
        to_place.append(MeetingToPlace(
            id=row.id, parties=(row.requester, row.receiver), kind=row.kind,
            weight=meeting_weight(max(priority.get(row.requester, 0), priority.get(row.receiver, 0)), row.starred),
            part_of_day=PartOfDay(row.part_of_day), pinned=placement if row.pinned else None,
            published=placement))
    unavailable = defaultdict(set)
    for party, starts_at in connection.execute(sa.select(unavailable_slots.c.party, unavailable_slots.c.starts_at)
                                               .where(unavailable_slots.c.edition_id == edition_id)):
        if starts_at in slot_index:
            unavailable[party].add(slot_index[starts_at])
    parties = {p for m in to_place for p in m.parties}
    officer_parties = sorted(p for p in parties if p.startswith("officer:"))
    caps = {p: frame.max_meetings_per_officer_per_day for p in officer_parties}
    if frame.max_meetings_per_company_per_day:
        caps |= {p: frame.max_meetings_per_company_per_day for p in parties if p.startswith("company:")}
    officer_tables = {}
    if frame.officers_keep_tables:
        # Officers keep the table they already hold; the others get the free ones in roster order.
        held = {m.parties[1]: m.published.table for m in to_place if m.kind != B2B and m.published}
        free = [t for t in frame.b2g_table_labels() if t not in held.values()]
        for officer in officer_parties:
            officer_tables[officer] = held.get(officer) or (free.pop(0) if free else None)
        officer_tables = {k: v for k, v in officer_tables.items() if v}
    return Problem(slots=frame.slots, meetings=tuple(to_place), b2g_tables=tuple(frame.b2g_table_labels()),
                   b2b_tables=tuple(frame.b2b_table_labels()), officer_tables=officer_tables,
                   unavailable={p: frozenset(s) for p, s in unavailable.items()}, daily_caps=caps,
                   allow_moves=allow_moves)


def solve_next_run(engine: Engine, *, workers: int = 2) -> str | None:
    """Take the oldest queued run (several workers may try at once) and solve it; its id, or None."""
    with engine.begin() as connection:
        run = connection.execute(sa.select(schedule_runs).where(schedule_runs.c.status == "queued")
                                 .order_by(schedule_runs.c.requested_at).limit(1)
                                 .with_for_update(skip_locked=True)).first()
        if run is None:
            return None
        connection.execute(schedule_runs.update().where(schedule_runs.c.id == run.id).values(
            status="running", started_at=sa.func.now()))
    try:
        with engine.connect() as connection:
            frame = repository.frame_of(connection, run.edition_id)
            version = connection.execute(sa.select(schedule_frames.c.schedule_version).where(
                schedule_frames.c.edition_id == run.edition_id)).scalar()
            problem = problem_of(connection, frame, allow_moves=run.allow_moves)
        outcome = scheduler.schedule(problem, time_limit=run.time_limit_seconds, workers=workers)
        broken = violations(problem, outcome.placements)
        if broken:
            raise RuntimeError("the schedule breaks constraints: " + "; ".join(broken[:5]))
        slots = frame.slots
        result = {"placements": {mid: {"starts_at": slots[p.slot].starts_at.isoformat(), "table": p.table}
                                 for mid, p in outcome.placements.items()},
                  "unplaced": {u.meeting_id: u.reason for u in outcome.unplaced}}
        figures = {"objective": outcome.objective, "upper_bound": outcome.upper_bound, "gap": outcome.gap,
                   "placed": len(outcome.placements), "requests": len(problem.meetings),
                   "unplaced": len(outcome.unplaced), "idle_gaps": outcome.idle_gaps,
                   "max_idle_gaps": outcome.max_idle_gaps, "people": outcome.people_with_meetings,
                   "proven_optimal": outcome.proven_optimal,
                   "compactness_proven_optimal": outcome.compactness_proven_optimal,
                   "idle_gaps_lower_bound": outcome.idle_gaps_lower_bound,
                   "seconds": round(outcome.seconds, 2), "method": outcome.method}
        with engine.begin() as connection:
            connection.execute(schedule_runs.update().where(schedule_runs.c.id == run.id).values(
                status="finished", finished_at=sa.func.now(), based_on_version=version, figures=figures,
                result=result))
    except Exception as error:
        with engine.begin() as connection:
            connection.execute(schedule_runs.update().where(schedule_runs.c.id == run.id).values(
                status="failed", finished_at=sa.func.now(), error=f"{type(error).__name__}: {error}"[:2000]))
        raise
    return run.id


def publish_run(engine: Engine, contracts: ContractRegistry, run_id: str, *, actor: Principal,
                correlation_id: str) -> dict:
    """Apply a finished run: announce each meeting newly placed or moved. Returns the counts."""
    with engine.begin() as connection:
        run = connection.execute(sa.select(schedule_runs).where(schedule_runs.c.id == run_id)
                                 .with_for_update()).first()
        if run is None:
            raise StateConflict("No such scheduler run.")
        if run.status != "finished":
            raise StateConflict(f"This run is {run.status}; only a finished run can be published.")
        version = connection.execute(sa.select(schedule_frames.c.schedule_version).where(
            schedule_frames.c.edition_id == run.edition_id).with_for_update()).scalar()
        if version != run.based_on_version:
            connection.execute(schedule_runs.update().where(schedule_runs.c.id == run_id).values(status="stale"))
            raise StateConflict("The schedule changed since this run; run the scheduler again.")
        frame = repository.frame_of(connection, run.edition_id)
        counts = {"scheduled": 0, "moved": 0, "unchanged": 0}
        wanted = run.result["placements"]
        current = {row.request_id: row for row in connection.execute(sa.select(meetings_table).where(
            meetings_table.c.edition_id == run.edition_id))}
        # Clear every seat that changes first, so swaps between meetings never collide midway.
        changing = [mid for mid, target in wanted.items() if mid in current and (
            current[mid].starts_at.isoformat() != target["starts_at"] or current[mid].table_label != target["table"])]
        for mid in changing:
            connection.execute(meetings_table.delete().where(meetings_table.c.request_id == mid))
        for mid, target in wanted.items():
            slot = frame.slot_at(datetime.fromisoformat(target["starts_at"]))
            before = current.get(mid)
            if before is not None and mid not in changing:
                counts["unchanged"] += 1
                continue
            sequence = before.sequence + 1 if before else 0
            _seat(connection, run.edition_id, mid, slot, target["table"], sequence=sequence,
                  pinned=bool(before and before.pinned))
            row = repository.request_locked(connection, mid)
            if before is None:
                counts["scheduled"] += 1
                meetings.announce(connection, contracts, events.MEETING_SCHEDULED, row, correlation_id)
            else:
                counts["moved"] += 1
                meetings.announce(connection, contracts, events.MEETING_MOVED, row, correlation_id,
                                  previous_starts_at=before.starts_at, previous_ends_at=before.ends_at,
                                  previous_table=before.table_label)
        connection.execute(schedule_runs.update().where(schedule_runs.c.id == run_id).values(status="published"))
        meetings.bump_schedule_version(connection, run.edition_id)
        record_audit(connection, audit_log, actor=actor, action="schedule.published", target_type="edition",
                     target_id=run.edition_id, after={"run_id": run_id, **counts}, correlation_id=correlation_id)
        return counts


def _seat(connection: Connection, edition_id: str, request_id: str, slot, table: str, *, sequence: int,
          pinned: bool) -> None:
    """Write a placement; the database refuses a table or a person booked twice in one slot."""
    request = repository.request_locked(connection, request_id)
    connection.execute(meetings_table.insert().values(
        request_id=request_id, edition_id=edition_id, starts_at=slot.starts_at, ends_at=slot.ends_at,
        table_label=table, pinned=pinned, sequence=sequence))
    connection.execute(meeting_seats.insert(), [{"party": party, "starts_at": slot.starts_at, "request_id": request_id}
                                                for party in (request.requester, request.receiver)])


def place_by_hand(engine: Engine, contracts: ContractRegistry, request_id: str, *, starts_at: datetime, table: str,
                  pinned: bool, actor: Principal, correlation_id: str) -> None:
    """An organiser places or moves an accepted meeting (and pins it there, unless told not to).
    Every hard constraint is checked against the rest of the published schedule first."""
    with engine.begin() as connection:
        row = repository.request_locked(connection, request_id)
        if row is None or row.status != "accepted":
            raise StateConflict("Only an accepted meeting can be placed.")
        frame = repository.frame_of(connection, row.edition_id)
        slot = frame.slot_at(starts_at)
        if slot is None:
            raise InvalidFields({"starts_at": ["Not a slot of the schedule."]})
        problem = problem_of(connection, frame, allow_moves=False)
        placements = {m.id: m.published for m in problem.meetings if m.published and m.id != request_id}
        placements[request_id] = Placement(slot.index, table)
        edited = dataclasses.replace(problem, meetings=tuple(
            dataclasses.replace(m, pinned=None, published=None) if m.id == request_id else m
            for m in problem.meetings))
        broken = violations(edited, placements)
        if broken:
            raise StateConflict("That placement breaks the schedule: " + "; ".join(broken[:3]))
        before = repository.meeting_of(connection, request_id)
        if before:
            connection.execute(meetings_table.delete().where(meetings_table.c.request_id == request_id))
        _seat(connection, row.edition_id, request_id, slot, table, sequence=before.sequence + 1 if before else 0,
              pinned=pinned)
        meetings.bump_schedule_version(connection, row.edition_id)
        if before is None:
            meetings.announce(connection, contracts, events.MEETING_SCHEDULED, row, correlation_id)
        elif (before.starts_at, before.table_label) != (slot.starts_at, table):
            meetings.announce(connection, contracts, events.MEETING_MOVED, row, correlation_id,
                              previous_starts_at=before.starts_at, previous_ends_at=before.ends_at,
                              previous_table=before.table_label)
        record_audit(connection, audit_log, actor=actor, action="meeting.placed_by_hand", target_type="meeting",
                     target_id=request_id, correlation_id=correlation_id,
                     before={"starts_at": before.starts_at.isoformat(), "table": before.table_label} if before else None,
                     after={"starts_at": slot.starts_at.isoformat(), "table": table, "pinned": pinned})


def set_pinned(engine: Engine, request_id: str, pinned: bool, *, actor: Principal, correlation_id: str) -> None:
    with engine.begin() as connection:
        updated = connection.execute(meetings_table.update().where(meetings_table.c.request_id == request_id)
                                     .values(pinned=pinned)).rowcount
        if not updated:
            raise StateConflict("Only a placed meeting can be pinned.")
        record_audit(connection, audit_log, actor=actor, action="meeting.pinned" if pinned else "meeting.unpinned",
                     target_type="meeting", target_id=request_id, correlation_id=correlation_id)
