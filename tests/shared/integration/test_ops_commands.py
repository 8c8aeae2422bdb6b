"""Every `python -m ops` command against the real broker and database: replaying a group to
rebuild its read model, dead letters, the outbox backlog, backups, key and secret rotation."""
from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from services.notification.adapters.tables import outbox, processed_events, revoked_subjects
from services.notification.manage import migrate as migrate_notification
from shared.consumer import IdempotentConsumer
from shared.events import ContractRegistry
from shared.kafka import TopicSpec, dead_letter_topic, ensure_topics, new_producer
from shared.localinfra.ports import wait_until
from shared.ops.consumer_groups import active_members, new_admin
from shared.outbox import record_event
from shared.revocation import ACCESS_REVOKED, IDENTITY_EVENTS_TOPIC, register_contract, revocation_consumer, revoke
from shared.testing.fixtures import PROJECT_ROOT
from shared.testing.kafka_topics import committed_offsets, produce_raw
from ops.__main__ import main

GROUP = "revocations"


def ops(*argv: str, env: dict) -> tuple[int, str]:
    """Run a command as an operator would; its exit code and everything it printed (refusals included)."""
    out = io.StringIO()
    with contextlib.redirect_stderr(out):
        code = main(list(argv), env, out)
    return code, out.getvalue()


@pytest.fixture
def notification(platform_env, kafka_settings):
    """Notification's migrated database (its revoked_subjects is the read model replayed here)."""
    migrate_notification(platform_env)
    ensure_topics(kafka_settings, [TopicSpec(IDENTITY_EVENTS_TOPIC, partitions=3)])
    engine = sa.create_engine(platform_env["NOTIFICATION_DATABASE_URL"])
    yield engine
    engine.dispose()


@pytest.fixture
def producer(kafka_settings):
    producer = new_producer(kafka_settings, client_id="test")
    yield producer
    producer.close()


class Running:
    """Components started in the background, each stoppable on its own; all stopped at the end."""

    def __init__(self):
        self._started: list[tuple[threading.Event, threading.Thread]] = []

    def start(self, component) -> threading.Event:
        stop = threading.Event()
        thread = threading.Thread(target=component.run, args=(stop,), daemon=True)
        thread.start()
        self._started.append((stop, thread))
        return stop

    def stop(self, stop: threading.Event) -> None:
        stop.set()
        for event, thread in self._started:
            if event is stop:
                thread.join(timeout=30)

    def stop_all(self) -> None:
        for stop, thread in self._started:
            stop.set()
            thread.join(timeout=30)


@pytest.fixture
def running():
    components = Running()
    yield components
    components.stop_all()


def revoke_event(producer, kafka_settings, subject: str) -> str:
    registry = ContractRegistry("dpd/identity")
    register_contract(registry)
    envelope = registry.create(ACCESS_REVOKED, subject, {"subject": subject, "reason": "signed_out",
                                                         "not_before": datetime.now(timezone.utc)})
    producer.send(kafka_settings.topic(IDENTITY_EVENTS_TOPIC), key=subject.encode(), value=envelope.to_json(),
                  headers=[("correlation-id", f"corr-{subject}".encode())]).get(timeout=30)
    return envelope.id


def revoked(engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(sa.select(revoked_subjects.c.subject)).scalars())


def marks(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).where(processed_events.c.consumer == GROUP)).scalar()


def group_is_empty(kafka_settings) -> bool:
    admin = new_admin(kafka_settings, client_id="test")
    try:
        return active_members(admin, kafka_settings, GROUP) == 0
    finally:
        admin.close()


def test_replay_rebuilds_a_read_model_and_is_refused_while_the_group_runs(
        notification, platform_env, kafka_settings, producer, running):
    subjects = [f"person-{n}" for n in range(3)]
    for subject in subjects:
        revoke_event(producer, kafka_settings, subject)
    assert ops("consumer-lag", GROUP, "--topic", IDENTITY_EVENTS_TOPIC, env=platform_env)[1].startswith(
        f"{GROUP}: 3 message(s) behind")

    def consumer():
        return revocation_consumer(group=GROUP, engine=notification, processed_table=processed_events,
                                   revoked_table=revoked_subjects, kafka=kafka_settings, producer=producer)

    first = running.start(consumer())
    wait_until(lambda: revoked(notification) == set(subjects), 30, message="the consumer applied the events")
    wait_until(lambda: "0 message(s) behind" in ops("consumer-lag", GROUP, env=platform_env)[1], 30,
               message="the group did not catch up")

    code, refused = ops("replay", "notification", GROUP, "--rebuild", "revoked_subjects", "--yes", env=platform_env)
    assert code == 1 and "has running members: stop its workers first" in refused
    assert revoked(notification) == set(subjects) and marks(notification) == 3, "nothing changed while it ran"

    running.stop(first)
    wait_until(lambda: group_is_empty(kafka_settings), 30, message="the group still has members")
    code, plan = ops("replay", "notification", GROUP, "--rebuild", "revoked_subjects", env=platform_env)
    assert code == 0 and "3 message(s) to consume again, 3 processed mark(s) to clear" in plan
    assert "Nothing changed" in plan and revoked(notification) == set(subjects)

    code, done = ops("replay", "notification", GROUP, "--rebuild", "revoked_subjects", "--yes", env=platform_env)
    assert code == 0, done
    assert revoked(notification) == set() and marks(notification) == 0
    assert sum(committed_offsets(kafka_settings, GROUP).values()) == 0

    running.start(consumer())
    wait_until(lambda: revoked(notification) == set(subjects), 30, message="the replay did not rebuild the table")
    assert marks(notification) == 3


