"""`python -m shared.localinfra.after_setup CMD...`: wait until `./dpd up`'s set-up step is done,
then become CMD. Services must not start before their migrations are applied."""
from __future__ import annotations

import os
import shutil
import signal
import sys
import time

from shared.localinfra.up import SETUP_DONE, run_dir


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m shared.localinfra.after_setup COMMAND [ARG...]", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    marker = run_dir(os.environ) / SETUP_DONE
    while not marker.exists():
        time.sleep(0.2)  # honcho stops us with SIGTERM if set-up fails
    program = shutil.which(argv[0]) or argv[0]
    os.execv(program, [program, *argv[1:]])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
