"""The composition root: wires configuration, database, bus and mail for the web app, worker and set-up."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from services.notification import config, contracts
from services.notification.adapters.rendering import Renderer
from services.notification.domain.meetings import MeetingLinks
from services.notification.queueing import EmailQueue
from shared.config import KafkaSettings
from shared.db import create_engine
from shared.events import ContractRegistry
from shared.kafka import TopicSpec, dead_letter_topic

CONSUMER_GROUP = "notification"
TOPICS = [dead_letter_topic(CONSUMER_GROUP),
          # Emails given up on (one partition keeps them in order), kept as long as the consumer's dead letters.
          TopicSpec(contracts.EMAILS_DEAD_LETTER_TOPIC, partitions=1,
                    configs=dead_letter_topic(CONSUMER_GROUP).configs)]


@dataclass
class Notification:
    settings: config.Settings
    kafka: KafkaSettings
    engine: Engine
    contracts: ContractRegistry
    queue: EmailQueue
    links: MeetingLinks


def bootstrap(environ=None) -> Notification:
    settings, kafka = config.load(environ)
    return Notification(settings=settings, kafka=kafka,
                        engine=create_engine(settings.database_url, pool_size=settings.database_pool_size),
                        contracts=contracts.contracts(), queue=EmailQueue(Renderer(), sender=settings.mail_from),
                        links=MeetingLinks.of(settings.matchmaking_url))
