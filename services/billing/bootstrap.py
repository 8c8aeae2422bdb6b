"""The composition root: wires configuration, database, bus, payment gateway and document
links for the web app, worker and set-up. Nothing connects to anything at import time."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from services.billing import config, contracts, events
from services.billing.adapters.gateways import PaymentGateway
from services.billing.adapters.razorpay import RazorpayGateway
from services.billing.domain.links import DocumentLinkSigner
from shared.config import ConfigError, KafkaSettings
from shared.db import create_engine
from shared.events import ContractRegistry
from shared.kafka import TopicSpec, dead_letter_topic

CONSUMER_GROUP = "billing"  # registration's events (buyers) and identity's (revocations)
# Order events keyed by order id, benefits by registration id; 12 partitions like registration's.
TOPICS: list[TopicSpec] = [TopicSpec(events.EVENTS_TOPIC, partitions=12), dead_letter_topic(CONSUMER_GROUP)]

# The payment gateways billing can take payments through (PAYMENT_GATEWAY names one).
GATEWAYS: dict[str, Callable[[config.Settings], PaymentGateway]] = {
    RazorpayGateway.name: RazorpayGateway.from_settings,
}


@dataclass
class Billing:
    settings: config.Settings
    kafka: KafkaSettings
    engine: Engine
    contracts: ContractRegistry  # what billing publishes
    consumed: ContractRegistry  # what billing reads from other services
    gateway: PaymentGateway
    links: DocumentLinkSigner


def bootstrap(environ=None) -> Billing:
    settings, kafka = config.load(environ)
    if settings.payment_gateway not in GATEWAYS:
        raise ConfigError(f"Settings: PAYMENT_GATEWAY={settings.payment_gateway!r} is not one of {sorted(GATEWAYS)}")
    return Billing(settings=settings, kafka=kafka,
                   engine=create_engine(settings.database_url, pool_size=settings.database_pool_size),
                   contracts=events.contracts(), consumed=contracts.consumed(),
                   gateway=GATEWAYS[settings.payment_gateway](settings),
                   links=DocumentLinkSigner(settings.document_link_secret))
