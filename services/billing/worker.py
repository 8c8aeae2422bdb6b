"""Billing's worker process: publishes its outbox. `python -m services.billing.worker`"""
from __future__ import annotations

import sys

from services.billing.adapters.tables import outbox
from services.billing.bootstrap import bootstrap
from shared.logs import configure_logging
from shared.worker import run_relay_worker


def main() -> int:
    configure_logging("services.billing")
    wiring = bootstrap()
    return run_relay_worker("billing", wiring.engine, outbox, wiring.kafka)


if __name__ == "__main__":
    sys.exit(main())
