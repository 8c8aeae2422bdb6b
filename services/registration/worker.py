"""Registration's worker process: publishes its outbox. `python -m services.registration.worker`"""
from __future__ import annotations

import sys

from services.registration.adapters.tables import outbox
from services.registration.bootstrap import bootstrap
from shared.kafka import new_producer
from shared.logs import configure_logging
from shared.outbox import OutboxRelay
from shared.worker import run_worker


def main() -> int:
    configure_logging("services.registration")
    wiring = bootstrap()
    producer = new_producer(wiring.kafka, client_id="registration-relay")
    try:
        return run_worker([OutboxRelay(wiring.engine, outbox, producer, wiring.kafka)])
    finally:
        producer.close(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
