"""The bus: topic declarations, producers and consumers configured one way for every service."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError, TopicAlreadyExistsError

from shared.config import KafkaSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicSpec:
    """A topic a service owns. Partitions bound how many workers of a consumer group can share it."""

    name: str
    partitions: int
    configs: dict[str, str] = field(default_factory=dict)


def dead_letter_topic(consumer_group: str) -> TopicSpec:
    """Where a consumer group parks messages it cannot apply; one partition keeps them in arrival order."""
    return TopicSpec(f"{consumer_group}.dead-letter", partitions=1, configs={"retention.ms": str(30 * 86_400_000)})


def ensure_topics(settings: KafkaSettings, specs: list[TopicSpec]) -> list[str]:
    """Create the topics that do not exist yet (never relying on broker auto-creation); returns those created."""
    admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers, client_id="topic-setup")
    try:
        existing = set(admin.list_topics())
        created = []
        for spec in specs:
            name = settings.topic(spec.name)
            if name in existing:
                continue
            request = {name: {"num_partitions": spec.partitions,
                              "replication_factor": settings.replication_factor,
                              "configs": spec.configs}}
            try:
                admin.create_topics(request, wait_for_metadata=True)
                created.append(name)
            except TopicAlreadyExistsError:
                pass  # another service's set-up made it a moment ago
        return created
    finally:
        admin.close()


def new_producer(settings: KafkaSettings, client_id: str) -> KafkaProducer:
    """Idempotent, acks=all: a message acknowledged is on every in-sync replica, retries never reorder."""
    return KafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        max_block_ms=30_000,
        request_timeout_ms=15_000,
        delivery_timeout_ms=60_000,
    )


def new_consumer(settings: KafkaSettings, group: str, topics: list[str], *, max_poll_records: int = 200) -> KafkaConsumer:
    """Offsets are committed by the caller, after the work they stand for is committed."""
    return KafkaConsumer(
        *[settings.topic(topic) for topic in topics],
        bootstrap_servers=settings.bootstrap_servers,
        group_id=settings.topic(group),
        client_id=settings.topic(group),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=max_poll_records,
        metadata_max_age_ms=5_000,  # notice topics created after we subscribed
        # A crashed worker's partitions move to the others after 10 s, not the default 45 s.
        session_timeout_ms=10_000,
        heartbeat_interval_ms=3_000,
    )


class BrokerProbe:
    """Answers `/readyz`: can this process reach a broker? One admin client, reused, thread-safe."""

    def __init__(self, settings: KafkaSettings):
        self._settings = settings
        self._lock = threading.Lock()
        self._admin: KafkaAdminClient | None = None

    def is_reachable(self) -> bool:
        with self._lock:
            try:
                if self._admin is None:
                    self._admin = KafkaAdminClient(
                        bootstrap_servers=self._settings.bootstrap_servers, client_id="readiness-probe",
                        request_timeout_ms=3_000, bootstrap_timeout_ms=3_000)
                self._admin.describe_cluster()
                return True
            except (KafkaError, OSError) as error:
                log.warning("Kafka is not reachable: %s", error)
                self._close_unlocked()
                return False

    def close(self) -> None:
        with self._lock:
            self._close_unlocked()

    def _close_unlocked(self) -> None:
        if self._admin is not None:
            try:
                self._admin.close()
            finally:
                self._admin = None
