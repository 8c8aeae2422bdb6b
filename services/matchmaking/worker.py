"""Matchmaking's worker process: publishes its outbox, keeps its read model from registration's
and billing's events (and token revocations), expires unanswered requests, and solves queued
scheduler runs. `python -m services.matchmaking.worker`"""
from __future__ import annotations

import logging
import sys
import threading

from services.matchmaking import events, meetings, read_model, scheduling_desk
from services.matchmaking.adapters.tables import outbox, processed_events
from services.matchmaking.bootstrap import CONSUMER_GROUP, Matchmaking, bootstrap
from shared.consumer import IdempotentConsumer
from shared.logs import configure_logging
from shared.worker import run_relay_worker

log = logging.getLogger(__name__)


class RequestExpiry:
    """Every `interval` seconds, expires the pending requests whose answer deadline has passed."""

    name = "request-expiry"

    def __init__(self, wiring: Matchmaking, interval: float):
        self._wiring = wiring
        self._interval = interval

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                while meetings.expire_due_requests(self._wiring.engine, self._wiring.contracts) and not stop.is_set():
                    pass
            except Exception:
                log.exception("expiring requests failed; trying again shortly")
            stop.wait(self._interval)


class SchedulerRuns:
    """Solves queued scheduler runs one at a time (a failed run is marked failed and kept)."""

    name = "scheduler-runs"

    def __init__(self, wiring: Matchmaking, interval: float = 1.0):
        self._wiring = wiring
        self._interval = interval

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                if scheduling_desk.solve_next_run(self._wiring.engine):
                    continue
            except Exception:
                log.exception("a scheduler run failed")
            stop.wait(self._interval)


def components(wiring: Matchmaking, producer) -> list:
    consumer = IdempotentConsumer(
        group=CONSUMER_GROUP, topics=[events.REGISTRATION_TOPIC, events.BILLING_TOPIC, events.IDENTITY_TOPIC],
        engine=wiring.engine, processed_table=processed_events, contracts=wiring.contracts,
        handlers=read_model.handlers(wiring.contracts), kafka=wiring.kafka, producer=producer)
    return [consumer, RequestExpiry(wiring, wiring.settings.expiry_check_seconds), SchedulerRuns(wiring)]


def main() -> int:
    configure_logging("services.matchmaking")
    wiring = bootstrap()
    return run_relay_worker("matchmaking", wiring.engine, outbox, wiring.kafka,
                            lambda producer: components(wiring, producer))


if __name__ == "__main__":
    sys.exit(main())
