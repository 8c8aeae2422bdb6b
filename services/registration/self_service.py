"""What registrants do for themselves through their sign-in link: correct their organisation's
details, change their delegation within its cap, and cancel."""
from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from services.registration import events, service
from services.registration.adapters import repository
from services.registration.adapters.personal_data import FieldCipher
from services.registration.adapters.tables import audit_log, delegates, email_verifications, outbox, registrations
from services.registration.domain import vetting
from services.registration.domain.model import Delegate, Organisation, check_delegates, check_organisation
from services.registration.domain.vetting import Status
from shared.audit import record_audit
from shared.auth import Principal
from shared.errors import StateConflict
from shared.events import ContractRegistry
from shared.outbox import insert_with_events, record_event

_COLUMN = {"type": "organisation_type"}


def organisation_of(row: sa.Row) -> dict:
    """A stored registration's organisation in the shape the API takes (what a form starts from)."""
    return {"legal_name": row.legal_name, "type": row.organisation_type, "country": row.country,
            "state": row.state, "gstin": row.gstin, "address": row.address, "city": row.city,
            "postal_code": row.postal_code, "website": row.website, "sectors": list(row.sectors),
            "capabilities": row.capabilities, "products": row.products, "udyam_number": row.udyam_number,
            "dpiit_number": row.dpiit_number}


def update_organisation(engine: Engine, contracts: ContractRegistry, *, registration_id: str,
                        organisation: Organisation, actor: Principal, correlation_id: str) -> str:
    """Save the registrant's corrections; returns the status afterwards (back in vetting if
    who the organisation is has changed)."""
    check_organisation(organisation)
    with engine.begin() as connection:
        row = repository.locked(connection, registration_id)
        _editable(row)
        before = organisation_of(row)
        after = {field.name: (list(value) if isinstance(value, tuple) else
                              value.value if hasattr(value, "value") else value)
                 for field, value in ((f, getattr(organisation, f.name)) for f in dataclasses.fields(organisation))}
        changed = {name for name in after if after[name] != before[name]}
        if not changed:
            return row.status
        new_status = vetting.after_registrant_edit(Status(row.status), changed)
        connection.execute(registrations.update().where(registrations.c.id == registration_id).values(
            status=new_status.value, **{_COLUMN.get(name, name): after[name] for name in changed}))
        record_audit(connection, audit_log, actor=actor, action="registration.updated", target_type="registration",
                     target_id=registration_id, correlation_id=correlation_id,
                     before={name: before[name] for name in changed} | {"status": row.status},
                     after={name: after[name] for name in changed} | {"status": new_status.value})
        row = repository.locked(connection, registration_id)
        record_event(connection, outbox, topic=events.EVENTS_TOPIC, correlation_id=correlation_id,
                     envelope=contracts.create(events.REGISTRATION_UPDATED, registration_id, {
                         **repository.snapshot(row, repository.people_of(connection, registration_id)),
                         **repository.profile(row), "status": new_status.value, "changed": sorted(changed)}))
        return new_status.value


def add_delegate(engine: Engine, contracts: ContractRegistry, cipher: FieldCipher, *, registration_id: str,
                 delegate: Delegate, actor: Principal, verify_url: str, correlation_id: str) -> None:
    """Within the cap the edition sets for the organisation's category; the newcomer confirms
    their email address."""
    with engine.begin() as connection:
        row = repository.locked(connection, registration_id)
        _editable(row)
        people = repository.people_of(connection, registration_id)
        cap = repository.edition_by(connection, edition_id=row.edition_id).rule_for(row.organisation_type).max_delegates
        check_delegates([_as_delegate(p) for p in people] + [delegate], cap)
        connection.execute(delegates.insert().values(repository.delegate_row(
            delegate, cipher, registration_id=registration_id, position=max(p.position for p in people) + 1)))
        _announce(connection, contracts, events.DELEGATE_ADDED, row, delegate.id, actor, correlation_id)
        _confirm_email(connection, contracts, row, delegate, actor, verify_url, correlation_id)


