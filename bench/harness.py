"""What every benchmark needs: its own real infrastructure, run descriptions and figure tables.

Each benchmark starts a fresh Kafka broker and PostgreSQL server (and SMTP sink) in a
temporary folder, so figures never depend on state left by a developer's `dpd up` or an
earlier run, and everything is stopped and deleted on exit, Ctrl-C and SIGTERM included.
PostgreSQL keeps its durable defaults (fsync, synchronous_commit, full_page_writes on),
unlike the test fixtures' fsync=off: a commit here costs what it costs in production.
"""
from __future__ import annotations

import base64
import math
import os
import platform
import secrets
import signal
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from shared.auth import write_new_key_pair
from shared.localinfra.kafka import KafkaBroker, kafka_version
from shared.localinfra.postgres import PostgresServer
from shared.localinfra.smtp import SmtpSink

_DURABILITY_SETTINGS = ("fsync", "synchronous_commit", "full_page_writes", "wal_sync_method")


@dataclass(frozen=True)
class Infrastructure:
    root: Path
    kafka: KafkaBroker
    postgres: PostgresServer
    smtp: SmtpSink | None


def stop_on_sigterm() -> None:
    """Turn SIGTERM into KeyboardInterrupt, so a `kill` unwinds the same cleanup as Ctrl-C."""
    def interrupt(_signum, _frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupt)


@contextmanager
def local_infrastructure(*, smtp: bool) -> Iterator[Infrastructure]:
    """Kafka and durable PostgreSQL (and an SMTP sink if `smtp`) on loopback, in a temp dir removed on exit."""
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dpd-bench-")))
        print(f"starting Kafka {kafka_version()} and PostgreSQL in {root} ...", flush=True)
        kafka = stack.enter_context(KafkaBroker(root / "kafka"))
        postgres = stack.enter_context(PostgresServer(root / "postgres"))
        sink = stack.enter_context(SmtpSink(root / "mail")) if smtp else None
        yield Infrastructure(root=root, kafka=kafka, postgres=postgres, smtp=sink)
        print("stopping the infrastructure ...", flush=True)


def service_secrets(folder: Path) -> dict[str, str]:
    """Fresh secrets the services refuse to start (or even migrate) without, made as the test fixtures make them.

    A copy of part of `shared.testing.fixtures.platform_env`, which is a fixture and cannot be called
    from here: when a service gains a required secret, add it here too.
    """
    private_key, public_key = folder / "signing.pem", folder / "signing.pub.pem"
    write_new_key_pair(private_key, public_key)
    return {"AUTH_SIGNING_KEY_FILE": str(private_key), "AUTH_PUBLIC_KEY_FILES": str(public_key),
            "PERSONAL_DATA_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "WEB_SECRET_KEY": secrets.token_hex(16)}


def postgres_durability(postgres: PostgresServer) -> str:
    """The server's own answer to SHOW, so the output states the durability it really had."""
    engine = sa.create_engine(postgres.admin_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        values = [f"{name}={connection.exec_driver_sql(f'SHOW {name}').scalar()}" for name in _DURABILITY_SETTINGS]
    engine.dispose()
    return ", ".join(values)


def describe_machine() -> str:
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"{os.cpu_count()} cores, load average {load} at start, Python {platform.python_version()}"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (a value that was really observed); NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def print_runs(runs: list[dict[str, float]]) -> None:
    """One row per figure, one column per run, and the median of the runs when there are several."""
    names = list(runs[0])
    headers = [f"run {i}" for i in range(1, len(runs) + 1)] + (["median"] if len(runs) > 1 else [])
    width = max(len(name) for name in names)
    print(f"{'':<{width}}  " + "  ".join(f"{h:>10}" for h in headers))
    for name in names:
        values = [run[name] for run in runs]
        if len(runs) > 1:
            values.append(statistics.median(values))
        print(f"{name:<{width}}  " + "  ".join(f"{_format(v):>10}" for v in values))


def _format(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"
