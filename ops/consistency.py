"""Does every service know what the others told it? `python -m ops consistency`.

Each service keeps its own copy of what it needs from the others' events; this compares those
copies, reading each service's own database (read-only) with that service's settings:

- every approved organisation has its matchmaking profile, and matchmaking lists no other as approved;
- every approved organisation's contact person is a notification contact;
- every officer on the roster is in matchmaking;
- every scheduled meeting's invitation reached both sides (notification queued an email for
  each side from the event that placed it).

A check is a `Check` in `CHECKS`: a name, the services whose databases it reads, and a function
that gets one connection per service and returns what it looked at and what is missing. Events
still waiting in an outbox are reported beside the findings: a finding may be one in flight.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TextIO

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.ops.outbox_report import outbox_backlog

MEETING_PLACED = ("matchmaking.meeting_scheduled.v1", "matchmaking.meeting_moved.v1")


@dataclass(frozen=True)
class CheckResult:
    name: str
    checked: int
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Check:
    name: str
    services: tuple[str, ...]
    run: Callable[[Mapping[str, Connection]], tuple[int, list[str]]]


def _rows(connection: Connection, sql: str, **params) -> list[sa.Row]:
    return connection.execute(sa.text(sql), params).all()


def _organisation(row) -> str:
    return f"{row.reference} {row.legal_name} (registration {row.id})"


def approved_organisations_are_in_matchmaking(db: Mapping[str, Connection]) -> tuple[int, list[str]]:
    registrations = {str(r.id): r for r in _rows(db["registration"], "SELECT id, reference, legal_name, status "
                                                                      "FROM registrations")}
    profiles = {str(r.registration_id): r.status for r in _rows(
        db["matchmaking"], "SELECT registration_id, status FROM organisations")}
    missing = []
    for registration_id, row in registrations.items():
        if row.status == "approved" and profiles.get(registration_id) != "approved":
            state = profiles.get(registration_id)
            missing.append(f"{_organisation(row)}: no matchmaking profile" if state is None else
                           f"{_organisation(row)}: matchmaking still has it as {state}")
        elif row.status != "approved" and profiles.get(registration_id) == "approved":
            missing.append(f"{_organisation(row)}: is {row.status}, but matchmaking still has it as approved")
    for registration_id in profiles.keys() - registrations.keys():
        missing.append(f"registration {registration_id}: matchmaking has a profile of a registration that does "
                       f"not exist")
    return sum(1 for r in registrations.values() if r.status == "approved"), missing


def approved_organisations_have_a_notification_contact(db: Mapping[str, Connection]) -> tuple[int, list[str]]:
    contacts_needed = _rows(db["registration"], """
        SELECT r.id, r.reference, r.legal_name, d.id AS person_id, d.full_name, d.email
        FROM registrations r JOIN delegates d ON d.registration_id = r.id
        WHERE r.status = 'approved' AND d.erased_at IS NULL
          AND d.position = (SELECT min(position) FROM delegates WHERE registration_id = r.id AND erased_at IS NULL)""")
    contacts = {str(person) for person in db["notification"].execute(sa.text(
        "SELECT person_id FROM contacts")).scalars()}
    missing = [f"{_organisation(row)}: its contact {row.full_name} <{row.email}> is not a notification contact"
               for row in contacts_needed if str(row.person_id) not in contacts]
    return len(contacts_needed), missing


def rostered_officers_are_in_matchmaking(db: Mapping[str, Connection]) -> tuple[int, list[str]]:
    roster = _rows(db["registration"], "SELECT id, name, email FROM officers WHERE removed_at IS NULL")
    known = {str(r.officer_id) for r in _rows(db["matchmaking"],
                                              "SELECT officer_id FROM officers WHERE removed_at IS NULL")}
    missing = [f"officer {row.name} <{row.email}> ({row.id}): not in matchmaking"
               for row in roster if str(row.id) not in known]
    return len(roster), missing


def scheduled_meetings_have_both_invitations(db: Mapping[str, Connection]) -> tuple[int, list[str]]:
    """From the event that last placed each live meeting (in matchmaking's outbox: what it announced),
    to the emails notification queued from that very event, one side at a time."""
    placements = _placements(db["matchmaking"])
    event_ids = [str(p.event_id) for p in placements if p.event_id is not None]
    emailed: dict[str, set[str]] = {}
    if event_ids:
        for row in db["notification"].execute(sa.text(
                "SELECT event_id, lower(recipient_email) AS email FROM outbound_emails WHERE event_id = ANY(:ids)"),
                {"ids": event_ids}):
            emailed.setdefault(row.event_id, set()).add(row.email)
    missing = []
    for placement in placements:
        if placement.event_id is None:
            missing.append(f"meeting {placement.request_id}: placed, but never announced")
            continue
        if placement.published_at is None:
            missing.append(f"meeting {placement.request_id}: its announcement waits in matchmaking's outbox")
            continue
        for side in (placement.requester, placement.receiver):
            people = {person["email"].lower() for person in side["people"]}
            if not people & emailed.get(str(placement.event_id), set()):
                missing.append(f"meeting {placement.request_id}: no invitation to {side['name']} "
                               f"({', '.join(sorted(people)) or 'nobody to write to'})")
    return len(placements), missing


def _placements(connection: Connection) -> list[sa.Row]:
    return connection.execute(sa.text("""
        SELECT DISTINCT ON (m.request_id) m.request_id, o.event_id, o.published_at,
               o.envelope->'data'->'requester' AS requester, o.envelope->'data'->'receiver' AS receiver
        FROM meetings m JOIN meeting_requests r ON r.id = m.request_id
        LEFT JOIN outbox_events o ON o.message_key = m.request_id::text AND o.event_type = ANY(:placed)
        WHERE r.status = 'accepted'
        ORDER BY m.request_id, o.position DESC"""), {"placed": list(MEETING_PLACED)}).all()


# The checks, in the order they are reported. EXTENSION POINT for billing (issue 8, billing part):
# add `Check("every paid order has its invoice and its email", ("billing", "notification"), ...)`
# here, reading billing's paid orders and invoices and notification's outbound_emails the same way.
CHECKS: list[Check] = [
    Check("every approved organisation has its matchmaking profile", ("registration", "matchmaking"),
          approved_organisations_are_in_matchmaking),
    Check("every approved organisation's contact is a notification contact", ("registration", "notification"),
          approved_organisations_have_a_notification_contact),
    Check("every officer on the roster is in matchmaking", ("registration", "matchmaking"),
          rostered_officers_are_in_matchmaking),
    Check("every scheduled meeting has its invitation to both sides", ("matchmaking", "notification"),
          scheduled_meetings_have_both_invitations),
]


def run_checks(database_urls: Mapping[str, str], checks: Iterable[Check] = CHECKS) -> list[CheckResult]:
    """Run `checks` against the services' databases (service -> SQLAlchemy URL), read-only."""
    engines = {service: sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 5})
               for service, url in database_urls.items()}
    results = []
    try:
        for check in checks:
            connections = {}
            try:
                for service in check.services:
                    connections[service] = engines[service].connect()
                    connections[service].execute(sa.text("SET TRANSACTION READ ONLY"))
                checked, missing = check.run(connections)
            finally:
                for connection in connections.values():
                    connection.close()
            results.append(CheckResult(check.name, checked, missing))
    finally:
        for engine in engines.values():
            engine.dispose()
    return results


