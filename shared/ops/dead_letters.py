"""A consumer group's dead letters (`<group>.dead-letter`, see shared/consumer.py): read them,
and re-drive them to the topic they came from once whatever refused them is fixed.

Re-driving publishes the original key, value and headers again on the original topic; every
group consuming that topic sees it, and those that applied it already skip it by its event
id. Progress is kept as the committed offset of the group `<group>.dead-letter.redrive` (those
re-driven one by one beyond it in the offset's metadata), so `redrive --all` never sends a
dead letter twice and the list shows what is left.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from kafka import KafkaConsumer
from kafka.structs import OffsetAndMetadata, TopicPartition

from shared.config import KafkaSettings
from shared.kafka import dead_letter_topic, new_producer
from shared.ops.consumer_groups import new_admin, retrying

DEAD_LETTER_HEADER_PREFIX = "dead-letter."
REDRIVEN_FROM_HEADER = "redriven-from"


@dataclass(frozen=True)
class DeadLetter:
    offset: int
    parked_at: datetime
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]
    redriven: bool

    def header(self, name: str) -> str:
        return next((value.decode(errors="replace") for key, value in self.headers if key == name), "")

    @property
    def error(self) -> str:
        return self.header("dead-letter.error")

    @property
    def original_topic(self) -> str:
        return self.header("dead-letter.original-topic")

    @property
    def origin(self) -> str:
        return (f"{self.original_topic}-{self.header('dead-letter.original-partition')}"
                f"@{self.header('dead-letter.original-offset')}")

    @property
    def event(self) -> dict:
        """The envelope's id and type, when the value is an envelope at all."""
        try:
            envelope = json.loads(self.value)
        except ValueError:
            return {}
        return {"id": envelope.get("id", ""), "type": envelope.get("type", "")} if isinstance(envelope, dict) else {}


def _partition(kafka: KafkaSettings, group: str) -> TopicPartition:
    return TopicPartition(kafka.topic(dead_letter_topic(group).name), 0)


def _progress_group(kafka: KafkaSettings, group: str) -> str:
    return kafka.topic(f"{group}.dead-letter.redrive")


def _redriven(kafka: KafkaSettings, group: str) -> tuple[int, set[int]]:
    """What was re-driven: every offset below the mark, and those above it (in the mark's metadata)."""
    admin = new_admin(kafka, client_id="ops-dead-letters")
    try:
        marks = retrying(lambda: admin.list_group_offsets({_progress_group(kafka, group): [_partition(kafka, group)]}))
    finally:
        admin.close()
    mark = marks.get(_progress_group(kafka, group), {}).get(_partition(kafka, group))
    if mark is None or mark.offset < 0:
        return 0, set()
    return mark.offset, {int(offset) for offset in (mark.metadata or "").split(",") if offset}


def _record_redriven(kafka: KafkaSettings, group: str, sent: list[int]) -> None:
    mark, beyond = _redriven(kafka, group)
    beyond |= {offset for offset in sent if offset >= mark}
    while mark in beyond:
        beyond.remove(mark)
        mark += 1
    admin = new_admin(kafka, client_id="ops-dead-letters")
    try:
        retrying(lambda: admin.alter_group_offsets(_progress_group(kafka, group), {
            _partition(kafka, group): OffsetAndMetadata(mark, ",".join(map(str, sorted(beyond))), -1)}))
    finally:
        admin.close()


def read_dead_letters(kafka: KafkaSettings, group: str) -> list[DeadLetter]:
    """Every dead letter of `group` still retained, oldest first."""
    partition = _partition(kafka, group)
    consumer = KafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, group_id=None, enable_auto_commit=False,
                             client_id="ops-dead-letters", consumer_timeout_ms=10_000)
    try:
        if consumer.partitions_for_topic(partition.topic) is None:
            return []
        consumer.assign([partition])
        consumer.seek_to_beginning(partition)
        end = consumer.end_offsets([partition])[partition]
        mark, beyond = _redriven(kafka, group)
        letters = []
        while consumer.position(partition) < end:
            batch = consumer.poll(timeout_ms=1000).get(partition, [])
            letters += [DeadLetter(offset=r.offset, parked_at=datetime.fromtimestamp(r.timestamp / 1000, timezone.utc),
                                   key=r.key, value=r.value, headers=tuple(r.headers or ()),
                                   redriven=r.offset < mark or r.offset in beyond) for r in batch if r.offset < end]
        return letters
    finally:
        consumer.close()


def redrive(kafka: KafkaSettings, group: str, offsets: list[int] | None = None) -> list[DeadLetter]:
    """Send dead letters back to their original topics: those at `offsets`, or (None) every one
    not re-driven yet. Returns those sent."""
    letters = read_dead_letters(kafka, group)
    if offsets is None:
        chosen = [letter for letter in letters if not letter.redriven]
    else:
        known = {letter.offset: letter for letter in letters}
        missing = sorted(set(offsets) - set(known))
        if missing:
            raise LookupError(f"no dead letter of {group} at offset(s) {missing}")
        chosen = [known[offset] for offset in sorted(set(offsets))]
    producer = new_producer(kafka, client_id="ops-redrive")
    try:
        for letter in chosen:
            headers = [(k, v) for k, v in letter.headers if not k.startswith(DEAD_LETTER_HEADER_PREFIX)]
            headers.append((REDRIVEN_FROM_HEADER, f"{_partition(kafka, group).topic}@{letter.offset}".encode()))
            producer.send(letter.original_topic, key=letter.key, value=letter.value, headers=headers).get(timeout=30)
    finally:
        producer.close(timeout=10)
    _record_redriven(kafka, group, [letter.offset for letter in chosen])
    return chosen
