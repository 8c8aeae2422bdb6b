"""The composition root: wires configuration, database and bus for the web app, worker and set-up."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from services.matchmaking import config
from shared.config import KafkaSettings
from shared.db import create_engine
from shared.kafka import TopicSpec

TOPICS: list[TopicSpec] = [TopicSpec("matchmaking.events", partitions=12)]


@dataclass
class Matchmaking:
    settings: config.Settings
    kafka: KafkaSettings
    engine: Engine


def bootstrap(environ=None) -> Matchmaking:
    settings, kafka = config.load(environ)
    return Matchmaking(settings=settings, kafka=kafka,
                  engine=create_engine(settings.database_url, pool_size=settings.database_pool_size))
