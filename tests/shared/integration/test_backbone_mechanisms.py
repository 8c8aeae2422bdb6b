"""The outbox relay and the idempotent consumer on their own, against the real broker and database."""
from __future__ import annotations

import json
import logging
import threading
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from marshmallow import Schema, fields
from sqlalchemy.dialects.postgresql import ARRAY

from shared.config import KafkaSettings
from shared.consumer import IdempotentConsumer, processed_events_table
from shared.db import new_metadata
from shared.events import ContractRegistry, Envelope
from shared.kafka import TopicSpec, dead_letter_topic, ensure_topics, new_producer
from shared.localinfra.kafka import KafkaBroker
from shared.localinfra.ports import wait_until
from shared.outbox import OutboxRelay, insert_with_events, outbox_row, outbox_table, record_event
from shared.testing.kafka_topics import read_topic

metadata = new_metadata()
outbox = outbox_table(metadata)
processed = processed_events_table(metadata)
effects = sa.Table("effects", metadata, sa.Column("event_id", sa.Text), sa.Column("value", sa.Integer))
ledgers = sa.Table("ledgers", metadata, sa.Column("id", sa.Text, primary_key=True))
entries = sa.Table("entries", metadata, sa.Column("id", sa.Integer, primary_key=True),
                   sa.Column("ledger_id", sa.Text, sa.ForeignKey("ledgers.id"), nullable=False),
                   sa.Column("at", sa.DateTime(timezone=True), nullable=False),
                   sa.Column("tags", ARRAY(sa.Text), nullable=False), sa.Column("note", sa.Text))

TOPIC = "ledger.events"
COUNTED = "ledger.counted.v1"


class CountedV1(Schema):
    value = fields.Integer(required=True)


def contracts() -> ContractRegistry:
    registry = ContractRegistry("dpd/test")
    registry.register(COUNTED, CountedV1)
    return registry


@pytest.fixture
def engine(service_database):
    engine = sa.create_engine(service_database("backbone"))
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def producer(kafka_settings):
    ensure_topics(kafka_settings, [TopicSpec(TOPIC, partitions=3), dead_letter_topic("ledger")])
    producer = new_producer(kafka_settings, client_id="test")
    yield producer
    producer.close()


@pytest.fixture
def run_in_background():
    stop = threading.Event()
    threads = []

    def start(component) -> None:
        thread = threading.Thread(target=component.run, args=(stop,), daemon=True)
        thread.start()
        threads.append(thread)

    yield start
    stop.set()
    for thread in threads:
        thread.join(timeout=30)


def record(engine, aggregate: str, value: int) -> Envelope:
    envelope = contracts().create(COUNTED, aggregate, {"value": value})
    with engine.begin() as connection:
        record_event(connection, outbox, topic=TOPIC, envelope=envelope, correlation_id=f"corr-{value}")
    return envelope


def unpublished(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).where(outbox.c.published_at.is_(None))).scalar()


def test_two_relays_publish_every_event_once_and_each_aggregate_in_commit_order(
        engine, producer, kafka_settings, run_in_background):
    for value in range(300):
        record(engine, f"aggregate-{value % 7}", value)

    run_in_background(OutboxRelay(engine, outbox, producer, kafka_settings, batch_size=50))
    run_in_background(OutboxRelay(engine, outbox, producer, kafka_settings, batch_size=50))
    wait_until(lambda: unpublished(engine) == 0, timeout=60)

    on_the_bus = read_topic(kafka_settings, TOPIC, at_least=300)
    assert len(on_the_bus) == 300, "the standby relay published nothing twice"
    by_aggregate = defaultdict(list)
    for record_ in on_the_bus:
        event = json.loads(record_.value)
        assert record_.key.decode() == event["subject"]
        by_aggregate[event["subject"]].append(event["data"]["value"])
    for values in by_aggregate.values():
        assert values == sorted(values), "one aggregate's events arrive in the order they were committed"
    headers = dict(on_the_bus[0].headers)
    assert headers["content-type"] == b"application/cloudevents+json"
    assert headers["correlation-id"].startswith(b"corr-")


def test_rows_written_in_one_statement_with_their_events_are_stored_and_published_in_the_given_order(
        engine, producer, kafka_settings, run_in_background):
    at = datetime(2026, 11, 25, 10, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    rows = [{"id": number, "ledger_id": "ledger-1", "at": at + timedelta(minutes=number), "tags": ["b2g", "naval"],
             "note": None if number else 'Quote "ok", tab\t and अगस्त'} for number in range(3)]
    events = [outbox_row(topic=TOPIC, envelope=contracts().create(COUNTED, "ledger-1", {"value": value}),
                         correlation_id=f"corr-{value}") for value in (5, 1, 4, 2, 3)]
    with engine.begin() as connection:  # the child rows come before their parent: checked at the end
        insert_with_events(connection, [(entries, rows), (ledgers, [{"id": "ledger-1"}])], outbox, events)

    with engine.connect() as connection:
        stored = connection.execute(sa.select(entries).order_by(entries.c.id)).mappings().all()
    assert [dict(row) for row in stored] == rows
    run_in_background(OutboxRelay(engine, outbox, producer, kafka_settings))
    on_the_bus = read_topic(kafka_settings, TOPIC, at_least=5)
    assert [json.loads(r.value)["data"]["value"] for r in on_the_bus] == [5, 1, 4, 2, 3]


def test_rows_written_in_one_statement_are_all_or_nothing(engine):
    event = outbox_row(topic=TOPIC, envelope=contracts().create(COUNTED, "ledger-2", {"value": 1}), correlation_id="c")
    entry = {"id": 1, "ledger_id": "no-such-ledger", "at": datetime.now(timezone.utc), "tags": [], "note": None}
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        insert_with_events(connection, [(ledgers, [{"id": "ledger-2"}]), (entries, [entry])], outbox, [event])
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(ledgers)).scalar() == 0
    assert unpublished(engine) == 0

    with pytest.raises(ValueError, match="differ in their keys"), engine.begin() as connection:
        insert_with_events(connection, [(ledgers, [{"id": "a"}, {"id": "b", "extra": 1}])], outbox, [])