def test_replay_since_a_moment_rewinds_only_the_events_after_it(notification, platform_env, kafka_settings,
                                                                 producer, running):
    revoke_event(producer, kafka_settings, "early")
    stop = running.start(revocation_consumer(group=GROUP, engine=notification, processed_table=processed_events,
                                             revoked_table=revoked_subjects, kafka=kafka_settings, producer=producer))
    wait_until(lambda: revoked(notification) == {"early"}, 30, message="first event")
    moment = datetime.now(timezone.utc)
    revoke_event(producer, kafka_settings, "late")
    wait_until(lambda: revoked(notification) == {"early", "late"}, 30, message="second event")
    running.stop(stop)
    wait_until(lambda: group_is_empty(kafka_settings), 30, message="the group still has members")

    code, plan = ops("replay", "notification", GROUP, "--since", moment.isoformat(), "--yes", env=platform_env)

    assert code == 0 and "1 message(s) to consume again, 1 processed mark(s) to clear" in plan, plan
    assert marks(notification) == 1


def test_dead_letters_are_listed_shown_and_redriven_once_the_cause_is_fixed(
        notification, platform_env, kafka_settings, producer, running):
    broken = threading.Event()
    broken.set()

    def on_revoked(connection, event):
        if broken.is_set():
            raise RuntimeError("the handler has a bug")
        revoke(connection, revoked_subjects, event.data["subject"], event.data["not_before"])

    ensure_topics(kafka_settings, [dead_letter_topic(GROUP)])
    registry = ContractRegistry("dpd/test")
    register_contract(registry)
    running.start(IdempotentConsumer(
        group=GROUP, topics=[IDENTITY_EVENTS_TOPIC], engine=notification, processed_table=processed_events,
        contracts=registry, handlers={ACCESS_REVOKED: on_revoked}, kafka=kafka_settings, producer=producer,
        max_attempts=2, first_backoff_seconds=0.01))
    ids = [revoke_event(producer, kafka_settings, subject) for subject in ("alpha", "beta")]
    produce_raw(kafka_settings, IDENTITY_EVENTS_TOPIC, b"{not json")

    def listed() -> str:
        text = ops("dead-letters", GROUP, env=platform_env)[1]
        return text if text.startswith(f"{GROUP}: 3 dead letter(s), 3 not re-driven") else ""

    listing = wait_until(listed, 60, interval=0.5, message="three dead letters")
    assert all(event_id in listing for event_id in ids) and "(not an event)" in listing
    assert "RuntimeError: the handler has a bug" in listing and "InvalidEvent" in listing
    alpha_offset = next(int(line.split()[0][1:]) for line in listing.splitlines() if ids[0] in line)

    code, shown = ops("dead-letter", GROUP, str(alpha_offset), env=platform_env)
    letter = json.loads(shown)
    assert code == 0 and letter["value"]["id"] == ids[0] and letter["headers"]["dead-letter.attempts"] == "2"
    assert letter["headers"]["correlation-id"] == "corr-alpha"

    broken.clear()  # the fix is deployed
    code, sent = ops("redrive", GROUP, "--offset", str(alpha_offset), env=platform_env)
    assert code == 0 and "Re-drove 1 dead letter(s)" in sent
    wait_until(lambda: revoked(notification) == {"alpha"}, 30, message="the re-driven event was not applied")

    code, sent = ops("redrive", GROUP, "--all", env=platform_env)
    assert code == 0 and "Re-drove 2 dead letter(s)" in sent
    wait_until(lambda: revoked(notification) == {"alpha", "beta"}, 30, message="beta was not applied")
    # The malformed message is refused again: it comes back as a new dead letter, the only one waiting.
    wait_until(lambda: ops("dead-letters", GROUP, env=platform_env)[1].startswith(
        f"{GROUP}: 4 dead letter(s), 1 not re-driven"), 30, interval=0.5, message="the malformed one came back")
    assert ops("redrive", GROUP, "--offset", "99", env=platform_env)[0] == 1


