"""Matchmaking's worker process: publishes its outbox and keeps its token revocations current.
`python -m services.matchmaking.worker`"""
from __future__ import annotations

import sys

from services.matchmaking.adapters.tables import outbox, processed_events, revoked_subjects
from services.matchmaking.bootstrap import bootstrap
from shared.logs import configure_logging
from shared.revocation import revocation_consumer
from shared.worker import run_relay_worker


def main() -> int:
    configure_logging("services.matchmaking")
    wiring = bootstrap()
    return run_relay_worker("matchmaking", wiring.engine, outbox, wiring.kafka, lambda producer: [revocation_consumer(
        group="matchmaking", engine=wiring.engine, processed_table=processed_events, revoked_table=revoked_subjects,
        kafka=wiring.kafka, producer=producer)])


if __name__ == "__main__":
    sys.exit(main())