def consumer(engine, kafka_settings, producer, handler, *, max_attempts: int = 3) -> IdempotentConsumer:
    return IdempotentConsumer(group="ledger", topics=[TOPIC], engine=engine, processed_table=processed,
                              contracts=contracts(), handlers={COUNTED: handler}, kafka=kafka_settings,
                              producer=producer, max_attempts=max_attempts, first_backoff_seconds=0.05)


def apply_effect(connection, event) -> None:
    connection.execute(effects.insert().values(event_id=event.id, value=event.data["value"]))


def effect_values(engine) -> list[int]:
    with engine.connect() as connection:
        return sorted(connection.execute(sa.select(effects.c.value)).scalars())


def publish(producer, kafka_settings, envelope: Envelope) -> None:
    producer.send(kafka_settings.topic(TOPIC), key=envelope.subject.encode(), value=envelope.to_json()).get(30)


def test_the_same_event_delivered_twice_has_one_effect(engine, producer, kafka_settings, run_in_background):
    envelope = contracts().create(COUNTED, "a", {"value": 42})
    publish(producer, kafka_settings, envelope)
    publish(producer, kafka_settings, envelope)
    publish(producer, kafka_settings, contracts().create(COUNTED, "a", {"value": 43}))

    run_in_background(consumer(engine, kafka_settings, producer, apply_effect))

    wait_until(lambda: effect_values(engine) == [42, 43], timeout=60, message=lambda: str(effect_values(engine)))


def test_a_handler_that_keeps_failing_is_dead_lettered_after_bounded_retries_and_the_rest_flows(
        engine, producer, kafka_settings, run_in_background):
    attempts = defaultdict(int)

    def fails_on_13(connection, event) -> None:
        attempts[event.data["value"]] += 1
        if event.data["value"] == 13:
            raise RuntimeError("unlucky number")
        apply_effect(connection, event)

    for value in (12, 13, 14):
        publish(producer, kafka_settings, contracts().create(COUNTED, "same-partition", {"value": value}))
    run_in_background(consumer(engine, kafka_settings, producer, fails_on_13, max_attempts=3))

    wait_until(lambda: effect_values(engine) == [12, 14], timeout=60, message=lambda: str(effect_values(engine)))
    [dead] = read_topic(kafka_settings, "ledger.dead-letter", at_least=1)
    headers = {key: value.decode() for key, value in dead.headers}
    assert headers["dead-letter.error"] == "RuntimeError: unlucky number"
    assert headers["dead-letter.attempts"] == "3"
    assert headers["dead-letter.original-topic"] == kafka_settings.topic(TOPIC)
    assert json.loads(dead.value)["data"] == {"value": 13}
    assert attempts[13] == 3


def test_a_handler_that_fails_then_recovers_applies_once_and_dead_letters_nothing(
        engine, producer, kafka_settings, run_in_background):
    failures_left = [2]

    def flaky(connection, event) -> None:
        apply_effect(connection, event)  # written, then rolled back with the failure
        if failures_left[0]:
            failures_left[0] -= 1
            raise ConnectionError("downstream hiccup")

    publish(producer, kafka_settings, contracts().create(COUNTED, "a", {"value": 7}))
    run_in_background(consumer(engine, kafka_settings, producer, flaky))

    wait_until(lambda: effect_values(engine) == [7], timeout=60)
    with pytest.raises(TimeoutError):
        read_topic(kafka_settings, "ledger.dead-letter", at_least=1, timeout=2)


def test_a_consumer_rides_out_a_broker_outage_between_applying_an_event_and_committing_it(
        engine, tmp_path, run_id, run_in_background, caplog):
    """The broker goes away just as an offset is to be committed: the consumer waits for it to come
    back and goes on consuming instead of dying with the commit."""
    with KafkaBroker(tmp_path / "kafka") as broker:
        settings = KafkaSettings(bootstrap_servers=broker.bootstrap_servers, topic_prefix=f"{run_id}.",
                                 replication_factor=1)
        ensure_topics(settings, [TopicSpec(TOPIC, partitions=1), dead_letter_topic("ledger")])
        producer = new_producer(settings, client_id="test")
        try:
            def stops_the_broker_at_1(connection, event) -> None:
                apply_effect(connection, event)
                if event.data["value"] == 1:
                    broker.stop()

            publish(producer, settings, contracts().create(COUNTED, "a", {"value": 1}))
            thread_count = threading.active_count()
            with caplog.at_level(logging.WARNING, logger="shared.consumer"):
                run_in_background(consumer(engine, settings, producer, stops_the_broker_at_1))
                wait_until(lambda: "could not commit offset" in caplog.text, timeout=60,
                           message="the commit never met the stopped broker")
            broker.start()
            publish(producer, settings, contracts().create(COUNTED, "a", {"value": 2}))

            wait_until(lambda: effect_values(engine) == [1, 2], timeout=120,
                       message=lambda: f"applied after the outage: {effect_values(engine)}")
            assert threading.active_count() >= thread_count + 1, "the consumer thread is still running"
        finally:
            producer.close(timeout=5)
