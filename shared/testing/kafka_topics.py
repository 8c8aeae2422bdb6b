"""Reading what is really on a topic, for tests that assert on the bus itself."""
from __future__ import annotations

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from shared.config import KafkaSettings
from shared.localinfra.ports import wait_until


def read_topic(kafka: KafkaSettings, topic: str, *, at_least: int, timeout: float = 30) -> list:
    """Every record on `topic` (all partitions, from the start) once there are `at_least` of them."""
    consumer = KafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, enable_auto_commit=False,
                             auto_offset_reset="earliest", group_id=None, metadata_max_age_ms=1000)
    consumer.subscribe([kafka.topic(topic)])
    records: list = []

    def enough() -> bool:
        for batch in consumer.poll(timeout_ms=200).values():
            records.extend(batch)
        return len(records) >= at_least

    try:
        wait_until(enough, timeout, interval=0, message=lambda: f"{len(records)} of {at_least} records on {topic}")
        return records
    finally:
        consumer.close()


def committed_offsets(kafka: KafkaSettings, group: str) -> dict:
    """{TopicPartition: next offset} that consumer group `group` has committed."""
    admin = KafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    try:
        group_id = kafka.topic(group)
        return {tp: meta.offset for tp, meta in admin.list_group_offsets(group_id)[group_id].items()}
    finally:
        admin.close()


def produce_raw(kafka: KafkaSettings, topic: str, value: bytes, key: bytes = b"poison") -> None:
    producer = KafkaProducer(bootstrap_servers=kafka.bootstrap_servers, acks="all")
    try:
        producer.send(kafka.topic(topic), key=key, value=value).get(timeout=30)
    finally:
        producer.close()
