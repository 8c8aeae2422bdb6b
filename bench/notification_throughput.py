"""Notification throughput: how fast ONE notification worker turns a backlog of events into
emails delivered to the local SMTP server, and how much CPU each email costs it.

Usage (from the repo root): .venv/bin/python bench/notification_throughput.py [--events 50000] [--repeat 3]

Each run gets a fresh notification database and topic prefix. With no worker running, N
`identity.email_verification_requested.v1` events (the first email every registrant gets,
shaped and checked by registration's own contract) are produced onto `identity.events`, as if
the worker had been down through a registration surge. Then one notification worker starts
as deployed (`python -m services.notification.worker`, a subprocess: consumer, dispatcher,
digest and announcement jobs, its outbox relay) and the clock runs until every email is
`sent`; the SMTP sink's Maildir must then hold exactly N new messages, so a worker that
loses or doubles emails cannot post a good figure.

Figures: `drain s` (worker start to the last email sent, start-up included), `emails/s`
(sustained: N over first-to-last `sent_at`), and CPU per email of the worker, the SMTP sink,
PostgreSQL and Kafka over the drain (from /proc: this benchmark's own processes only), with
the machine's other load for context.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import argparse  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import datetime, timedelta, timezone  # noqa: E402

import sqlalchemy as sa  # noqa: E402

from bench.harness import (  # noqa: E402
    Infrastructure, describe_machine, local_infrastructure, platform_env, postgres_durability, print_runs,
    run_benchmark, stop_on_sigterm)
from bench.registration_surge import CpuMeter  # noqa: E402
from services.notification.manage import migrate  # noqa: E402
from services.registration import events as registration_events  # noqa: E402
from shared.config import KafkaSettings, load_settings  # noqa: E402
from shared.events import CORRELATION_HEADER  # noqa: E402
from shared.kafka import TopicSpec, ensure_topics, new_producer  # noqa: E402
from shared.testing.fixtures import ServiceProcesses  # noqa: E402

POLL_SECONDS = 0.2
DRAIN_TIMEOUT_SECONDS = 1800  # a run that takes longer is broken, not slow
# The topics the worker consumes, as their owners' migrate steps create them.
CONSUMED_TOPICS = [TopicSpec("registration.events", 12), TopicSpec("identity.events", 3),
                   TopicSpec("matchmaking.events", 12), TopicSpec("billing.events", 12)]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50_000, help="events in the backlog per run (one email each)")
    parser.add_argument("--repeat", type=int, default=1, help="runs; the median of each figure is printed")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    stop_on_sigterm()
    print(f"machine: {describe_machine()}")
    with local_infrastructure(smtp=True) as infra:
        print(f"PostgreSQL: {postgres_durability(infra.postgres)}")
        print(f"one notification worker (subprocess); {args.events} events per run", flush=True)
        runs = [one_run(infra, run, args.events) for run in range(1, args.repeat + 1)]
    print()
    print_runs(runs)
    return 0 if all(run["in Maildir"] == args.events for run in runs) else 1


def one_run(infra: Infrastructure, run: int, count: int) -> dict[str, float]:
    name = f"notification_bench_{run}"
    env = platform_env(infra, topic_prefix=f"notif{run}-{secrets.token_hex(3)}.", databases_for=("notification",),
                       databases=lambda _service: infra.postgres.ensure_database(
                           name, owner=name, password=secrets.token_hex(8)))
    kafka = load_settings(KafkaSettings, env)
    migrate(env)
    ensure_topics(kafka, CONSUMED_TOPICS)
    produce_seconds = produce_backlog(kafka, count)
    engine = sa.create_engine(env["NOTIFICATION_DATABASE_URL"], poolclass=sa.pool.NullPool)
    delivered_before = maildir_count(infra)
    meter = CpuMeter()
    with tempfile.TemporaryDirectory(prefix="notification-bench-logs-") as logs:
        processes = ServiceProcesses(env, Path(logs))
        try:
            meter.start()
            started = time.monotonic()
            processes.worker("notification")
            wait_until_sent(engine, count, started)
            drain_seconds = time.monotonic() - started
            elapsed, cpu = meter.read()
        finally:
            processes.stop_all()
    first_sent, last_sent, sent = sent_span(engine)
    engine.dispose()
    infra.postgres.drop_database(name)
    delivered = maildir_count(infra) - delivered_before
    per_email = {role: 1000 * seconds / count for role, seconds in cpu.items()}
    figures = {
        "events": count, "produce s": produce_seconds, "drain s": drain_seconds,
        "emails/s": sent / max(last_sent - first_sent, 1e-9), "in Maildir": delivered,
        "worker CPU ms/email": per_email.get("notification worker", 0.0),
        "smtp CPU ms/email": per_email.get("smtp", 0.0),
        "postgres CPU ms/email": per_email.get("postgres", 0.0),
        "kafka CPU ms/email": per_email.get("kafka", 0.0),
        "others CPU %": 100 * cpu["others"] / elapsed,  # noise: other people's work on the machine
        "load avg 1 min": os.getloadavg()[0],
    }
    print(f"run {run}: {figures['emails/s']:.0f} emails/s sustained, {count} drained in {drain_seconds:.1f} s; "
          f"worker {figures['worker CPU ms/email']:.2f} ms CPU per email; {delivered} in the Maildir"
          f"{'' if delivered == count else ' -- MISMATCH'}", flush=True)
    return figures


def produce_backlog(kafka: KafkaSettings, count: int) -> float:
    """`count` verification events on identity.events, each to its own address; returns seconds."""
    contracts = registration_events.contracts()
    producer = new_producer(kafka, client_id="notification-bench")
    expires_at = datetime.now(timezone.utc) + timedelta(days=3)
    started = time.perf_counter()
    try:
        for i in range(count):
            registration_id = str(uuid.uuid4())
            envelope = contracts.create(registration_events.EMAIL_VERIFICATION_REQUESTED, registration_id, {
                "registration_id": registration_id, "reference": f"DPD-{i:08X}",
                "organisation_name": "Tejas Avionics Private Limited", "email": f"delegate{i}@tejas-avionics.example.in",
                "full_name": f"Delegate {i}", "registered_by": None,
                "url": f"http://127.0.0.1:8001/verify/{secrets.token_urlsafe(24)}", "expires_at": expires_at})
            producer.send(kafka.topic(registration_events.IDENTITY_TOPIC), key=registration_id.encode(),
                          value=envelope.to_json(), headers=[(CORRELATION_HEADER, envelope.id.encode())])
        producer.flush(timeout=120)
    finally:
        producer.close(timeout=10)
    return time.perf_counter() - started


def wait_until_sent(engine, count: int, started: float) -> None:
    while sent_count(engine) < count:
        if time.monotonic() - started > DRAIN_TIMEOUT_SECONDS:
            raise TimeoutError(f"only {sent_count(engine)} of {count} emails sent after {DRAIN_TIMEOUT_SECONDS} s")
        time.sleep(POLL_SECONDS)


def sent_count(engine) -> int:
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SELECT count(*) FROM outbound_emails WHERE status = 'sent'").scalar()
    except sa.exc.OperationalError:
        return 0


def sent_span(engine) -> tuple[float, float, int]:
    with engine.connect() as connection:
        first, last, sent = connection.exec_driver_sql(
            "SELECT extract(epoch FROM min(sent_at)), extract(epoch FROM max(sent_at)), count(*) "
            "FROM outbound_emails WHERE status = 'sent'").one()
    return float(first), float(last), sent


def maildir_count(infra: Infrastructure) -> int:
    return sum(1 for _ in (infra.smtp.maildir / "new").iterdir())


if __name__ == "__main__":
    run_benchmark(main)
