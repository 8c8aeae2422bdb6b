"""The bus: topic declarations, producers and consumers configured one way for every service."""
from __future__ import annotations

import logging
import socket
import struct
from dataclasses import dataclass, field

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import TopicAlreadyExistsError

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


def broker_answers(bootstrap_servers: str, timeout: float = 2.0) -> bool:
    """Does any listed broker answer a Kafka request? (`/readyz`, set-up waits.)

    A bare ApiVersions round trip on a socket: a KafkaAdminClient that fails to bootstrap
    leaks its IO thread and sockets, which a probe repeated every few seconds must not do.
    """
    # Request header v1: api_key 18 (ApiVersions), version 0, correlation id 1, null client id.
    request = struct.pack(">hhih", 18, 0, 1, -1)
    for address in bootstrap_servers.split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout) as sock:
                sock.sendall(struct.pack(">i", len(request)) + request)
                if len(sock.recv(4)) == 4:
                    return True
        except (OSError, ValueError):
            continue
    return False
