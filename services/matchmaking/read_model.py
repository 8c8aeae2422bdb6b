"""Matchmaking's read model of who takes part: organisations, their delegates, officers and
sponsorship priority, kept only from registration's and billing's events.

`project` applies one event to the read-model tables and nothing else, so a replay of the
topics from their start (`rebuild`) rebuilds the tables exactly. The live handlers also draw
the consequences for meetings (a cancelled registration's meetings are called off), which a
replay must not repeat.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import sqlalchemy as sa
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection, Engine

from services.matchmaking import events, meetings
from services.matchmaking.adapters.tables import (
    delegates, editions, meeting_requests, officers, organisations, revoked_subjects, sponsorships)
from shared.config import KafkaSettings
from shared.consumer import Handler, ReceivedEvent
from shared.events import ContractRegistry, Envelope, InvalidEvent
from shared.revocation import ACCESS_REVOKED, access_revoked_handler

log = logging.getLogger(__name__)

READ_MODEL_TABLES = (editions, organisations, delegates, officers, sponsorships)
TOPICS = (events.REGISTRATION_TOPIC, events.BILLING_TOPIC)
_STATUS_OF = {
    events.REGISTRATION_SUBMITTED: "submitted",
    events.REGISTRATION_APPROVED: "approved",
    events.REGISTRATION_REJECTED: "rejected",
    events.REGISTRATION_WAITLISTED: "waitlisted",
    events.REGISTRATION_CHANGES_REQUESTED: "changes_requested",
    events.REGISTRATION_CANCELLED: "cancelled",
}


def _keep_registration(connection: Connection, data: dict, status: str | None, profile: dict) -> None:
    registration_id = str(data["registration_id"])
    values = {"edition_id": str(data["edition_id"]), "reference": data["reference"],
              "legal_name": data["organisation"]["legal_name"], "organisation_type": data["organisation"]["type"],
              **profile, "updated_at": sa.func.now()}
    if status is not None:
        values["status"] = status
    statement = insert(organisations).values({"registration_id": registration_id, "status": "submitted", **values})
    connection.execute(statement.on_conflict_do_update(index_elements=["registration_id"], set_=values))
    # The snapshot lists the delegation as it is now: keep exactly those.
    kept = [str(d["delegate_id"]) for d in data["delegates"]]
    connection.execute(delegates.delete().where(delegates.c.registration_id == registration_id,
                                                delegates.c.delegate_id.notin_(kept)))
    for position, person in enumerate(data["delegates"]):
        row = {"registration_id": registration_id, "position": position, "full_name": person["full_name"],
               "email": person["email"], "designation": person["designation"]}
        statement = insert(delegates).values(delegate_id=str(person["delegate_id"]), **row)
        connection.execute(statement.on_conflict_do_update(index_elements=["delegate_id"], set_=row))


def project(connection: Connection, event_type: str, data: dict) -> None:
    """Apply one event to the read model (idempotent: applying it twice changes nothing)."""
    if event_type == events.EDITION_SAVED:
        row = {key: data[key] for key in ("slug", "name", "venue", "starts_on", "ends_on", "time_zone")}
        statement = insert(editions).values(edition_id=str(data["edition_id"]), **row)
        connection.execute(statement.on_conflict_do_update(index_elements=["edition_id"], set_=row))
    elif event_type == events.REGISTRATION_SUBMITTED:
        _keep_registration(connection, data, "submitted", {
            "sectors": data["sectors"], "capabilities": data["capabilities"], "products": data["products"],
            "meeting_interests": data["meeting_interests"]})
    elif event_type == events.REGISTRATION_UPDATED:
        _keep_registration(connection, data, data["status"], {
            "sectors": data["sectors"], "capabilities": data["capabilities"], "products": data["products"]})
    elif event_type in _STATUS_OF:
        _keep_registration(connection, data, _STATUS_OF[event_type], {})
    elif event_type in (events.DELEGATE_ADDED, events.DELEGATE_REMOVED):
        _keep_registration(connection, data, None, {})
    elif event_type in (events.OFFICER_ADDED, events.OFFICER_UPDATED):
        row = {key: data[key] for key in ("name", "rank", "organisation", "appointment", "email", "sectors",
                                          "requirements")} | {"edition_id": str(data["edition_id"]), "removed_at": None}
        statement = insert(officers).values(officer_id=str(data["officer_id"]), **row)
        connection.execute(statement.on_conflict_do_update(index_elements=["officer_id"], set_=row))
    elif event_type == events.OFFICER_REMOVED:
        connection.execute(officers.update().where(officers.c.officer_id == str(data["officer_id"]))
                           .values(removed_at=sa.func.coalesce(officers.c.removed_at, sa.func.now())))
    elif event_type == events.PERSONAL_DATA_ERASED:
        person = str(data["person_id"])
        if data["kind"] == "officer":
            connection.execute(officers.update().where(officers.c.officer_id == person).values(
                name="(erased)", email="", requirements=""))
        else:
            connection.execute(delegates.delete().where(delegates.c.delegate_id == person))
        connection.execute(meeting_requests.update().where(meeting_requests.c.requested_by_id == person)
                           .values(requested_by_name="(erased)"))
    elif event_type == events.SPONSORSHIP_CONFIRMED:
        row = {"edition_id": str(data["edition_id"]), "registration_id": str(data["registration_id"]),
               "tier_id": str(data["tier_id"]), "tier_name": data["tier_name"],
               "matchmaking_priority": data["matchmaking_priority"], "confirmed_at": data["confirmed_at"]}
        statement = insert(sponsorships).values(order_id=str(data["order_id"]), **row)
        # A confirmation never undoes a withdrawal that came first (the two may arrive out of order).
        connection.execute(statement.on_conflict_do_update(index_elements=["order_id"], set_=row))
    elif event_type == events.SPONSORSHIP_WITHDRAWN:
        statement = insert(sponsorships).values(
            order_id=str(data["order_id"]), edition_id=str(data["edition_id"]),
            registration_id=str(data["registration_id"]), tier_id=str(data["tier_id"]), tier_name="",
            matchmaking_priority=0, confirmed_at=data["withdrawn_at"], withdrawn_at=data["withdrawn_at"])
        connection.execute(statement.on_conflict_do_update(index_elements=["order_id"],
                                                           set_={"withdrawn_at": data["withdrawn_at"]}))


PROJECTED = (events.EDITION_SAVED, events.REGISTRATION_SUBMITTED, events.REGISTRATION_UPDATED, *_STATUS_OF, events.DELEGATE_ADDED,
             events.DELEGATE_REMOVED, events.OFFICER_ADDED, events.OFFICER_UPDATED, events.OFFICER_REMOVED,
             events.PERSONAL_DATA_ERASED, events.SPONSORSHIP_CONFIRMED, events.SPONSORSHIP_WITHDRAWN)


def handlers(contracts: ContractRegistry) -> dict[str, Handler]:
    """The live consumer's handlers: the projection, then what it means for meetings."""
    def projecting(event_type: str) -> Handler:
        def handle(connection: Connection, event: ReceivedEvent) -> None:
            project(connection, event_type, event.data)
            if event_type == events.REGISTRATION_CANCELLED:
                meetings.close_everything_of(connection, contracts, f"company:{event.data['registration_id']}",
                                             reason="The organisation withdrew from the event.",
                                             correlation_id=event.correlation_id)
            elif event_type == events.OFFICER_REMOVED:
                meetings.close_everything_of(connection, contracts, f"officer:{event.data['officer_id']}",
                                             reason="The officer is no longer available at the event.",
                                             correlation_id=event.correlation_id)
        return handle

    return {event_type: projecting(event_type) for event_type in PROJECTED} | {
        ACCESS_REVOKED: access_revoked_handler(revoked_subjects)}


