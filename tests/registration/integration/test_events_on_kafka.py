"""What registration announces reaches the real Kafka topics, keyed and ordered per registration."""
from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa

from services.registration.adapters.tables import outbox
from shared.kafka import new_producer
from shared.localinfra.ports import wait_until
from shared.outbox import OutboxRelay
from shared.testing.kafka_topics import read_topic
from tests.support.journeys import verify_from_outbox
from tests.support.registrations import registration_payload
from tests.support.roster import GOOD, HEADER


@pytest.fixture
def relay(wiring):
    producer = new_producer(wiring.kafka, client_id="test-relay")
    stop = threading.Event()
    thread = threading.Thread(target=OutboxRelay(wiring.engine, outbox, producer, wiring.kafka).run, args=(stop,),
                              daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=30)
    producer.close()


def relayed(engine, topic: str) -> int:
    """How many events for `topic` the outbox holds, once the relay has published them all: a read
    of the topic stops at the count it is given, so that count must be the whole of it."""
    def count(*where) -> int:
        with engine.connect() as db:
            return db.execute(sa.select(sa.func.count()).select_from(outbox)
                              .where(outbox.c.topic == topic, *where)).scalar()
    wait_until(lambda: count(outbox.c.published_at.is_(None)) == 0, 30,
               message=lambda: f"{count(outbox.c.published_at.is_(None))} events for {topic} still unpublished")
    return count()


def test_a_registrations_life_is_on_its_topic_in_order_with_its_id_as_key(client, wiring, relay, tokens):
    staff = {"Authorization": f"Bearer {tokens.organiser('vetting')}"}
    registration_id = client.post("/api/v1/registrations", json=registration_payload("life@example.in")).json["id"]
    verify_from_outbox(client, wiring.engine, registration_id)
    client.post(f"/api/v1/registrations/{registration_id}/decision", json={"decision": "request_changes",
                                                                            "message": "Add your website"},
                headers=staff)
    client.post(f"/api/v1/registrations/{registration_id}/cancel", headers=staff)
    client.post("/api/v1/editions/dpd-2026/officers/import", data=HEADER + GOOD, content_type="text/csv", headers=staff)

    records = read_topic(wiring.kafka, "registration.events", at_least=relayed(wiring.engine, "registration.events"))
    mine = [r for r in records if r.key.decode() == registration_id]
    assert [json.loads(r.value)["type"] for r in mine] == [
        "registration.submitted.v1", "registration.changes_requested.v1", "registration.cancelled.v1"]
    assert len({r.partition for r in mine}) == 1, "one registration, one partition: its events stay in order"
    [officer] = [json.loads(r.value) for r in records if json.loads(r.value)["type"] == "registration.officer_added.v1"]
    assert officer["data"]["name"] == "R. Iyer"
    identity = read_topic(wiring.kafka, "identity.events", at_least=1)
    assert json.loads(identity[0].value)["type"] == "identity.email_verification_requested.v1"
