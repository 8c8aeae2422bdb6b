"""`./dpd up`: the whole platform on this machine under honcho (deploy/local/Procfile).

Kafka's jars are fetched before honcho starts, so the first run's download is not raced
by the other processes. Ctrl-C stops everything; data stays in .run/ for the next run.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from honcho.environ import parse as parse_env_file

from shared.localinfra.kafka import ensure_kafka_libs

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOCAL = PROJECT_ROOT / "deploy" / "local"
SETUP_DONE = "setup.done"


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
    honcho = [str(bin_dir / "honcho"), "--procfile", str(LOCAL / "Procfile"), "--env", str(env_file),
              "--app-root", str(PROJECT_ROOT), "start", *(argv if argv is not None else sys.argv[1:])]
    os.execv(honcho[0], honcho)


if __name__ == "__main__":
    raise SystemExit(main())