@dataclass(frozen=True)
class Rebuilt:
    applied: int
    skipped: int  # unreadable or breaking their contract (the live consumer dead-letters those)


def rebuild(engine: Engine, kafka: KafkaSettings, contracts: ContractRegistry, *,
            timeout_seconds: float = 600) -> Rebuilt:
    """Empty the read model and replay registration's and billing's topics from their start, in one
    transaction: readers see the old tables until the new ones are complete."""
    consumer = KafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, enable_auto_commit=False, group_id=None,
                             auto_offset_reset="earliest")
    try:
        partitions = [TopicPartition(kafka.topic(topic), number) for topic in TOPICS
                      for number in sorted(consumer.partitions_for_topic(kafka.topic(topic)) or ())]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        applied = skipped = 0
        with engine.begin() as connection:
            for table in READ_MODEL_TABLES:
                connection.execute(table.delete())
            remaining = {p for p in partitions if ends[p] > 0}
            deadline = time.monotonic() + timeout_seconds
            while remaining:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the replay did not reach the end of {sorted(map(str, remaining))}")
                for partition, records in consumer.poll(timeout_ms=1000).items():
                    for record in records:
                        if record.offset >= ends[partition]:
                            continue
                        try:
                            envelope = Envelope.from_json(record.value)
                            if envelope.type in PROJECTED:
                                project(connection, envelope.type, contracts.load_data(envelope))
                                applied += 1
                        except InvalidEvent as error:
                            log.warning("replay skipped %s@%s: %s", partition, record.offset, error)
                            skipped += 1
                    if consumer.position(partition) >= ends[partition]:
                        remaining.discard(partition)
        return Rebuilt(applied=applied, skipped=skipped)
    finally:
        consumer.close()
