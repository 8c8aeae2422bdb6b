"""Outbox relay throughput: how fast ONE relay drains a backlog of registration events to Kafka.

Usage (from the repo root): .venv/bin/python bench/relay_throughput.py [--events 50000] [--repeat 3]

Each run gets a fresh registration database and topic prefix. With no relay running, the
outbox is filled with N realistic `registration.submitted.v1` envelopes (data shaped as
the service shapes it, checked by the service's own contract, written with `record_event`
in batched transactions),
as if the worker had been down while registrations kept coming, and VACUUM ANALYZEd as
autovacuum would have done meanwhile (so the planner knows the backlog). Then one relay starts
and the clock runs until no row is left unpublished; the topic's end offsets must then
add up to exactly N, so a relay that loses or duplicates events cannot post a good figure.

The relay runs in this process on a thread, built exactly as `run_relay_worker` builds
it (same producer settings, default batch size): the clock then starts when the relay
starts, not when a subprocess has finished importing and connecting. This process does
nothing else meanwhile but a count(*) every 50 ms.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import argparse  # noqa: E402
import inspect  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

import sqlalchemy as sa  # noqa: E402
from kafka import KafkaConsumer, TopicPartition  # noqa: E402

from bench.harness import (  # noqa: E402
    Infrastructure, describe_machine, local_infrastructure, platform_env, postgres_durability, print_runs,
    run_benchmark, stop_on_sigterm)
from services.registration import events  # noqa: E402
from services.registration.adapters.tables import outbox  # noqa: E402
from services.registration.bootstrap import bootstrap  # noqa: E402
from services.registration.manage import migrate  # noqa: E402
from shared.config import KafkaSettings  # noqa: E402
from shared.kafka import new_producer  # noqa: E402
from shared.outbox import OutboxRelay, record_event  # noqa: E402
from tests.support.registrations import gstin  # noqa: E402

FILL_BATCH = 1000  # outbox rows per transaction while filling
POLL_SECONDS = 0.05
DRAIN_TIMEOUT_SECONDS = 900  # a run that takes longer is broken, not slow
DEFAULT_BATCH_SIZE = inspect.signature(OutboxRelay).parameters["batch_size"].default


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50_000, help="outbox rows to publish per run")
    parser.add_argument("--repeat", type=int, default=1, help="runs; the median of each figure is printed")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                        help="relay batch size (default: the relay's own default, which the worker uses)")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    stop_on_sigterm()
    print(f"machine: {describe_machine()}")
    with local_infrastructure(smtp=False) as infra:
        print(f"PostgreSQL: {postgres_durability(infra.postgres)}")
        print(f"relay: one, in-process thread, batch size {args.batch_size}; {args.events} events per run")
        runs = [one_run(infra, run, args.events, args.batch_size) for run in range(1, args.repeat + 1)]
    print()
    print_runs(runs)
    return 0 if all(run["on Kafka"] == args.events for run in runs) else 1


def one_run(infra: Infrastructure, run: int, count: int, batch_size: int) -> dict[str, float]:
    env = run_environment(infra, run)
    migrate(env)
    wiring = bootstrap(env)
    try:
        fill_seconds = fill_outbox(wiring.engine, wiring.contracts, count)
        settle(wiring.engine)
        drain_seconds = drain_with_one_relay(wiring.engine, wiring.kafka, batch_size)
        on_kafka = messages_on_topic(wiring.kafka, events.EVENTS_TOPIC)
    finally:
        wiring.engine.dispose()
        infra.postgres.drop_database(f"relay_bench_{run}")
    figures = {"events": count, "fill s": fill_seconds, "drain s": drain_seconds,
               "events/s": count / drain_seconds, "on Kafka": on_kafka,
               "load avg 1 min": os.getloadavg()[0]}  # noise: other work on the machine shows up here
    print(f"run {run}: {figures['events/s']:.0f} events/s ({count} in {drain_seconds:.2f} s; "
          f"{on_kafka} on Kafka{'' if on_kafka == count else ' -- MISMATCH'})", flush=True)
    return figures


def run_environment(infra: Infrastructure, run: int) -> dict[str, str]:
    """A fresh database and topic prefix per run, so each run counts only its own events."""
    name = f"relay_bench_{run}"
    return platform_env(infra, topic_prefix=f"relay{run}-{secrets.token_hex(3)}.", databases_for=("registration",),
                        databases=lambda _service: infra.postgres.ensure_database(
                            name, owner=name, password=secrets.token_hex(8)))


def fill_outbox(engine, contracts, count: int) -> float:
    """Record `count` submitted events the way the service does, FILL_BATCH per transaction; returns seconds."""
    edition_id = str(uuid.uuid4())
    started = time.perf_counter()
    for first in range(0, count, FILL_BATCH):
        with engine.begin() as connection:
            for i in range(first, min(first + FILL_BATCH, count)):
                data = submitted_event_data(i, edition_id)
                record_event(connection, outbox, topic=events.EVENTS_TOPIC, correlation_id=str(uuid.uuid4()),
                             envelope=contracts.create(events.REGISTRATION_SUBMITTED, data["registration_id"], data))
    return time.perf_counter() - started


def submitted_event_data(i: int, edition_id: str) -> dict:
    """What registration puts in `registration.submitted.v1` (its snapshot of the registration, then
    sectors and interests), for an MSME with two delegates. Built as plain data rather than through
    the domain model, which is changing fast; `contracts.create` still checks it against the contract."""
    def delegate(d: int) -> dict:
        return {"delegate_id": str(uuid.uuid4()), "full_name": f"Delegate {i}.{d}", "nationality": "IN",
                "email": f"delegate{i}.{d}@tejas-avionics.example.in", "designation": "Director, Business Development"}

    delegates = [delegate(0), delegate(1)]
    return {
        "registration_id": str(uuid.uuid4()), "edition_id": edition_id, "reference": f"DPD-{i:08X}",
        "organisation": {"legal_name": "Tejas Avionics Private Limited", "type": "msme", "country": "IN",
                         "state": "DL", "gstin": gstin(), "address": "Plot 12, Okhla Industrial Area Phase II",
                         "city": "New Delhi", "postal_code": "110020"},
        "contact": delegates[0], "delegates": delegates,
        "submitted_at": datetime.now(timezone.utc), "sectors": ["aerospace", "electronics_communication"],
        "capabilities": "Ruggedised mission computers and avionics displays to MIL-STD-810.",
        "products": "MC-7 mission computer; 6x8 inch MFD",
        "meeting_interests": ["b2g", "b2b"], "participation_interests": ["exhibition_booth"],
    }


def settle(engine) -> None:
    """VACUUM ANALYZE the outbox: the statistics and visibility autovacuum gives a backlog built up over time."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE outbox_events")


def drain_with_one_relay(engine, kafka: KafkaSettings, batch_size: int) -> float:
    """Start one relay (as `run_relay_worker` builds it) and time it until no row is unpublished."""
    producer = new_producer(kafka, client_id="registration-worker")
    relay = OutboxRelay(engine, outbox, producer, kafka, batch_size=batch_size)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), name="outbox-relay")
    started = time.perf_counter()
    thread.start()
    try:
        while unpublished(engine):
            if time.perf_counter() - started > DRAIN_TIMEOUT_SECONDS:
                raise TimeoutError(f"{unpublished(engine)} rows still unpublished after {DRAIN_TIMEOUT_SECONDS} s")
            time.sleep(POLL_SECONDS)
        return time.perf_counter() - started
    finally:
        stop.set()
        thread.join(timeout=60)
        producer.close(timeout=10)


def unpublished(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))).scalar()


def messages_on_topic(kafka: KafkaSettings, topic: str) -> int:
    """The sum of the topic's end offsets over its partitions: what Kafka really holds."""
    name = kafka.topic(topic)
    consumer = KafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, group_id=None)
    try:
        partitions = [TopicPartition(name, p) for p in consumer.partitions_for_topic(name)]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


if __name__ == "__main__":
    run_benchmark(main)
