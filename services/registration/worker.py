"""Registration's worker process: publishes its outbox. `python -m services.registration.worker`"""
from __future__ import annotations

import sys

from services.registration.adapters.tables import outbox
from services.registration.bootstrap import bootstrap
from shared.logs import configure_logging
from shared.worker import run_relay_worker


def main() -> int:
    configure_logging("services.registration")
    wiring = bootstrap()
    return run_relay_worker("registration", wiring.engine, outbox, wiring.kafka)


if __name__ == "__main__":
    sys.exit(main())
