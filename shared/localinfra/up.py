"""`./dpd up`: the whole platform on this machine under honcho (deploy/local/Procfile).

Kafka's jars are fetched before honcho starts, so the first run's download is not raced
by the other processes. Ctrl-C stops everything; data stays in .run/ for the next run.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import honcho.command
import honcho.manager
from honcho.environ import parse as parse_env_file

from shared.localinfra.kafka import ensure_kafka_libs

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOCAL = PROJECT_ROOT / "deploy" / "local"
SETUP_DONE = "setup.done"
# After Ctrl-C honcho SIGKILLs what has not stopped within 5 s; Kafka's controlled shutdown and
# PostgreSQL's checkpoint can take longer on a busy machine, and killing their wrappers would
# leave the servers running on their own.
STOP_GRACE_SECONDS = 60


def run_dir(environ) -> Path:
    return PROJECT_ROOT / environ.get("RUN_DIR", ".run")


def main(argv: list[str] | None = None) -> int:
    env_file = Path(os.environ.get("DPD_ENV_FILE", LOCAL / "dev.env"))
    print("Fetching Kafka (first run only)...", flush=True)
    ensure_kafka_libs()
    environ = {**os.environ, **parse_env_file(env_file.read_text())}
    runs = run_dir(environ)
    runs.mkdir(parents=True, exist_ok=True)
    (runs / SETUP_DONE).unlink(missing_ok=True)
    bin_dir = Path(sys.executable).parent
    os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    os.environ["PYTHONPATH"] = str(PROJECT_ROOT)
    os.environ["PYTHONUNBUFFERED"] = "1"
    honcho.manager.KILL_WAIT = STOP_GRACE_SECONDS
    return honcho.command.main(["--procfile", str(LOCAL / "Procfile"), "--env", str(env_file),
                                "--app-root", str(PROJECT_ROOT), "start", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    raise SystemExit(main())
