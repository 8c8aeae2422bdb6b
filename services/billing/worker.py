"""Billing's worker process: publishes its outbox, keeps its buyers and token revocations current
from registration's and identity's events, and releases expired holds by itself.
`python -m services.billing.worker`"""
from __future__ import annotations

import logging
import sys
import threading

from services.billing import buyers, contracts, ordering
from services.billing.adapters.tables import outbox, processed_events
from services.billing.bootstrap import CONSUMER_GROUP, Billing, bootstrap
from shared.consumer import IdempotentConsumer
from shared.logs import configure_logging
from shared.revocation import IDENTITY_EVENTS_TOPIC
from shared.worker import run_relay_worker

log = logging.getLogger(__name__)


class HoldKeeper:
    """Every BILLING_EXPIRY_SWEEP_SECONDS: remind buyers of holds about to run out, and release
    the holds that did. Several workers may run it: rows one is handling, the others skip."""

    name = "hold-keeper"

    def __init__(self, wiring: Billing):
        self._wiring = wiring

    def sweep(self) -> tuple[int, int]:
        reminded = ordering.remind_expiring_holds(self._wiring)
        expired = 0
        while (released := ordering.expire_due_holds(self._wiring)) > 0:
            expired += released
        return reminded, expired

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                reminded, expired = self.sweep()
                if reminded or expired:
                    log.info("holds: %d reminded, %d released", reminded, expired)
            except Exception:
                log.exception("the hold sweep failed; trying again at the next one")
            stop.wait(self._wiring.settings.expiry_sweep_seconds)


def components(wiring: Billing, producer) -> list:
    consumer = IdempotentConsumer(
        group=CONSUMER_GROUP, topics=[contracts.REGISTRATION_EVENTS_TOPIC, IDENTITY_EVENTS_TOPIC],
        engine=wiring.engine, processed_table=processed_events, contracts=wiring.consumed,
        handlers=buyers.handlers(wiring), kafka=wiring.kafka, producer=producer)
    return [consumer, HoldKeeper(wiring)]


def main() -> int:
    configure_logging("services.billing")
    wiring = bootstrap()
    return run_relay_worker("billing", wiring.engine, outbox, wiring.kafka, lambda producer: components(wiring, producer))


if __name__ == "__main__":
    sys.exit(main())
