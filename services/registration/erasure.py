"""Erasing a person's personal data after the event: the rows stay (counts, audit history and
other people's records keep their shape), but nothing in them identifies the person any more.
Every service hears of it and forgets the person too."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from services.registration import events
from services.registration.adapters.tables import access_links, audit_log, delegates, officers, outbox
from shared.audit import record_audit
from shared.events import ContractRegistry
from shared.outbox import record_event

ERASED = "(erased)"


def erase_person(engine: Engine, contracts: ContractRegistry, email: str, *, correlation_id: str) -> int:
    """Erase every delegate and officer record with this email address; returns how many."""
    address = email.strip().lower()
    erased = 0
    with engine.begin() as connection:
        for row in connection.execute(sa.select(delegates.c.id, delegates.c.registration_id).where(
                sa.func.lower(delegates.c.email) == address, delegates.c.erased_at.is_(None)).with_for_update()):
            connection.execute(delegates.update().where(delegates.c.id == row.id).values(
                full_name=ERASED, designation=ERASED, email=f"erased-{row.id}@invalid", phone="",
                id_document_type=None, id_document_ciphertext=None, id_document_last4=None, erased_at=sa.func.now()))
            connection.execute(access_links.delete().where(access_links.c.delegate_id == row.id))
            _announce(connection, contracts, row.id, "delegate", row.registration_id, correlation_id)
            erased += 1
        for row in connection.execute(sa.select(officers.c.id).where(
                sa.func.lower(officers.c.email) == address, officers.c.name != ERASED).with_for_update()):
            connection.execute(officers.update().where(officers.c.id == row.id).values(
                name=ERASED, email=f"erased-{row.id}@invalid", phone=None, appointment=ERASED,
                removed_at=sa.func.coalesce(officers.c.removed_at, sa.func.now())))
            connection.execute(access_links.delete().where(access_links.c.officer_id == row.id))
            _announce(connection, contracts, row.id, "officer", None, correlation_id)
            erased += 1
    return erased


def _announce(connection, contracts: ContractRegistry, person_id: str, kind: str, registration_id: str | None,
              correlation_id: str) -> None:
    record_audit(connection, audit_log, actor=None, action="personal_data.erased", target_type=kind,
                 target_id=person_id, correlation_id=correlation_id)
    record_event(connection, outbox, topic=events.EVENTS_TOPIC, correlation_id=correlation_id,
                 envelope=contracts.create(events.PERSONAL_DATA_ERASED, person_id,
                                           {"person_id": person_id, "kind": kind, "registration_id": registration_id}))