def remove_delegate(engine: Engine, contracts: ContractRegistry, *, registration_id: str, delegate_id: str,
                    actor: Principal, correlation_id: str) -> None:
    with engine.begin() as connection:
        row = repository.locked(connection, registration_id)
        _editable(row)
        people = repository.people_of(connection, registration_id)
        leaving = next((p for p in people if p.id == delegate_id), None)
        if leaving is None:
            raise StateConflict("No such delegate in this delegation.")
        if leaving.position == people[0].position:
            raise StateConflict("The first delegate is the contact: make someone else the contact before removing "
                                "them, or substitute them.")
        _announce(connection, contracts, events.DELEGATE_REMOVED, row, delegate_id, actor, correlation_id)
        connection.execute(delegates.delete().where(delegates.c.id == delegate_id))


def _confirm_email(connection, contracts: ContractRegistry, row: sa.Row, delegate: Delegate, actor: Principal,
                   verify_url: str, correlation_id: str) -> None:
    link, event = service.email_confirmation(
        contracts, registration_id=row.id, reference=row.reference, organisation_name=row.legal_name,
        delegate=delegate, registered_by=actor.name, verify_url=verify_url, correlation_id=correlation_id)
    insert_with_events(connection, [(email_verifications, [link])], outbox, [event])


def _editable(row: sa.Row) -> None:
    if Status(row.status) not in vetting.EDITABLE_BY_REGISTRANT:
        raise StateConflict(f"A registration that is {row.status.replace('_', ' ')} cannot be changed.")


def _as_delegate(row: sa.Row) -> Delegate:
    return Delegate(full_name=row.full_name, designation=row.designation, email=row.email, phone=row.phone,
                    nationality=row.nationality, id=row.id)


def _announce(connection, contracts: ContractRegistry, event_type: str, row: sa.Row, delegate_id: str,
              actor: Principal, correlation_id: str) -> None:
    people = repository.people_of(connection, row.id)
    data = repository.snapshot(row, people)
    [person] = [p for p in data["delegates"] if p["delegate_id"] == delegate_id]
    if event_type == events.DELEGATE_REMOVED:
        data["delegates"] = [p for p in data["delegates"] if p["delegate_id"] != delegate_id]
    record_audit(connection, audit_log, actor=actor, action=event_type.split(".")[1], target_type="registration",
                 target_id=row.id, after={"delegate": person["full_name"]}, correlation_id=correlation_id)
    record_event(connection, outbox, topic=events.EVENTS_TOPIC, correlation_id=correlation_id,
                 envelope=contracts.create(event_type, row.id, data | {"delegate": person}))


def substitute_delegate(engine: Engine, contracts: ContractRegistry, cipher: FieldCipher, *, registration_id: str,
                        delegate_id: str, delegate: Delegate, actor: Principal, verify_url: str,
                        correlation_id: str) -> None:
    """Someone else comes in a delegate's place (the contact too): the leaver's sign-in, badge and
    meetings are theirs, so the newcomer is a new person in the same place of the list."""
    with engine.begin() as connection:
        row = repository.locked(connection, registration_id)
        _editable(row)
        people = repository.people_of(connection, registration_id)
        leaving = next((p for p in people if p.id == delegate_id), None)
        if leaving is None:
            raise StateConflict("No such delegate in this delegation.")
        staying = [_as_delegate(p) for p in people if p.id != delegate_id]
        check_delegates(staying + [delegate], len(people))
        _announce(connection, contracts, events.DELEGATE_REMOVED, row, delegate_id, actor, correlation_id)
        connection.execute(delegates.delete().where(delegates.c.id == delegate_id))
        connection.execute(delegates.insert().values(repository.delegate_row(
            delegate, cipher, registration_id=registration_id, position=leaving.position)))
        _announce(connection, contracts, events.DELEGATE_ADDED, row, delegate.id, actor, correlation_id)
        _confirm_email(connection, contracts, row, delegate, actor, verify_url, correlation_id)
