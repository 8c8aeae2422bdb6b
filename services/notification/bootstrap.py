"""The composition root: wires configuration, database, bus and mail for the web app, worker and set-up."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from services.notification import config
from shared.config import KafkaSettings
from shared.db import create_engine
from shared.kafka import dead_letter_topic

CONSUMER_GROUP = "notification"
TOPICS = [dead_letter_topic(CONSUMER_GROUP)]


@dataclass
class Notification:
    settings: config.Settings
    kafka: KafkaSettings
    engine: Engine


def bootstrap(environ=None) -> Notification:
    settings, kafka = config.load(environ)
    return Notification(settings=settings, kafka=kafka,
                        engine=create_engine(settings.database_url, pool_size=settings.database_pool_size))