def events_in_flight(database_urls: Mapping[str, str]) -> dict[str, int]:
    """Per service, how many events its outbox has not published yet."""
    waiting = {}
    for service, url in database_urls.items():
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 5})
        try:
            waiting[service] = outbox_backlog(engine, oldest=0)[0].count
        finally:
            engine.dispose()
    return waiting


def report(results: list[CheckResult], in_flight: Mapping[str, int], out: TextIO) -> int:
    """Print every check and what it found missing; 1 if anything is, else 0."""
    for result in results:
        if result.missing:
            print(f"MISSING {result.name}: {len(result.missing)} problem(s) among {result.checked}", file=out)
            for line in result.missing:
                print(f"  - {line}", file=out)
        else:
            print(f"OK      {result.name} ({result.checked} checked)", file=out)
    waiting = {service: count for service, count in in_flight.items() if count}
    if waiting:
        print("Events not yet published (a finding may be one of them in flight; run again shortly): "
              + ", ".join(f"{service} {count}" for service, count in sorted(waiting.items())), file=out)
    problems = sum(len(result.missing) for result in results)
    print(f"{problems} problem(s) found." if problems else "Everything is consistent.", file=out)
    return 1 if problems else 0


def services_read(checks: Iterable[Check] = CHECKS) -> list[str]:
    return sorted({service for check in checks for service in check.services})