def test_the_outbox_backlog_shows_what_waits_and_why(notification, platform_env):
    registry = ContractRegistry("dpd/test")
    register_contract(registry)
    with notification.begin() as connection:
        for subject in ("one", "two"):
            envelope = registry.create(ACCESS_REVOKED, subject, {"subject": subject, "reason": "test",
                                                                 "not_before": datetime.now(timezone.utc)})
            record_event(connection, outbox, topic=IDENTITY_EVENTS_TOPIC, envelope=envelope, correlation_id="c")
        connection.execute(outbox.update().where(outbox.c.message_key == "one")
                           .values(publish_attempts=3, last_error="KafkaTimeoutError: no broker",
                                   created_at=sa.func.now() - timedelta(minutes=5)))

    code, report = ops("outbox", "notification", env=platform_env)

    assert code == 0
    assert report.startswith("notification: 2 event(s) waiting to be published, the oldest for 300 s")
    assert "identity.access_revoked.v1 -> identity.events (tries 3: KafkaTimeoutError: no broker)" in report


def test_a_backup_restores_the_database_as_it_was_and_refuses_while_the_service_is_connected(
        notification, platform_env, tmp_path):
    with notification.begin() as connection:
        revoke(connection, revoked_subjects, "kept", datetime.now(timezone.utc))
    backup_file = tmp_path / "notification.dump"

    code, said = ops("backup", "notification", str(backup_file), env=platform_env)
    assert code == 0 and backup_file.stat().st_size > 0 and "--since" in said

    with notification.begin() as connection:
        connection.execute(revoked_subjects.delete())
        revoke(connection, revoked_subjects, "after the backup", datetime.now(timezone.utc))
    assert ops("restore", "notification", str(backup_file), env=platform_env)[0] == 1  # no --yes
    with notification.connect():
        assert ops("restore", "notification", str(backup_file), "--yes", env=platform_env)[0] == 1
    notification.dispose()
    assert revoked(notification) == {"after the backup"}
    notification.dispose()

    code, said = ops("restore", "notification", str(backup_file), "--yes", env=platform_env)

    assert code == 0, said
    assert revoked(notification) == {"kept"}


def test_signing_keys_rotate_with_old_and_new_tokens_accepted_in_between(platform_env, tmp_path, signing_keys):
    from services.notification.bootstrap import bootstrap
    from services.notification.web.app import create_app
    from shared.auth import ORGANISER, TokenIssuer, load_private_key
    from shared.config import WebSettings, load_settings

    code, said = ops("new-signing-key", str(tmp_path), "--name", "next", env=platform_env)
    assert code == 0 and (tmp_path / "next.pem").is_file() and (tmp_path / "next.pub.pem").is_file()
    old_private, old_public = signing_keys
    new_private, new_public = tmp_path / "next.pem", tmp_path / "next.pub.pem"
    switched = {**platform_env, "AUTH_SIGNING_KEY_FILE": str(new_private)}
    assert ops("check-signing-key", env=switched)[0] == 1  # no verifier knows the new key yet

    during = {**switched, "AUTH_PUBLIC_KEY_FILES": f"{old_public},{new_public}"}
    code, said = ops("check-signing-key", env=during)
    assert code == 0 and said.startswith("Safe")

    migrate_notification(platform_env)

    def status(env: dict, private_key) -> int:
        token = TokenIssuer(load_private_key(private_key), timedelta(hours=1)).issue(
            kind=ORGANISER, subject=str(uuid.uuid4()), name="Admin", roles=frozenset({"admin"}))[0]
        wiring = bootstrap(env)
        try:
            app = create_app(wiring, load_settings(WebSettings, env))
            return app.test_client().get("/api/v1/audit", headers={"Authorization": f"Bearer {token}"}).status_code
        finally:
            wiring.engine.dispose()

    assert status(during, old_private) == 200 and status(during, new_private) == 200
    after = {**during, "AUTH_PUBLIC_KEY_FILES": str(new_public)}
    assert status(after, new_private) == 200 and status(after, old_private) == 401


def test_a_new_webhook_secret_is_printed_as_the_variable_billing_reads(platform_env):
    first, second = ops("new-webhook-secret", env=platform_env)[1], ops("new-webhook-secret", env=platform_env)[1]
    line = first.splitlines()[0]
    assert line.startswith("RAZORPAY_WEBHOOK_SECRET=") and len(line.split("=", 1)[1]) >= 40
    assert "PREVIOUS_RAZORPAY_WEBHOOK_SECRETS" in first and first.splitlines()[0] != second.splitlines()[0]


def test_the_command_line_runs_as_a_program(platform_env, kafka_settings):
    ensure_topics(kafka_settings, [TopicSpec(IDENTITY_EVENTS_TOPIC, partitions=3)])
    result = subprocess.run([sys.executable, "-m", "ops", "consumer-lag", GROUP, "--topic", IDENTITY_EVENTS_TOPIC],
                            cwd=PROJECT_ROOT, env={**os.environ, **platform_env}, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"{GROUP}: 0 message(s) behind"
    assert len(result.stdout.splitlines()) == 4  # one line per partition
