"""What an operator watching the running services sees: metrics from every web and worker
process, and one correlation id from the HTTP request through Kafka into the consumer's logs."""
from __future__ import annotations

import json

import requests

from services.notification.manage import migrate as migrate_notification
from services.registration.manage import migrate as migrate_registration
from shared.events import CORRELATION_HEADER
from shared.localinfra.ports import free_port, wait_until
from shared.testing.kafka_topics import produce_raw, read_topic
from tests.support.editions import open_edition
from tests.support.metrics import scrape, value
from tests.support.registrations import registration_payload

SUBMIT_ROUTE = "/api/v1/registrations"


def test_metrics_of_web_and_worker_processes_follow_a_registration_through_the_platform(
        services, platform_env, kafka_settings, mailbox, run_id):
    migrate_registration(platform_env)
    migrate_notification(platform_env)
    open_edition(platform_env)
    notification_metrics = f"127.0.0.1:{free_port()}"
    services.worker("notification", extra_env={"NOTIFICATION_WORKER_METRICS_BIND": notification_metrics})
    registration = services.web("registration", workers=2)

    emails = [f"metrics{i}.{run_id}@example.in" for i in range(4)]
    for email in emails:
        response = requests.post(f"{registration}{SUBMIT_ROUTE}", json=registration_payload(email), timeout=10)
        assert response.status_code == 201, response.text

    # No relay runs yet: the events wait in the outbox, and the web process says so.
    web = scrape(f"{registration}/metrics")
    assert value(web, "dpd_http_request_duration_seconds_count", method="POST", route=SUBMIT_ROUTE, status="201") == 4
    assert value(web, "dpd_outbox_pending_events") >= 4
    assert value(web, "dpd_outbox_oldest_pending_age_seconds") > 0

    registration_metrics = f"127.0.0.1:{free_port()}"
    services.worker("registration", extra_env={"REGISTRATION_WORKER_METRICS_BIND": registration_metrics})
    for email in emails:
        mailbox.wait_for_count(1, to=email, timeout=60)

    def settled() -> dict | None:
        worker = scrape(f"http://{registration_metrics}/metrics")
        return worker if value(worker, "dpd_outbox_pending_events") == 0 else None

    registration_worker = wait_until(settled, 30, interval=0.5, message="registration's outbox did not drain")
    assert value(registration_worker, "dpd_outbox_published_events_total") >= 4
    assert value(registration_worker, "dpd_scrape_kafka_up") == 1

    def notification_caught_up() -> dict | None:
        worker = scrape(f"http://{notification_metrics}/metrics")
        lag = [v for key, v in worker.items() if key[0] == "dpd_consumer_lag_messages"
               and ("group", "notification") in key]
        return worker if lag and sum(lag) == 0 and value(worker, "dpd_emails_total", outcome="sent") == 4 else None

    notification = wait_until(notification_caught_up, 30, interval=0.5, message="notification's lag and emails")
    assert sum(v for key, v in notification.items() if key[0] == "dpd_consumer_events_total"
               and ("group", "notification") in key and ("outcome", "applied") in key) >= 4
    partitions = {dict(key[1:])["topic"] for key in notification if key[0] == "dpd_consumer_lag_messages"}
    assert partitions == {"registration.events", "identity.events"}

    produce_raw(kafka_settings, "identity.events", b"not an event")
    wait_until(lambda: value(scrape(f"http://{notification_metrics}/metrics"), "dpd_dead_letters_total",
                             group="notification") == 1, 30, message="the poison message was not counted")


def test_one_correlation_id_follows_a_request_into_kafka_and_the_consumers_logs(
        services, platform_env, kafka_settings, mailbox, run_id):
    migrate_registration(platform_env)
    migrate_notification(platform_env)
    open_edition(platform_env)
    services.worker("registration")
    notification_worker = services.worker("notification")
    registration = services.web("registration")
    correlation_id = f"trace-{run_id}"
    email = f"traced.{run_id}@example.in"

    response = requests.post(f"{registration}{SUBMIT_ROUTE}", json=registration_payload(email), timeout=10,
                             headers={"X-Correlation-ID": correlation_id})

    assert response.headers["X-Correlation-ID"] == correlation_id
    mailbox.wait_for_count(1, to=email, timeout=60)
    [record] = [r for r in read_topic(kafka_settings, "identity.events", at_least=1)
                if r.key.decode() == response.json()["id"]]
    assert dict(record.headers)[CORRELATION_HEADER].decode() == correlation_id

    def traced_lines() -> list[dict]:
        lines = [json.loads(line) for line in notification_worker.log_file.read_text().splitlines()
                 if line.startswith("{")]
        return [line for line in lines if line.get("correlation_id") == correlation_id]

    [applied] = wait_until(traced_lines, 30, message="no log line of notification's worker names the request")
    assert applied["message"].startswith("applied identity.email_verification_requested.v1")
    assert applied["logger"] == "shared.consumer"
