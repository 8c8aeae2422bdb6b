"""Registration's worker process: publishes its outbox and keeps e-badges in step with its own
events. `python -m services.registration.worker`"""
from __future__ import annotations

import sys

from services.registration import badge_desk, events
from services.registration.adapters.tables import outbox, processed_events
from services.registration.bootstrap import Registration, bootstrap
from shared.consumer import IdempotentConsumer
from shared.logs import configure_logging
from shared.worker import run_relay_worker

BADGE_GROUP = "registration.badges"


def badge_keeper(wiring: Registration, producer) -> IdempotentConsumer:
    return IdempotentConsumer(
        group=BADGE_GROUP, topics=[events.EVENTS_TOPIC], engine=wiring.engine, processed_table=processed_events,
        contracts=wiring.contracts, handlers=badge_desk.handlers(wiring.contracts, wiring.badge_signer,
                                                                 wiring.settings.public_url),
        kafka=wiring.kafka, producer=producer)


def main() -> int:
    configure_logging("services.registration")
    wiring = bootstrap()
    return run_relay_worker("registration", wiring.engine, outbox, wiring.kafka,
                            lambda producer: [badge_keeper(wiring, producer)])


if __name__ == "__main__":
    sys.exit(main())
