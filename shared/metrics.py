"""Prometheus metrics of every web and worker process. Every metric is defined here, and the
dashboard and alert rules in deploy/observability may name only these (tests/deploy checks it).

The hooks in the hot paths (a request, an event, a relay batch) only count; nothing here
queries anything. Gauges that need a query (outbox backlog, consumer lag) are computed when
Prometheus scrapes, by the collectors of shared/metrics_endpoints.py, which also serves
`/metrics` from web and worker processes.

Series carry no service label: the scrape target adds `service` and `process` (web or
worker), as deploy/observability/prometheus.yml and the Kubernetes pod labels do.

For services to call: `record_payment(outcome, amount_paise)` when billing settles a
payment (outcome "captured", "failed" or "refunded"); the alert on failed payments reads it.
"""
from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUEST_SECONDS = Histogram(
    "dpd_http_request_duration_seconds", "Time to answer an HTTP request, by route (its URL rule) and status",
    ["method", "route", "status"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
CONSUMED_EVENTS = Counter(
    "dpd_consumer_events", "Events a consumer group applied (outcome=applied) or recognised as a redelivery "
    "of one it had applied (outcome=redelivered)", ["group", "event_type", "outcome"])
DEAD_LETTERS = Counter(
    "dpd_dead_letters", "Messages a consumer group gave up on and parked on its dead-letter topic", ["group"])
OUTBOX_PUBLISHED = Counter("dpd_outbox_published_events", "Outbox events the relay published to Kafka")
EMAILS = Counter(
    "dpd_emails", "Emails the dispatcher settled: sent, failed (given up) or deferred (retried later)", ["outcome"])
PAYMENTS = Counter("dpd_payments", "Payments billing settled: captured, failed or refunded", ["outcome"])
PAYMENT_AMOUNT_PAISE = Counter("dpd_payment_amount_paise", "Sum of the settled payments' amounts in paise", ["outcome"])

# Gauges computed when Prometheus scrapes (shared/metrics_endpoints.py), with their meaning.
OUTBOX_PENDING = "dpd_outbox_pending_events"
OUTBOX_OLDEST_AGE = "dpd_outbox_oldest_pending_age_seconds"
CONSUMER_LAG = "dpd_consumer_lag_messages"
DATABASE_UP = "dpd_scrape_database_up"
KAFKA_UP = "dpd_scrape_kafka_up"
SCRAPED_GAUGES = {
    OUTBOX_PENDING: "Outbox events committed but not yet published",
    OUTBOX_OLDEST_AGE: "Seconds the oldest unpublished outbox event has waited (0 when none waits)",
    CONSUMER_LAG: "Messages a consumer group has not processed yet, per topic partition",
    DATABASE_UP: "1 if the service's database answered this scrape, else 0",
    KAFKA_UP: "1 if the Kafka brokers answered this scrape, else 0",
}

PAYMENT_OUTCOMES = ("captured", "failed", "refunded")



def record_request(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUEST_SECONDS.labels(method, route, str(status)).observe(seconds)


def record_consumed(group: str, event_type: str, applied: bool) -> None:
    CONSUMED_EVENTS.labels(group, event_type, "applied" if applied else "redelivered").inc()


def record_dead_letter(group: str) -> None:
    DEAD_LETTERS.labels(group).inc()


def record_outbox_published(count: int) -> None:
    OUTBOX_PUBLISHED.inc(count)


def record_email(outcome: str) -> None:
    """`outcome`: "sent", "failed" or "deferred"."""
    EMAILS.labels(outcome).inc()


def record_payment(outcome: str, amount_paise: int) -> None:
    """Billing calls this once per settled payment; `outcome` is one of PAYMENT_OUTCOMES."""
    if outcome not in PAYMENT_OUTCOMES:
        raise ValueError(f"payment outcome {outcome!r} is not one of {PAYMENT_OUTCOMES}")
    PAYMENTS.labels(outcome).inc()
    PAYMENT_AMOUNT_PAISE.labels(outcome).inc(amount_paise)
