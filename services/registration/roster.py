"""The officer roster's use cases: import a CSV, add, change or remove one officer. Every
change is audited and announced, so matchmaking and notification keep their own copies."""
from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from services.registration import events
from services.registration.adapters.tables import audit_log, officers, outbox
from services.registration.domain.officers import Officer, RowError, parse_roster
from shared.audit import record_audit
from shared.auth import Principal
from shared.errors import StateConflict
from shared.events import ContractRegistry
from shared.outbox import record_event

_FIELDS = ("name", "rank", "organisation", "appointment", "email", "phone", "sectors", "requirements")


@dataclasses.dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    errors: list[RowError]


def _values(officer: Officer) -> dict:
    return {"name": officer.name, "rank": officer.rank, "organisation": officer.organisation.value,
            "appointment": officer.appointment, "email": officer.email, "phone": officer.phone,
            "sectors": list(officer.sectors), "requirements": officer.requirements}


def _announce(connection: Connection, contracts: ContractRegistry, event_type: str, officer_id: str,
              edition_id: str, values: dict, correlation_id: str) -> None:
    data = {"officer_id": officer_id, "edition_id": edition_id}
    if event_type != events.OFFICER_REMOVED:
        data |= {key: values[key] for key in ("name", "rank", "organisation", "appointment", "email", "sectors",
                                              "requirements")}
    record_event(connection, outbox, topic=events.EVENTS_TOPIC, correlation_id=correlation_id,
                 envelope=contracts.create(event_type, officer_id, data))


def save_officer(connection: Connection, contracts: ContractRegistry, edition_id: str, officer: Officer, *,
                 actor: Principal, correlation_id: str) -> str:
    """Add the officer, or update the one with the same email in this edition. Returns what happened."""
    values = _values(officer)
    existing = connection.execute(sa.select(officers).where(
        officers.c.edition_id == edition_id, sa.func.lower(officers.c.email) == officer.email.lower())
        .with_for_update()).first()
    if existing is None:
        connection.execute(officers.insert().values(id=officer.id, edition_id=edition_id, **values))
        record_audit(connection, audit_log, actor=actor, action="officer.added", target_type="officer",
                     target_id=officer.id, after=values, correlation_id=correlation_id)
        _announce(connection, contracts, events.OFFICER_ADDED, officer.id, edition_id, values, correlation_id)
        return "added"
    before = {key: (list(getattr(existing, key)) if key == "sectors" else getattr(existing, key)) for key in _FIELDS}
    if before == values and existing.removed_at is None:
        return "unchanged"
    connection.execute(officers.update().where(officers.c.id == existing.id)
                       .values(**values, removed_at=None, updated_at=sa.func.now()))
    record_audit(connection, audit_log, actor=actor, action="officer.updated", target_type="officer",
                 target_id=existing.id, before=before, after=values, correlation_id=correlation_id)
    _announce(connection, contracts, events.OFFICER_UPDATED if existing.removed_at is None else events.OFFICER_ADDED,
              existing.id, edition_id, values, correlation_id)
    return "updated"


def import_roster(engine: Engine, contracts: ContractRegistry, edition_id: str, csv_text: str, *,
                  actor: Principal, correlation_id: str) -> ImportResult:
    """All of a file or none of it: a file with bad rows imports nothing and lists them all.
    Importing the same file again changes nothing; a corrected file updates officers in place."""
    roster, problems = parse_roster(csv_text)
    if problems:
        return ImportResult(0, 0, 0, problems)
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    with engine.begin() as connection:
        for officer in roster:
            counts[save_officer(connection, contracts, edition_id, officer, actor=actor,
                                correlation_id=correlation_id)] += 1
    return ImportResult(errors=[], **counts)


def remove_officer(engine: Engine, contracts: ContractRegistry, officer_id: str, *, actor: Principal,
                   correlation_id: str) -> None:
    with engine.begin() as connection:
        row = connection.execute(sa.select(officers).where(officers.c.id == officer_id).with_for_update()).first()
        if row is None or row.removed_at is not None:
            raise StateConflict("No such officer on the roster.")
        connection.execute(officers.update().where(officers.c.id == officer_id)
                           .values(removed_at=sa.func.now(), updated_at=sa.func.now()))
        record_audit(connection, audit_log, actor=actor, action="officer.removed", target_type="officer",
                     target_id=officer_id, before={"name": row.name, "email": row.email}, correlation_id=correlation_id)
        _announce(connection, contracts, events.OFFICER_REMOVED, officer_id, row.edition_id, {}, correlation_id)


def roster_of(engine: Engine, edition_id: str) -> list[sa.Row]:
    with engine.connect() as connection:
        return connection.execute(sa.select(officers).where(officers.c.edition_id == edition_id,
                                                            officers.c.removed_at.is_(None))
                                  .order_by(officers.c.organisation, officers.c.name)).all()
