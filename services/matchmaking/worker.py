"""Matchmaking's worker process: publishes its outbox. `python -m services.matchmaking.worker`"""
from __future__ import annotations

import sys

from services.matchmaking.adapters.tables import outbox
from services.matchmaking.bootstrap import bootstrap
from shared.logs import configure_logging
from shared.worker import run_relay_worker


def main() -> int:
    configure_logging("services.matchmaking")
    wiring = bootstrap()
    return run_relay_worker("matchmaking", wiring.engine, outbox, wiring.kafka)


if __name__ == "__main__":
    sys.exit(main())
