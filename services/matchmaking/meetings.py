"""Meeting requests' use cases: ask, accept or decline, cancel, expire. Each is one transaction
that changes the request and records the event both sides hear about."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from services.matchmaking import events
from services.matchmaking.adapters import repository
from services.matchmaking.adapters.tables import audit_log, meeting_requests, meetings, outbox, schedule_frames
from services.matchmaking.domain import requests as rules
from services.matchmaking.domain.frame import PartOfDay
from services.matchmaking.domain.requests import Status
from shared.audit import record_audit
from shared.auth import Principal
from shared.errors import InvalidFields, StateConflict
from shared.events import ContractRegistry
from shared.outbox import record_event

DEFAULT_TIME_ZONE = "Asia/Kolkata"


def now() -> datetime:
    return datetime.now(timezone.utc)


def party_of(principal: Principal) -> str:
    """The side a signed-in participant acts for: their officer self, or their delegation."""
    return f"officer:{principal.subject}" if principal.officer else f"company:{principal.registration_id}"


def meeting_data(connection: Connection, row, *, sequence: int | None = None) -> dict:
    """A request and, if placed, its meeting, as every meeting event carries it (events.MeetingV1)."""
    placed = repository.meeting_of(connection, row.id)
    zone = connection.execute(sa.select(schedule_frames.c.time_zone).where(
        schedule_frames.c.edition_id == row.edition_id)).scalar() or DEFAULT_TIME_ZONE
    return {"meeting_id": row.id, "edition_id": row.edition_id, "kind": row.kind,
            "requester": repository.party_snapshot(connection, row.requester),
            "receiver": repository.party_snapshot(connection, row.receiver), "agenda": row.agenda,
            "part_of_day": row.part_of_day, "time_zone": zone,
            "sequence": sequence if sequence is not None else (placed.sequence if placed else 0),
            "starts_at": placed.starts_at if placed else None, "ends_at": placed.ends_at if placed else None,
            "table": placed.table_label if placed else None}


def announce(connection: Connection, contracts: ContractRegistry, event_type: str, row, correlation_id: str,
             **extra) -> None:
    data = meeting_data(connection, row, sequence=extra.pop("sequence", None)) | extra
    record_event(connection, outbox, topic=events.EVENTS_TOPIC, correlation_id=correlation_id,
                 envelope=contracts.create(event_type, row.id, data))


@dataclass(frozen=True)
class NewRequest:
    receiver: str
    agenda: str
    part_of_day: PartOfDay


def request_meeting(engine: Engine, contracts: ContractRegistry, principal: Principal, new: NewRequest, *,
                    correlation_id: str) -> str:
    """A company asks an officer (B2G) or another company (B2B) for a meeting; returns its id."""
    requester_key = party_of(principal)
    with engine.begin() as connection:
        requester = repository.party(connection, requester_key)
        receiver = repository.party(connection, new.receiver)
        if requester is None:
            raise StateConflict("Your organisation is not approved for matchmaking yet.")
        if receiver is None:
            raise InvalidFields({"receiver": ["No such participant."]})
        frame = repository.frame_of(connection, requester.edition_id)
        if frame is None:
            raise StateConflict("Meeting requests open once the organisers have set the schedule frame.")
        # One request at a time per company: the count of open requests cannot race past the cap.
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(requester_key))))
        open_count = connection.execute(sa.select(sa.func.count()).where(
            meeting_requests.c.requester == requester_key,
            meeting_requests.c.status.in_([s.value for s in rules.OPEN]))).scalar()
        kind = rules.check_request(requester, receiver, agenda=new.agenda, open_requests=open_count,
                                   cap=frame.max_open_requests_per_company)
        request_id = str(uuid.uuid4())
        low, high = sorted((requester_key, new.receiver))
        try:
            with connection.begin_nested():
                connection.execute(meeting_requests.insert().values(
                    id=request_id, edition_id=requester.edition_id, kind=kind, requester=requester_key,
                    receiver=new.receiver, requested_by_id=principal.subject, requested_by_name=principal.name,
                    agenda=new.agenda.strip(), part_of_day=new.part_of_day.value, status=Status.PENDING.value,
                    respond_by=now() + timedelta(hours=frame.response_hours), pair_low=low, pair_high=high))
        except sa.exc.IntegrityError:
            raise StateConflict(f"There is already an open request or meeting between your organisation and "
                                f"{receiver.name}.") from None
        row = repository.request_locked(connection, request_id)
        announce(connection, contracts, events.MEETING_REQUESTED, row, correlation_id,
                 requested_by=principal.name, respond_by=row.respond_by)
        return request_id


def answer_request(engine: Engine, contracts: ContractRegistry, principal: Principal, request_id: str, *,
                   accept: bool, starred: bool = False, reason: str | None = None, correlation_id: str) -> str:
    """The receiver accepts (optionally starring it: it matters to them) or declines with a reason."""
    with engine.begin() as connection:
        row = repository.request_locked(connection, request_id)
        if row is None or row.receiver != party_of(principal):
            raise StateConflict("No such request addressed to you.")
        if accept and row.status == Status.PENDING and row.receiver.startswith("officer:"):
            frame = repository.frame_of(connection, row.edition_id)
            accepted = connection.execute(sa.select(sa.func.count()).where(
                meeting_requests.c.receiver == row.receiver,
                meeting_requests.c.status == Status.ACCEPTED.value)).scalar()
            rules.check_acceptance_capacity(accepted, frame.meeting_capacity_of_officer())
        new_status = rules.answer(Status(row.status), accept=accept)
        reason = (reason or "").strip() or None
        answered_at = now()
        connection.execute(meeting_requests.update().where(meeting_requests.c.id == request_id).values(
            status=new_status.value, starred=accept and starred, decline_reason=None if accept else reason,
            answered_at=answered_at, closed_at=None if accept else answered_at))
        row = repository.request_locked(connection, request_id)
        if accept:
            announce(connection, contracts, events.MEETING_ACCEPTED, row, correlation_id, answered_at=answered_at)
        else:
            announce(connection, contracts, events.MEETING_DECLINED, row, correlation_id, answered_at=answered_at,
                     reason=reason)
        return new_status.value


def cancel_request(engine: Engine, contracts: ContractRegistry, principal: Principal, request_id: str, *,
                   reason: str | None, correlation_id: str) -> None:
    """Either side, or an organiser, calls a request or meeting off; a placed meeting frees its slot."""
    with engine.begin() as connection:
        row = repository.request_locked(connection, request_id)
        if row is None:
            raise StateConflict("No such request.")
        if principal.is_organiser:
            by = "organiser"
        elif party_of(principal) == row.requester:
            by = "requester"
        elif party_of(principal) == row.receiver:
            by = "receiver"
        else:
            raise StateConflict("No such request of yours.")
        close(connection, contracts, row, by=by, reason=reason, correlation_id=correlation_id)
        if principal.is_organiser:
            record_audit(connection, audit_log, actor=principal, action="meeting.cancelled", target_type="meeting",
                         target_id=request_id, before={"status": row.status}, after={"status": "cancelled",
                                                                                     "reason": reason},
                         correlation_id=correlation_id)


def close(connection: Connection, contracts: ContractRegistry, row, *, by: str, reason: str | None,
          correlation_id: str) -> None:
    """Cancel one open request (and its meeting, if placed) and announce it."""
    rules.cancel(Status(row.status))
    placed = repository.meeting_of(connection, row.id)
    sequence = placed.sequence + 1 if placed else 0
    data_before = meeting_data(connection, row, sequence=sequence)
    if placed:
        connection.execute(meetings.delete().where(meetings.c.request_id == row.id))
        bump_schedule_version(connection, row.edition_id)
    cancelled_at = now()
    connection.execute(meeting_requests.update().where(meeting_requests.c.id == row.id).values(
        status=Status.CANCELLED.value, cancel_reason=(reason or "").strip() or None, cancelled_by=by,
        closed_at=cancelled_at))
    record_event(connection, outbox, topic=events.EVENTS_TOPIC, correlation_id=correlation_id,
                 envelope=contracts.create(events.MEETING_CANCELLED, row.id, data_before | {
                     "cancelled_by": by, "reason": (reason or "").strip() or None, "cancelled_at": cancelled_at}))


def bump_schedule_version(connection: Connection, edition_id: str) -> None:
    connection.execute(schedule_frames.update().where(schedule_frames.c.edition_id == edition_id).values(
        schedule_version=schedule_frames.c.schedule_version + 1))


def close_everything_of(connection: Connection, contracts: ContractRegistry, party: str, *, reason: str,
                        correlation_id: str) -> int:
    """A party left (registration cancelled, officer off the roster): their open requests and
    meetings are cancelled, and the other sides are told."""
    rows = connection.execute(sa.select(meeting_requests).where(
        sa.or_(meeting_requests.c.requester == party, meeting_requests.c.receiver == party),
        meeting_requests.c.status.in_([s.value for s in rules.OPEN])).with_for_update()).all()
    for row in rows:
        close(connection, contracts, row, by="platform", reason=reason, correlation_id=correlation_id)
    return len(rows)


def expire_due_requests(engine: Engine, contracts: ContractRegistry, *, limit: int = 200) -> int:
    """Pending requests past their answer deadline expire (several workers may run this at once)."""
    with engine.begin() as connection:
        rows = connection.execute(sa.select(meeting_requests).where(
            meeting_requests.c.status == Status.PENDING.value, meeting_requests.c.respond_by <= sa.func.now())
            .order_by(meeting_requests.c.respond_by).limit(limit).with_for_update(skip_locked=True)).all()
        for row in rows:
            expired_at = now()
            connection.execute(meeting_requests.update().where(meeting_requests.c.id == row.id).values(
                status=Status.EXPIRED.value, closed_at=expired_at))
            announce(connection, contracts, events.MEETING_EXPIRED, row, f"expiry-{row.id}", expired_at=expired_at)
        return len(rows)
