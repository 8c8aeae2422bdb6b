"""The composition root: wires configuration, database, bus and token signing for the
web app, worker and set-up."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from services.registration import config, events
from services.registration.adapters.edition_cache import EditionCache
from services.registration.adapters.personal_data import FieldCipher
from services.registration.domain.badges import BadgeSigner
from shared.auth import TokenIssuer, load_private_key
from shared.config import KafkaSettings
from shared.db import create_engine
from shared.events import ContractRegistry
from shared.kafka import TopicSpec, dead_letter_topic

# Registration events keyed by registration id; 12 partitions let up to 12 workers of
# each consuming service share the load at the brief's peak. Identity events are few.
TOPICS = [TopicSpec(events.EVENTS_TOPIC, partitions=12), TopicSpec(events.IDENTITY_TOPIC, partitions=3),
          dead_letter_topic("registration.badges")]


@dataclass
class Registration:
    settings: config.Settings
    kafka: KafkaSettings
    engine: Engine
    contracts: ContractRegistry
    organiser_tokens: TokenIssuer
    participant_tokens: TokenIssuer
    passwords: PasswordHasher
    personal_data: FieldCipher
    badge_signer: BadgeSigner
    editions: EditionCache  # for the public registration path only


def bootstrap(environ=None) -> Registration:
    settings, kafka = config.load(environ)
    signing_key = load_private_key(settings.signing_key_file)
    engine = create_engine(settings.database_url, pool_size=settings.database_pool_size)
    return Registration(
        settings=settings, kafka=kafka, engine=engine, editions=EditionCache(engine, settings.edition_cache_seconds),
        contracts=events.contracts(),
        organiser_tokens=TokenIssuer(signing_key, timedelta(hours=settings.organiser_session_hours)),
        participant_tokens=TokenIssuer(signing_key, timedelta(hours=settings.participant_session_hours)),
        passwords=PasswordHasher(),
        personal_data=FieldCipher(settings.personal_data_key, settings.previous_personal_data_keys),
        badge_signer=BadgeSigner(settings.badge_secret, previous_secrets=settings.previous_badge_secrets))
