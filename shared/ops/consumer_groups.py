"""Consumer groups as the broker sees them: how far behind they are, and moving them back to replay.

Group and topic names are the logical ones (as services declare them); the deployment's
KAFKA_TOPIC_PREFIX is applied here, as everywhere else.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from kafka import KafkaAdminClient
from kafka.errors import KafkaError
from kafka.admin import OffsetSpec, OffsetTimestamp
from kafka.structs import TopicPartition

from shared.config import KafkaSettings


T = TypeVar("T")


class GroupBusy(Exception):
    """The consumer group has live members: its offsets cannot be moved under them."""


def new_admin(kafka: KafkaSettings, *, client_id: str) -> KafkaAdminClient:
    return KafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers, client_id=client_id,
                            request_timeout_ms=10_000)


def retrying(call: Callable[[], T], timeout: float = 15.0) -> T:
    """`call()`, again while the broker answers with a retriable error (a group coordinator
    still being elected, a leader moving) for up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except KafkaError as error:
            if not error.retriable or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def topic_partitions(admin: KafkaAdminClient, kafka: KafkaSettings, topics: list[str]) -> list[TopicPartition]:
    """Every partition of `topics` (a topic not created yet has none)."""
    described = admin.describe_topics([kafka.topic(topic) for topic in topics])
    return sorted(TopicPartition(topic["name"], partition["partition_index"])
                  for topic in described for partition in topic["partitions"])


def consumer_group_lag(admin: KafkaAdminClient, kafka: KafkaSettings, group: str,
                       topics: list[str]) -> dict[TopicPartition, int]:
    """Per partition: records after the group's committed offset (from the partition's start if
    it has committed none, as the consumers' auto_offset_reset=earliest would read them)."""
    partitions = topic_partitions(admin, kafka, topics)
    if not partitions:
        return {}
    group_id = kafka.topic(group)
    committed = retrying(lambda: admin.list_group_offsets({group_id: partitions})).get(group_id, {})
    ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in partitions})
    starts = admin.list_partition_offsets({tp: OffsetSpec.EARLIEST for tp in partitions})
    lag = {}
    for tp in partitions:
        mark = committed.get(tp)
        position = mark.offset if mark is not None and mark.offset >= 0 else starts[tp].offset
        lag[tp] = max(ends[tp].offset - max(position, starts[tp].offset), 0)
    return lag


def active_members(admin: KafkaAdminClient, kafka: KafkaSettings, group: str) -> int:
    description = retrying(lambda: admin.describe_groups([kafka.topic(group)])).get(kafka.topic(group), {})
    return len(description.get("members", []))


@dataclass(frozen=True)
class OffsetMove:
    partition: TopicPartition
    committed: int | None  # None: the group had committed nothing there
    target: int


def plan_rewind(admin: KafkaAdminClient, kafka: KafkaSettings, group: str, topics: list[str],
                since: datetime | None) -> list[OffsetMove]:
    """Where `group` would restart on each partition of `topics`: the first record at or after
    `since`, or the partition's start when `since` is None."""
    partitions = topic_partitions(admin, kafka, topics)
    if not partitions:
        return []
    group_id = kafka.topic(group)
    committed = retrying(lambda: admin.list_group_offsets({group_id: partitions})).get(group_id, {})
    spec = OffsetSpec.EARLIEST if since is None else OffsetTimestamp(int(since.timestamp() * 1000))
    targets = admin.list_partition_offsets({tp: spec for tp in partitions})
    ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in partitions})
    moves = []
    for tp in partitions:
        target = targets[tp].offset
        mark = committed.get(tp)
        moves.append(OffsetMove(tp, mark.offset if mark is not None and mark.offset >= 0 else None,
                                ends[tp].offset if target < 0 else target))  # nothing that recent: the end
    return moves


def rewind(admin: KafkaAdminClient, kafka: KafkaSettings, group: str, moves: list[OffsetMove]) -> None:
    """Commit `moves` for `group`. Refused while any consumer of the group is running."""
    if active_members(admin, kafka, group):
        raise GroupBusy(f"consumer group {kafka.topic(group)} has running members: stop its workers first")
    results = retrying(lambda: admin.reset_group_offsets(kafka.topic(group),
                                                         {move.partition: move.target for move in moves}))
    failed = {tp: result["error"].__name__ for tp, result in results.items() if result["error"].errno != 0}
    if failed:
        raise RuntimeError(f"the broker refused to move {kafka.topic(group)}: {failed}")
