"""Does every service know what the others told it? `python -m ops consistency`.

Each service keeps its own copy of what it needs from the others' events; this compares those
copies, reading each service's own database (read-only) with that service's settings:

- every approved organisation has its matchmaking profile, and matchmaking lists no other as approved;
- every approved organisation's contact person is a notification contact;
- every officer on the roster is in matchmaking;
- every scheduled meeting's invitation reached both sides (notification queued an email for
  each side from the event that placed it);
- every approved organisation is a billing buyer, and billing lets no other buy;
- every paid order has its tax invoice, and notification queued the invoice's email from the
  event that announced it;
- every refund of an order's payment has its credit note, and its email, the same way;
- every paid sponsorship gives its sponsor the tier's priority in matchmaking, and a cancelled one no longer does.

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
INVOICE_ISSUED = "billing.invoice_issued.v1"
CREDIT_NOTE_ISSUED = "billing.credit_note_issued.v1"


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


def _registrations(connection: Connection) -> dict[str, sa.Row]:
    return {str(r.id): r for r in _rows(connection, "SELECT id, reference, legal_name, status FROM registrations")}


def _organisation(row) -> str:
    return f"{row.reference} {row.legal_name} (registration {row.id})"


def approved_organisations_are_in_matchmaking(db: Mapping[str, Connection]) -> tuple[int, list[str]]:
    registrations = _registrations(db["registration"])
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


def approved_organisations_are_billing_buyers(db: Mapping[str, Connection]) -> tuple[int, list[str]]:
    registrations = _registrations(db["registration"])
    buyers = {str(r.registration_id): r.approved for r in _rows(db["billing"],
                                                                "SELECT registration_id, approved FROM buyers")}
    missing = []
    for registration_id, row in registrations.items():
        if row.status == "approved" and not buyers.get(registration_id):
            missing.append(f"{_organisation(row)}: not a billing buyer" if registration_id not in buyers else
                           f"{_organisation(row)}: billing still has it as not approved")
        elif row.status != "approved" and buyers.get(registration_id):
            missing.append(f"{_organisation(row)}: is {row.status}, but billing still lets it buy")
    for registration_id in buyers.keys() - registrations.keys():
        missing.append(f"registration {registration_id}: billing has a buyer of a registration that does not exist")
    return sum(1 for r in registrations.values() if r.status == "approved"), missing


def _order(row) -> str:
    return f"order {row.number} of {row.reference} {row.legal_name}"


def paid_orders_have_their_invoice_and_its_email(db: Mapping[str, Connection]) -> tuple[int, list[str]]:
    paid = _rows(db["billing"], """
        SELECT o.number, b.reference, b.legal_name, i.number AS document_number
        FROM orders o JOIN buyers b ON b.registration_id = o.registration_id
        LEFT JOIN invoices i ON i.order_id = o.id AND i.kind = 'tax_invoice'
        WHERE o.paid_at IS NOT NULL
        ORDER BY o.paid_at""")
    missing = [f"{_order(row)}: paid, but has no tax invoice" for row in paid if row.document_number is None]
    missing += _documents_not_emailed(db, INVOICE_ISSUED, "tax invoice",
                                      [row for row in paid if row.document_number is not None])
    return len(paid), missing


def refunds_have_their_credit_note_and_its_email(db: Mapping[str, Connection]) -> tuple[int, list[str]]:
    """Only a refund of the payment that paid an invoiced order is credited: a duplicate payment
    given back was never invoiced."""
    refunded = _rows(db["billing"], """
        SELECT r.id, r.amount_paise, o.number, b.reference, b.legal_name, c.number AS document_number
        FROM refunds r JOIN orders o ON o.id = r.order_id JOIN buyers b ON b.registration_id = o.registration_id
        LEFT JOIN credit_notes c ON c.refund_id = r.id
        WHERE r.status = 'processed' AND r.payment_id = o.paid_by_payment_id
          AND EXISTS (SELECT 1 FROM invoices i WHERE i.order_id = o.id AND i.kind = 'tax_invoice')
        ORDER BY r.processed_at""")
    missing = [f"{_order(row)}: refund {row.id} ({row.amount_paise} paise) processed, but has no credit note"
               for row in refunded if row.document_number is None]
    missing += _documents_not_emailed(db, CREDIT_NOTE_ISSUED, "credit note",
                                      [row for row in refunded if row.document_number is not None])
    return len(refunded), missing


def _documents_not_emailed(db: Mapping[str, Connection], event_type: str, kind: str,
                           documents: list[sa.Row]) -> list[str]:
    """From the event that announced each document (in billing's outbox), to the email notification
    queued from that very event for the buyer's contact it named (one recipient: any email from
    the event is it, even once an erasure has blanked its address)."""
    if not documents:
        return []
    announced = {row.document_number: row for row in db["billing"].execute(sa.text("""
        SELECT envelope->'data'->>'document_number' AS document_number, event_id, published_at,
               envelope->'data'->'buyer'->>'contact_email' AS contact_email
        FROM outbox_events
        WHERE event_type = :type AND envelope->'data'->>'document_number' = ANY(:numbers)"""),
        {"type": event_type, "numbers": [d.document_number for d in documents]})}
    event_ids = [str(event.event_id) for event in announced.values()]
    emailed = set(db["notification"].execute(sa.text(
        "SELECT DISTINCT event_id FROM outbound_emails WHERE event_id = ANY(:ids)"), {"ids": event_ids}).scalars()) \
        if event_ids else set()
    missing = []
    for document in documents:
        event = announced.get(document.document_number)
        about = f"{_order(document)}: {kind} {document.document_number}"
        if event is None:
            missing.append(f"{about} issued, but never announced")
        elif event.published_at is None:
            missing.append(f"{about}: its announcement waits in billing's outbox")
        elif event.contact_email and str(event.event_id) not in emailed:
            missing.append(f"{about}: no email to {event.contact_email}")
        # No contact email: the contact's personal data was erased before it was issued; nobody to write to.
    return missing


def paid_sponsorships_reach_matchmaking(db: Mapping[str, Connection]) -> tuple[int, list[str]]:
    """Matchmaking keeps one sponsorship per order (billing's order id), with the tier's priority."""
    sold = _rows(db["billing"], """
        SELECT o.id, o.number, o.status, b.reference, b.legal_name,
               array_agg(l.item_id::text) AS tier_ids, array_agg(coalesce(t.matchmaking_priority, 0)) AS priorities
        FROM orders o JOIN buyers b ON b.registration_id = o.registration_id
        JOIN order_lines l ON l.order_id = o.id AND l.kind = 'sponsorship'
        JOIN catalogue_items t ON t.id = l.item_id
        WHERE o.paid_at IS NOT NULL AND o.status IN ('paid', 'cancelled')
        GROUP BY o.id, b.registration_id
        ORDER BY o.paid_at""")
    known = {str(r.order_id): r for r in _rows(db["matchmaking"], """
        SELECT order_id, tier_id, matchmaking_priority, withdrawn_at FROM sponsorships""")}
    missing = []
    for order in sold:
        sponsorship = known.get(str(order.id))
        live = sponsorship is not None and sponsorship.withdrawn_at is None
        if order.status == "cancelled":
            if live:
                missing.append(f"{_order(order)}: cancelled, but matchmaking still gives it sponsor priority "
                               f"{sponsorship.matchmaking_priority}")
        elif sponsorship is None:
            missing.append(f"{_order(order)}: a paid sponsorship matchmaking does not know")
        elif not live:
            missing.append(f"{_order(order)}: paid, but matchmaking has its sponsorship as withdrawn")
        else:
            expected = dict(zip(order.tier_ids, order.priorities)).get(str(sponsorship.tier_id))
            if expected is None:
                missing.append(f"{_order(order)}: matchmaking has its sponsorship under tier {sponsorship.tier_id}, "
                               f"which the order did not buy")
            elif expected != sponsorship.matchmaking_priority:
                missing.append(f"{_order(order)}: matchmaking gives it priority {sponsorship.matchmaking_priority}, "
                               f"its tier's is {expected}")
    return sum(1 for order in sold if order.status == "paid"), missing


# The checks, in the order they are reported.
CHECKS: list[Check] = [
    Check("every approved organisation has its matchmaking profile", ("registration", "matchmaking"),
          approved_organisations_are_in_matchmaking),
    Check("every approved organisation's contact is a notification contact", ("registration", "notification"),
          approved_organisations_have_a_notification_contact),
    Check("every officer on the roster is in matchmaking", ("registration", "matchmaking"),
          rostered_officers_are_in_matchmaking),
    Check("every scheduled meeting has its invitation to both sides", ("matchmaking", "notification"),
          scheduled_meetings_have_both_invitations),
    Check("every approved organisation is a billing buyer", ("registration", "billing"),
          approved_organisations_are_billing_buyers),
    Check("every paid order has its tax invoice and its email", ("billing", "notification"),
          paid_orders_have_their_invoice_and_its_email),
    Check("every refund has its credit note and its email", ("billing", "notification"),
          refunds_have_their_credit_note_and_its_email),
    Check("every paid sponsorship has its priority in matchmaking", ("billing", "matchmaking"),
          paid_sponsorships_reach_matchmaking),
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
