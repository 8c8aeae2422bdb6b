"""The composition root: wires configuration, database, bus and contracts for the web app, worker and set-up."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from services.matchmaking import config, events
from shared.config import KafkaSettings
from shared.db import create_engine
from shared.events import ContractRegistry
from shared.kafka import TopicSpec, dead_letter_topic

CONSUMER_GROUP = "matchmaking"
# Meeting events keyed by meeting id; 12 partitions, like registration's, for notification's workers.
TOPICS: list[TopicSpec] = [TopicSpec(events.EVENTS_TOPIC, partitions=12), dead_letter_topic(CONSUMER_GROUP)]


@dataclass
class Matchmaking:
    settings: config.Settings
    kafka: KafkaSettings
    engine: Engine
    contracts: ContractRegistry


def bootstrap(environ=None) -> Matchmaking:
    settings, kafka = config.load(environ)
    return Matchmaking(settings=settings, kafka=kafka, contracts=events.contracts(),
                       engine=create_engine(settings.database_url, pool_size=settings.database_pool_size))
