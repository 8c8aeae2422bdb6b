"""The backbone loses nothing and doubles nothing when processes die at the worst moments."""
from __future__ import annotations

import json

import pytest
import requests
import sqlalchemy as sa

from services.notification.manage import migrate as migrate_notification
from services.registration.manage import migrate as migrate_registration
from shared.faults import CRASH_EXIT_CODE
from shared.localinfra.ports import wait_until
from shared.testing.kafka_topics import committed_offsets, produce_raw, read_topic
from tests.support.editions import open_edition
from tests.support.registrations import registration_payload


@pytest.fixture
def registration_url(services, platform_env) -> str:
    """Both services' databases and topics in place, registration's web process running."""
    migrate_registration(platform_env)
    migrate_notification(platform_env)
    open_edition(platform_env)
    return services.web("registration")


def _register(registration_url: str, email: str) -> str:
    response = requests.post(f"{registration_url}/api/v1/registrations", json=registration_payload(email), timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _unpublished(platform_env) -> int:
    """Registrations' events not yet on the bus (the edition's own announcement aside)."""
    engine = sa.create_engine(platform_env["REGISTRATION_DATABASE_URL"], poolclass=sa.pool.NullPool)
    with engine.connect() as db:
        return db.execute(sa.text("SELECT count(*) FROM outbox_events WHERE published_at IS NULL "
                                  "AND topic = 'identity.events'")).scalar()


def _committed(kafka_settings, topic: str) -> int:
    """How far notification has acknowledged `topic` (the sum of its partitions' committed offsets)."""
    return sum(offset for partition, offset in committed_offsets(kafka_settings, "notification").items()
               if partition.topic == kafka_settings.topic(topic))


def _exit_code(process, timeout: float = 60) -> int:
    return wait_until(lambda: process._popen.poll() is not None and process._popen.returncode, timeout,
                      message=f"{process.name} did not crash")


def test_an_event_committed_while_the_relay_is_down_is_published_when_it_returns(
        registration_url, services, platform_env, mailbox, run_id):
    services.worker("notification")
    email = f"relay-down.{run_id}@example.in"

    _register(registration_url, email)  # committed; no relay is running to publish it
    assert _unpublished(platform_env) == 1

    services.worker("registration")
    mailbox.wait_for_count(1, to=email, timeout=60)
    # The relay marks the row in a transaction that may commit after the email went out.
    wait_until(lambda: _unpublished(platform_env) == 0, timeout=30, message="the relay never marked the row published")


def test_a_relay_killed_after_publishing_but_before_marking_gives_one_email(
        registration_url, services, platform_env, mailbox, run_id, kafka_settings):
    email = f"relay-crash.{run_id}@example.in"
    registration_id = _register(registration_url, email)

    crashing = services.worker("registration", extra_env={"DPD_CRASH_POINTS": "outbox.after_publish_before_mark"})
    assert _exit_code(crashing) == CRASH_EXIT_CODE
    assert _unpublished(platform_env) == 1, "the crash came before the row was marked"

    services.worker("registration")
    services.worker("notification")
    on_the_bus = read_topic(kafka_settings, "identity.events", at_least=2)
    assert [json.loads(r.value)["subject"] for r in on_the_bus] == [registration_id, registration_id]
    mailbox.wait_for_count(1, to=email, timeout=60)
    wait_until(lambda: _unpublished(platform_env) == 0, timeout=30)
    wait_until(lambda: _committed(kafka_settings, "identity.events") == 2, timeout=30,
               message="notification never committed both copies")
    assert len(mailbox.messages_to(email)) == 1, "the duplicate on the bus gave no second email"


def test_a_consumer_killed_after_its_transaction_but_before_committing_the_offset_sends_one_email(
        registration_url, services, platform_env, mailbox, run_id, kafka_settings):
    services.worker("registration")
    email = f"consumer-crash.{run_id}@example.in"
    _register(registration_url, email)

    crashing = services.worker("notification",
                               extra_env={"DPD_CRASH_POINTS": "consumer.after_transaction_before_commit"})
    assert _exit_code(crashing) == CRASH_EXIT_CODE
    assert committed_offsets(kafka_settings, "notification") == {}, "nothing was acknowledged to Kafka"

    services.worker("notification")
    mailbox.wait_for_count(1, to=email, timeout=60)
    wait_until(lambda: _committed(kafka_settings, "identity.events") == 1, timeout=60,
               message="the redelivered event was never acknowledged")
    assert len(mailbox.messages_to(email)) == 1, "the redelivery gave no second email"


def test_poison_messages_go_to_the_dead_letter_topic_and_do_not_block_the_rest(
        registration_url, services, platform_env, mailbox, run_id, kafka_settings):
    services.worker("registration")
    produce_raw(kafka_settings, "registration.events", b"{not json")
    produce_raw(kafka_settings, "registration.events", json.dumps({
        "specversion": "1.0", "id": "evt-1", "source": "dpd/registration", "type": "registration.submitted.v1",
        "time": "2026-11-25T10:00:00+05:30", "subject": "x", "datacontenttype": "application/json",
        "data": {"reference": "DPD-NOPE"}}).encode())
    services.worker("notification")
    email = f"after-poison.{run_id}@example.in"
    _register(registration_url, email)

    mailbox.wait_for_count(1, to=email, timeout=60)
    dead = read_topic(kafka_settings, "notification.dead-letter", at_least=2)
    errors = [dict(r.headers)["dead-letter.error"].decode() for r in dead]
    assert "not valid JSON" in errors[0]
    assert "registration.submitted.v1 event evt-1 breaks its contract" in errors[1]
    assert "registration_id" in errors[1]
    assert [r.value for r in dead][0] == b"{not json"
