"""Notification's worker: consumes the events people hear about and sends the emails.
`python -m services.notification.worker`

Components: the consumer (directory and queued emails), the dispatcher (sends through the
channels), the digest job, the announcements' fan-out, and the outbox relay (dead letters).
"""
from __future__ import annotations

import sys
from datetime import timedelta

from services.notification import contracts
from services.notification.adapters.channels import Channels
from services.notification.adapters.smtp import EmailChannel, SmtpMailer
from services.notification.adapters.tables import outbox, processed_events
from services.notification.announcements import AnnouncementFanOut
from services.notification.bootstrap import CONSUMER_GROUP, Notification, bootstrap
from services.notification.digests import DigestJob
from services.notification.dispatcher import Dispatcher
from services.notification.handlers import handlers
from shared.consumer import IdempotentConsumer
from shared.logs import configure_logging
from shared.worker import PeriodicJob, run_relay_worker

# Events applied per consumer transaction: one commit (and one wake-up of the dispatcher) for
# many, which a registration surge needs; a failing event is then retried on its own.
CONSUMER_BATCH_SIZE = 100
JOB_INTERVAL_SECONDS = 1.0


def components(wiring: Notification, producer) -> list:
    settings = wiring.settings
    consumer = IdempotentConsumer(
        group=CONSUMER_GROUP, topics=contracts.CONSUMED_TOPICS, engine=wiring.engine,
        processed_table=processed_events, contracts=wiring.contracts, handlers=handlers(wiring.queue, wiring.links),
        kafka=wiring.kafka, producer=producer, batch_size=CONSUMER_BATCH_SIZE)
    mailer = SmtpMailer(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds,
                        starttls=settings.smtp_starttls, username=settings.smtp_username,
                        password=settings.smtp_password)
    dispatcher = Dispatcher(wiring.engine, Channels(EmailChannel(mailer, settings.mail_from)), wiring.contracts,
                            max_attempts=settings.max_delivery_attempts,
                            first_retry_seconds=settings.first_retry_seconds)
    digests = DigestJob(wiring.engine, wiring.queue, period=timedelta(seconds=settings.digest_period_seconds))
    fan_out = AnnouncementFanOut(wiring.engine, wiring.queue)
    return [consumer, dispatcher, PeriodicJob("digests", digests.send_due, JOB_INTERVAL_SECONDS),
            PeriodicJob("announcements", fan_out.queue_next_batch, JOB_INTERVAL_SECONDS)]


def main() -> int:
    configure_logging("services.notification")
    wiring = bootstrap()
    return run_relay_worker("notification", wiring.engine, outbox, wiring.kafka,
                            lambda producer: components(wiring, producer))


if __name__ == "__main__":
    sys.exit(main())
