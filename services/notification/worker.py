"""Notification's worker: consumes the events people hear about and sends the emails.
`python -m services.notification.worker`"""
from __future__ import annotations

import sys

from services.notification import contracts
from services.notification.adapters.rendering import Renderer
from services.notification.adapters.smtp import SmtpMailer
from services.notification.adapters.tables import outbox, processed_events
from services.notification.bootstrap import CONSUMER_GROUP, Notification, bootstrap
from services.notification.dispatcher import EmailDispatcher
from services.notification.handlers import handlers
from shared.consumer import IdempotentConsumer
from shared.logs import configure_logging
from shared.worker import run_relay_worker


def components(wiring: Notification, producer) -> list:
    settings = wiring.settings
    consumer = IdempotentConsumer(
        group=CONSUMER_GROUP, topics=[contracts.REGISTRATION_EVENTS_TOPIC, contracts.IDENTITY_EVENTS_TOPIC], engine=wiring.engine,
        processed_table=processed_events, contracts=contracts.contracts(), handlers=handlers(Renderer()),
        kafka=wiring.kafka, producer=producer)
    mailer = SmtpMailer(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds,
                        starttls=settings.smtp_starttls, username=settings.smtp_username,
                        password=settings.smtp_password)
    dispatcher = EmailDispatcher(wiring.engine, mailer, sender=settings.mail_from,
                                 max_attempts=settings.max_delivery_attempts)
    return [consumer, dispatcher]


def main() -> int:
    configure_logging("services.notification")
    wiring = bootstrap()
    return run_relay_worker("notification", wiring.engine, outbox, wiring.kafka,
                            lambda producer: components(wiring, producer))


if __name__ == "__main__":
    sys.exit(main())
