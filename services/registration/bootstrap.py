"""The composition root: wires configuration, database and bus for the web app, worker and set-up."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from services.registration import config, events
from shared.config import KafkaSettings
from shared.db import create_engine
from shared.events import ContractRegistry
from shared.kafka import TopicSpec


# Registration events keyed by registration id; 12 partitions let up to 12 workers of
# each consuming service share the load at the brief's peak.
TOPICS = [TopicSpec(events.EVENTS_TOPIC, partitions=12)]


@dataclass
class Registration:
    settings: config.Settings
    kafka: KafkaSettings
    engine: Engine
    contracts: ContractRegistry


def bootstrap(environ=None) -> Registration:
    settings, kafka = config.load(environ)
    return Registration(settings=settings, kafka=kafka,
                        engine=create_engine(settings.database_url, pool_size=settings.database_pool_size),
                        contracts=events.contracts())
