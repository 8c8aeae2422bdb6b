"""A service's background process: its consumers and its outbox relay, one thread each.

SIGTERM or SIGINT asks every component to finish what it holds and stop. A component
that dies stops the whole worker with a non-zero exit, so the supervisor restarts it
rather than leaving a half-working process.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import Protocol

from kafka import KafkaProducer

from shared.kafka import new_producer
from shared.metrics_endpoints import worker_metrics_endpoint
from shared.outbox import OutboxRelay

log = logging.getLogger(__name__)


class Component(Protocol):
    name: str

    def run(self, stop: threading.Event) -> None: ...


class PeriodicJob:
    """A component that calls `step` until it reports no more work (returns 0), then waits
    `interval` seconds and looks again. A step that raises is logged and tried again at the next
    interval: a database outage is waited out, a bug does not stop the rest of the worker."""

    def __init__(self, name: str, step: Callable[[], int], interval: float):
        self.name = name
        self._step = step
        self._interval = interval

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                while self._step() and not stop.is_set():
                    pass
            except Exception:
                log.exception("%s failed; trying again in %.1fs", self.name, self._interval)
            stop.wait(self._interval)


def run_worker(components: list[Component], stop: threading.Event | None = None) -> int:
    stop = stop or threading.Event()
    failed: list[str] = []

    def request_stop(signum, _frame):
        log.info("signal %s: stopping", signal.Signals(signum).name)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)

    def guarded(component: Component) -> None:
        try:
            component.run(stop)
        except Exception:
            log.exception("%s died", component.name)
            failed.append(component.name)
            stop.set()

    threads = [threading.Thread(target=guarded, args=(c,), name=c.name, daemon=True) for c in components]
    for thread in threads:
        thread.start()
    log.info("worker running: %s", ", ".join(c.name for c in components))
    stop.wait()
    for thread in threads:
        thread.join(timeout=30)
    return 1 if failed else 0


def run_relay_worker(service: str, engine, outbox_table, kafka,
                     extra_components: Callable[[KafkaProducer], list[Component]] = lambda producer: []) -> int:
    """A service's worker: its outbox relay plus the components `extra_components` makes (consumers...)."""
    producer = new_producer(kafka, client_id=f"{service}-worker")
    try:
        components = [OutboxRelay(engine, outbox_table, producer, kafka), *extra_components(producer)]
        return run_worker([*components, *worker_metrics_endpoint(service, engine, kafka, components)])
    finally:
        producer.close(timeout=10)
