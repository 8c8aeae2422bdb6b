"""What every benchmark needs: its own real infrastructure, run descriptions and figure tables.

Each benchmark starts a fresh Kafka broker and PostgreSQL server (and SMTP sink) in a
temporary folder, so figures never depend on state left by a developer's `dpd up` or an
earlier run, and everything is stopped and deleted on exit, Ctrl-C and SIGTERM included.
PostgreSQL keeps its durable defaults (fsync, synchronous_commit, full_page_writes on),
unlike the test fixtures' fsync=off: a commit here costs what it costs in production.
"""
from __future__ import annotations

import cProfile
import math
import os
import platform
import pstats
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from shared.config import SERVICE_NAMES
from shared.localinfra.kafka import KafkaBroker, kafka_version
from shared.localinfra.postgres import PostgresServer
from shared.localinfra.smtp import SmtpSink
from shared.testing.environment import new_signing_keys, platform_environment

_DURABILITY_SETTINGS = ("fsync", "synchronous_commit", "full_page_writes", "wal_sync_method")


@dataclass(frozen=True)
class Infrastructure:
    root: Path
    kafka: KafkaBroker
    postgres: PostgresServer
    smtp: SmtpSink | None


def run_benchmark(main: Callable[[], int]) -> None:
    """A benchmark script's entry point: its exit status; 130 on Ctrl-C, once all it started is stopped."""
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: everything the benchmark started has been stopped", file=sys.stderr)
        sys.exit(130)


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


def platform_env(infra: Infrastructure, *, topic_prefix: str = "", databases: Callable[[str], str] | None = None,
                 databases_for: Collection[str] = SERVICE_NAMES) -> dict[str, str]:
    """The services' environment as the test fixtures build it (`shared.testing.environment`), on `infra`.

    Databases: one per service in `databases_for`, named after it on `infra.postgres`,
    unless `databases` (service -> URL) makes them. One signing key pair per infrastructure.
    Like the fixtures, it raises the per-address limit on public writes out of reach, as
    every request of a benchmark comes from one address; the limiter stays in the request path.
    """
    keys = infra.root / "keys"
    if not keys.exists():
        keys.mkdir()
        new_signing_keys(keys)
    return platform_environment(
        kafka_bootstrap_servers=infra.kafka.bootstrap_servers, topic_prefix=topic_prefix,
        databases=databases or infra.postgres, databases_for=databases_for,
        smtp_host=infra.smtp.host if infra.smtp else None, smtp_port=infra.smtp.port if infra.smtp else None,
        signing_keys=(keys / "signing.pem", keys / "signing.pub.pem"))


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


def profile_cpu(title: str, count: int, unit: str, work: Callable[[], None], *, top: int,
                save: str | None = None) -> None:
    """Run `work` on this thread under cProfile with a per-thread CPU clock; print its CPU per
    `unit` (of `count`) and the functions with the most cumulative and own time."""
    profiler = cProfile.Profile(time.thread_time)
    started = time.thread_time()
    profiler.runcall(work)
    cpu = time.thread_time() - started
    print(f"\n=== {title}: {1000 * cpu / count:.3f} ms CPU per {unit} (this thread; {count} {unit}s) ===")
    if save:
        profiler.dump_stats(save)
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
