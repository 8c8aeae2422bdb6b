"""Registration surge: how many registrations per second the real endpoint sustains, at what latency,
against the ceiling of a bare Flask + SQLAlchemy route storing the same rows.

Usage (from the repo root): .venv/bin/python bench/registration_surge.py [--duration 60] [--repeat 3]
    [--threads 8] [--concurrency 16] [--rate 300[,150...]] [--delegates 1]
    [--without-workers | --registration-worker-only] [--nice-workers N]

Two targets run side by side on the same fresh Kafka, durable PostgreSQL and SMTP sink, both
served by gunicorn with the same settings (2 workers, gthread, --threads threads each):

- real: registration's web process, POST /api/v1/registrations, with the registration worker
  (outbox relay, badge consumer) and the notification worker (consumer, dispatcher, relay)
  running, so every registration's confirmation email is really sent meanwhile
  (--registration-worker-only: registration's worker and relay only, every event published
  to Kafka but no email sent, notification being another service on other machines in
  production); the endpoint writes its rows in one statement (shared.outbox.insert_with_events);
- bare: `bench/bare_registration.py`, a route that inserts the same rows (registration,
  delegates, email verification, outbox) into its own database, migrated by registration's
  migrations on the same PostgreSQL server, with nothing else: no validation, no access
  rules, no rate limit, no correlation id, no event contract, no encryption, no NOTIFY;
  one plain INSERT per table, as the issue describes it.
  No relay runs for it (so, like the issue's ceiling, it runs with nothing else busy).

Each run measures, for bare then real:
1. capacity: closed loop, --concurrency keep-alive connections each sending its next
   registration as soon as the previous answer is in, for --duration seconds: the
   registrations/s sustained (201s per second), latency at that saturation, errors;
2. the target rate: open loop at each --rate per second for --duration seconds (request i due
   at start + i/rate, latency counted from when it was due): achieved rate, latency, errors.
The ratio printed is real's capacity over bare's.
After each real phase the benchmark waits (bounded) until the relay has published every
event and notification has sent every email, so the next phase starts on an idle pipeline;
`drain s` says how long that took. The figures include how much CPU each process took
during each phase, and how much the rest of the machine took (other people's work).

Payloads: the tests' `registration_payload` (one delegate), with a unique email, a varied
organisation name and GSTIN per request. Every request comes from 127.0.0.1, so the
per-address limit on public writes (PUBLIC_WRITE_RATE_LIMIT) is raised out of reach; the
limiter stays in the request path. The client (`bench/http_load.py`) is calibrated first
against a trivial server, to show it is not what limits the figures.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable  # noqa: E402
from contextlib import ExitStack  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench.harness import (  # noqa: E402
    describe_machine, local_infrastructure, percentile, platform_env, postgres_durability, print_runs,
    run_benchmark, stop_on_sigterm)
from bench.http_load import LoadResult, closed_loop, open_loop  # noqa: E402
from services.notification.manage import migrate as migrate_notification  # noqa: E402
from services.registration.manage import migrate as migrate_registration  # noqa: E402
from shared.db import upgrade_to_head  # noqa: E402
from shared.localinfra.ports import free_port, wait_until  # noqa: E402
from shared.localinfra.process import ServerProcess  # noqa: E402
from shared.testing.fixtures import PROJECT_ROOT, ServiceProcesses  # noqa: E402
from tests.support.editions import EDITION, open_edition  # noqa: E402
from tests.support.registrations import gstin, registration_payload  # noqa: E402

WEB_WORKERS = 2  # one per core, the services' default
EMAIL_DOMAIN = "surge.example.in"
RATE_LIMIT = "10000000/minute"  # every request comes from one address: out of reach, still in the path
WARMUP = 200  # unmeasured registrations per target before the first run (connections, caches)
DRAIN_TIMEOUT_SECONDS = 900
REQUEST_TIMEOUT_SECONDS = 30
OPEN_LOOP_MAX_CONNECTIONS = 256
CALIBRATION_SECONDS = 5
REGISTRATION_MIGRATIONS = PROJECT_ROOT / "services" / "registration" / "migrations"
_WORDS = ("Tejas", "Garuda", "Vajra", "Agni", "Prithvi", "Nirbhay", "Astra", "Akash", "Dhruv", "Arjun", "Rudra",
          "Trishul", "Nag", "Pinaka", "Shaurya", "Varuna", "Indra", "Surya", "Kavach", "Netra")
_KINDS = ("Avionics", "Defence Systems", "Aerostructures", "Electronics", "Precision Engineering", "Robotics",
          "Composites", "Optronics", "Marine Systems", "Technologies")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per measured phase (default 60)")
    parser.add_argument("--repeat", type=int, default=1, help="runs; the median of each figure is printed")
    parser.add_argument("--threads", type=int, default=8,
                        help="gunicorn threads per worker for both targets (REGISTRATION_WEB_THREADS; default 8)")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="closed-loop connections (default 16: 2 workers x 8 threads)")
    parser.add_argument("--rate", type=_rates, default=[300.0],
                        help="open-loop registrations/s, comma-separated for several phases (default 300, the "
                             "issue's target; 0 skips the open-loop phases)")
    parser.add_argument("--delegates", type=int, default=1, help="delegates per registration (default 1)")
    parser.add_argument("--without-workers", action="store_true",
                        help="diagnosis: run the real target without its workers (no relay, no emails)")
    parser.add_argument("--registration-worker-only", action="store_true",
                        help="registration's worker and relay only (every event published to Kafka); notification, "
                             "another service on other machines in production, is not run, so no email is sent")
    parser.add_argument("--nice-workers", type=int, default=0, metavar="N",
                        help="experiment: run the two workers at nice N (every thread), so the web process comes first")
    return parser.parse_args()


def _rates(raw: str) -> list[float]:
    return [rate for rate in (float(part) for part in raw.split(",")) if rate > 0]


def main() -> int:
    args = parse_args()
    stop_on_sigterm()
    print(f"machine: {describe_machine()}")
    with local_infrastructure(smtp=True) as infra, ExitStack() as stack:
        print(f"PostgreSQL: {postgres_durability(infra.postgres)}")
        env = {**platform_env(infra, databases_for=("registration", "notification")),
               "PUBLIC_WRITE_RATE_LIMIT": RATE_LIMIT}
        migrate_registration(env)
        migrate_notification(env)
        open_edition(env)
        bare_url = infra.postgres.ensure_database("bare", owner="bare", password=secrets.token_hex(8))
        upgrade_to_head(bare_url, REGISTRATION_MIGRATIONS)  # registration's own schema
        open_edition({**env, "REGISTRATION_DATABASE_URL": bare_url})

        meter = CpuMeter()
        client = calibrate_client(infra.root, stack, args)
        processes = ServiceProcesses(env, log_dir=infra.root)
        stack.callback(processes.stop_all)
        if not args.without_workers:
            processes.worker("registration")
            if not args.registration_worker_only:
                processes.worker("notification")
        real_url = processes.web("registration", workers=WEB_WORKERS, threads=args.threads)
        if args.nice_workers and not args.without_workers:
            reniced = renice_descendants(("services.registration.worker", "services.notification.worker"),
                                         args.nice_workers)
            print(f"workers at nice {args.nice_workers} ({reniced} threads)", flush=True)
        bare_base = start_bare(infra.root, stack, bare_url, threads=args.threads)
        targets = [Target("bare", f"{bare_base}/registrations", pipeline=None,
                          logs=[infra.root / "bare-web.log"]),
                   Target("real", f"{real_url}/api/v1/registrations",
                          pipeline=None if args.without_workers else Pipeline(
                              env, emails=not args.registration_worker_only),
                          logs=sorted(infra.root.glob("registration-web-*.log")))]
        workers = ("NO workers" if args.without_workers else "registration worker only (no emails)"
                   if args.registration_worker_only else "registration worker and notification worker")
        print(f"up: registration web and bare route, each gunicorn {WEB_WORKERS} workers x {args.threads} threads "
              f"(gthread); {workers}; closed loop {args.concurrency} connections, open loop "
              f"{', '.join(f'{r:g}/s' for r in args.rate) or 'none'}; {args.duration:g} s per phase", flush=True)
        try:
            for target in targets:
                target.warm_up(args.delegates)
            runs = [one_run(run, targets, args, meter) for run in range(1, args.repeat + 1)]
        except Exception:
            print_log_tails(infra.root)
            raise
    print()
    print(f"client against the trivial server: {client}")
    print_runs(runs)
    return 0


@dataclass
class Target:
    name: str
    url: str
    pipeline: Pipeline | None  # the real target's relay and notification, waited for after each phase
    logs: list[Path] = field(default_factory=list)  # its web process's log, shown when it answers 5xx
    sent: int = 0  # registrations sent so far, to make each payload unique

    def body(self, delegates: int) -> Callable[[int], bytes]:
        """Each call: the next unique registration (email, organisation name, GSTIN)."""
        template = json.dumps(registration_payload(f"{self.name}.XNUMX@{EMAIL_DOMAIN}", name="XNAME",
                                                   delegates=delegates)).encode()
        template = template.replace(gstin().encode(), b"XGSTIN")
        first = self.sent

        def make(i: int) -> bytes:
            n = first + i
            self.sent = max(self.sent, n + 1)
            return (template.replace(b"XNUMX", str(n).encode()).replace(b"XNAME", _NAMES[n % len(_NAMES)])
                    .replace(b"XGSTIN", _GSTINS[n % len(_GSTINS)]))
        return make

    def warm_up(self, delegates: int) -> None:
        result = open_loop(self.url, self.body(delegates), rate=50, count=WARMUP, timeout=REQUEST_TIMEOUT_SECONDS)
        created = sum(o.status == 201 for o in result.outcomes)
        if not created:
            raise RuntimeError(f"{self.name}: every warm-up registration was refused ({statuses(result)})")
        if self.pipeline:
            self.pipeline.expect(created)
            self.pipeline.wait_idle()


def _names() -> list[bytes]:
    return [f"{a} {b} {kind} Private Limited".encode() for a in _WORDS for b in _WORDS if a != b for kind in _KINDS]


def _gstins() -> list[bytes]:
    return [gstin(pan=f"AABC{letter}{n:04d}F").encode() for letter in "TUVW" for n in range(0, 10000, 37)]


_NAMES, _GSTINS = _names(), _gstins()


class Pipeline:
    """The real target's downstream: registration's outbox and (when `emails`) notification's emails."""

    def __init__(self, env: dict[str, str], *, emails: bool = True):
        self._registration = sa.create_engine(env["REGISTRATION_DATABASE_URL"], poolclass=sa.pool.NullPool)
        self._notification = sa.create_engine(env["NOTIFICATION_DATABASE_URL"], poolclass=sa.pool.NullPool)
        self._emails = emails
        self.expected_emails = 0

    def expect(self, created: int) -> None:
        self.expected_emails += created  # each new registration gets one confirmation email

    def idle(self) -> bool:
        with self._registration.connect() as db:
            unpublished = db.execute(sa.text("SELECT count(*) FROM outbox_events WHERE published_at IS NULL")).scalar()
        if unpublished or not self._emails:
            return not unpublished
        with self._notification.connect() as db:
            emails, pending = db.execute(sa.text(
                "SELECT count(*), count(*) FILTER (WHERE status = 'pending') FROM outbound_emails")).one()
        return emails >= self.expected_emails and pending == 0

    def wait_idle(self) -> float:
        """Seconds until every event is published and every email sent (NaN if it never happens in time)."""
        started = time.monotonic()
        try:
            wait_until(self.idle, timeout=DRAIN_TIMEOUT_SECONDS, interval=0.5)
        except TimeoutError:
            print(f"  the pipeline did not drain within {DRAIN_TIMEOUT_SECONDS} s", flush=True)
            return float("nan")
        return time.monotonic() - started


def one_run(run: int, targets: list[Target], args: argparse.Namespace, meter: CpuMeter) -> dict[str, float]:
    figures: dict[str, float] = {}
    for target in targets:
        phases = [(f"{target.name} closed", lambda body: closed_loop(
            target.url, body, concurrency=args.concurrency, duration=args.duration, timeout=REQUEST_TIMEOUT_SECONDS))]
        for rate in args.rate:
            phases.append((f"{target.name} {rate:g}/s", lambda body, rate=rate: open_loop(
                target.url, body, rate=rate, count=round(rate * args.duration),
                max_connections=OPEN_LOOP_MAX_CONNECTIONS, timeout=REQUEST_TIMEOUT_SECONDS)))
        for phase, load in phases:
            body = target.body(args.delegates)
            meter.start()
            result = load(body)
            figures |= phase_figures(phase, result, meter, target)
    figures["real/bare capacity %"] = 100 * figures["real closed: reg/s"] / figures["bare closed: reg/s"]
    print(f"run {run}: capacity real {figures['real closed: reg/s']:.0f}/s, "
          f"bare {figures['bare closed: reg/s']:.0f}/s, ratio {figures['real/bare capacity %'] / 100:.2f}", flush=True)
    return figures


# Roles whose CPU time is the platform's work downstream of the web process (the real target's only).
_DOWNSTREAM = ("registration worker", "notification worker", "kafka", "smtp")


def phase_figures(phase: str, result: LoadResult, meter: CpuMeter, target: Target) -> dict[str, float]:
    """The phase's figures. CPU shares are over the phase; CPU per registration also counts the
    drain after it, the work the workers still had to do for the phase's registrations."""
    cpu_elapsed, cpu_seconds = meter.read()
    created = [o for o in result.outcomes if o.status == 201]
    latencies = [(o.done - o.due) * 1000 for o in created]
    elapsed = result.finished - result.started
    drain = float("nan")
    total_seconds = cpu_seconds
    if target.pipeline:
        target.pipeline.expect(len(created))
        drain = target.pipeline.wait_idle()
        total_seconds = meter.read()[1]
    per_registration = {role: 1000 * seconds / max(1, len(created)) for role, seconds in total_seconds.items()}
    web = next((role for role in cpu_seconds if role.endswith(" web")), None)
    figures = {
        f"{phase}: reg/s": len(created) / elapsed,
        f"{phase}: p50 ms": percentile(latencies, 50),
        f"{phase}: p95 ms": percentile(latencies, 95),
        f"{phase}: p99 ms": percentile(latencies, 99),
        f"{phase}: max ms": max(latencies, default=float("nan")),
        f"{phase}: errors": len(result.outcomes) - len(created),
        f"{phase}: web CPU ms/reg": per_registration.get(web, float("nan")),
        f"{phase}: postgres CPU ms/reg": per_registration.get("postgres", float("nan")),
        f"{phase}: workers+kafka CPU ms/reg": sum(per_registration.get(role, 0.0) for role in _DOWNSTREAM),
        f"{phase}: client CPU %": 100 * cpu_seconds.get("client (this process)", 0.0) / cpu_elapsed,
        f"{phase}: others CPU %": 100 * cpu_seconds["others"] / cpu_elapsed,
    }
    if target.pipeline:
        figures[f"{phase}: drain s"] = drain
    if any(o.status >= 500 for o in result.outcomes):
        print_errors(target.logs)
    print(f"  {phase}: {figures[f'{phase}: reg/s']:.0f} reg/s over {elapsed:.1f} s ({statuses(result)}); "
          f"p50 {figures[f'{phase}: p50 ms']:.1f} / p95 {figures[f'{phase}: p95 ms']:.1f} / "
          f"p99 {figures[f'{phase}: p99 ms']:.1f} ms; {result.connections_opened} connections, "
          f"{result.reconnects} reopened; CPU, % of a core (ms per registration): "
          + ", ".join(f"{role} {100 * seconds / cpu_elapsed:.0f} ({per_registration.get(role, 0):.2f})"
                      for role, seconds in cpu_seconds.items())
          + f"; load avg 1 min {os.getloadavg()[0]:.2f}"
          + (f"; drained in {drain:.1f} s" if target.pipeline else ""), flush=True)
    return figures


def statuses(result: LoadResult) -> str:
    """E.g. "201: 2398, 503: 2"; -1 is no answer at all."""
    return ", ".join(f"{status}: {n}" for status, n in sorted(Counter(o.status for o in result.outcomes).items()))


def start_bare(root: Path, stack: ExitStack, database_url: str, *, threads: int) -> str:
    """The bare route under gunicorn with the services' settings; its base URL once it answers."""
    port = free_port()
    process = ServerProcess("bare-web", root / "bare-web.log")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "PYTHONUNBUFFERED": "1", "BARE_DATABASE_URL": database_url,
           "BARE_EDITION": EDITION, "BARE_BIND": f"127.0.0.1:{port}", "BARE_WEB_WORKERS": str(WEB_WORKERS),
           "BARE_WEB_THREADS": str(threads)}
    with open(process.log_file, "ab") as log:
        process.spawn([sys.executable, "-m", "gunicorn", "-c", "bench/bare_gunicorn.conf.py"], env=env,
                      cwd=PROJECT_ROOT, stdout=log, stderr=log)
    stack.callback(process.stop, timeout=20)
    base = f"http://127.0.0.1:{port}"
    process.wait_ready(lambda: _answers(f"{base}/healthz"), timeout=60)
    return base


def calibrate_client(root: Path, stack: ExitStack, args: argparse.Namespace) -> str:
    """The client's own capacity: the same payloads against a server that does nothing, then stopped."""
    port = free_port()
    process = ServerProcess("trivial-server", root / "trivial-server.log")
    with open(process.log_file, "ab") as log:
        process.spawn([sys.executable, "bench/http_load.py", "serve", "--port", str(port)], cwd=PROJECT_ROOT,
                      stdout=log, stderr=log)
    try:
        process.wait_ready(lambda: _connects(port), timeout=30)
        target = Target("trivial", f"http://127.0.0.1:{port}/registrations", pipeline=None)
        closed = closed_loop(target.url, target.body(args.delegates), concurrency=args.concurrency,
                             duration=CALIBRATION_SECONDS)
        rate = 2000.0
        paced = open_loop(target.url, target.body(args.delegates), rate=rate, count=round(rate * CALIBRATION_SECONDS),
                          max_connections=OPEN_LOOP_MAX_CONNECTIONS)
    finally:
        process.stop(timeout=10)
    closed_rate = len(closed.outcomes) / (closed.finished - closed.started)
    late = [(o.sent - o.due) * 1000 for o in paced.outcomes]
    latency = [(o.done - o.due) * 1000 for o in paced.outcomes]
    summary = (f"closed loop ({args.concurrency} connections) {closed_rate:.0f} req/s, "
               f"{1e6 * closed.client_cpu_seconds / len(closed.outcomes):.0f} us client CPU per request; "
               f"open loop at {rate:g}/s: {len(paced.outcomes) / (paced.finished - paced.started):.0f} req/s, "
               f"p99 latency {percentile(latency, 99):.1f} ms, p99 send lag {percentile(late, 99):.1f} ms, "
               f"{1e6 * paced.client_cpu_seconds / len(paced.outcomes):.0f} us client CPU per request")
    print(f"client against a trivial server: {summary}", flush=True)
    return summary


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _connects(port: int) -> bool:
    import socket
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


class CpuMeter:
    """CPU time of this benchmark's processes (by role) and of the whole machine, over one phase.

    Reads /proc: the processes are this one and its descendants (so nothing another
    engineer runs is counted as ours), told apart by their command line; `others` is
    the machine's busy time minus ours. Figures are % of one core over the phase.
    """

    _ROLES = (("registration/gunicorn.conf.py", "real web"), ("bare_gunicorn.conf.py", "bare web"),
              ("services.registration.worker", "registration worker"),
              ("services.notification.worker", "notification worker"), ("postgres", "postgres"),
              ("java", "kafka"), ("shared.localinfra.smtp", "smtp"), ("http_load.py", "trivial server"))

    def __init__(self):
        self._started: tuple[float, dict[str, float], float] | None = None

    def start(self) -> None:
        self._started = (time.monotonic(), self._by_role(), self._machine_busy())

    def read(self) -> tuple[float, dict[str, float]]:
        """(seconds elapsed, CPU seconds by role, `others` included) since `start`."""
        began, roles_before, busy_before = self._started
        elapsed = time.monotonic() - began
        roles_after, busy_after = self._by_role(), self._machine_busy()
        used = {role: roles_after.get(role, 0.0) - roles_before.get(role, 0.0) for role in roles_after}
        used = {role: seconds for role, seconds in used.items() if seconds > 0.005 * elapsed}
        used["others"] = max(0.0, (busy_after - busy_before) - sum(used.values()))
        return elapsed, used

    def _by_role(self) -> dict[str, float]:
        me = os.getpid()
        roles: dict[str, float] = {}
        for pid, (command, seconds) in _our_processes(include_self=True).items():
            role = "client (this process)" if pid == me else next(
                (name for needle, name in self._ROLES if needle in command), "other of ours")
            roles[role] = roles.get(role, 0.0) + seconds
        return roles

    def _machine_busy(self) -> float:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return (sum(values[:8]) - idle) / _TICKS


def renice_descendants(command_fragments: tuple[str, ...], niceness: int) -> int:
    """Set every thread of this process's descendants whose command line contains one of
    `command_fragments` to `niceness` (Linux nice is per thread); how many threads."""
    count = 0
    for pid, command in descendants().items():
        if any(fragment in command for fragment in command_fragments):
            for task in Path(f"/proc/{pid}/task").iterdir():
                try:
                    os.setpriority(os.PRIO_PROCESS, int(task.name), niceness)
                    count += 1
                except (ProcessLookupError, FileNotFoundError):
                    pass
    return count


def descendants() -> dict[int, str]:
    """pid -> command line of every process that descends from this one."""
    return {pid: command for pid, (command, _seconds) in _our_processes(include_self=False).items()}


_TICKS = os.sysconf("SC_CLK_TCK")


def _our_processes(*, include_self: bool) -> dict[int, tuple[str, float]]:
    """pid -> (command line, CPU seconds so far) of this process's descendants (and itself), from /proc."""
    table: dict[int, tuple[int, str, float]] = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rpartition(")")[2].split()
            command = (stat_file.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            table[int(stat_file.parent.name)] = (int(fields[1]), command, (int(fields[11]) + int(fields[12])) / _TICKS)
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile
    me = os.getpid()
    parents = {pid: entry[0] for pid, entry in table.items()}
    return {pid: (command, seconds) for pid, (_ppid, command, seconds) in table.items()
            if (include_self and pid == me) or _descends(pid, me, parents)}


def _descends(pid: int, ancestor: int, parents: dict[int, int]) -> bool:
    for _ in range(64):
        pid = parents.get(pid, 0)
        if pid == ancestor:
            return True
        if pid <= 1:
            return False
    return False


def print_errors(logs: list[Path], lines: int = 30) -> None:
    """The server's account of 5xx answers: its error lines and tracebacks, before the logs are deleted."""
    for log in logs:
        text = log.read_text(errors="replace").splitlines()
        wanted = [line for line in text if '"ERROR"' in line or '"WARNING"' in line or "Traceback" in line
                  or "[ERROR]" in line or "[CRITICAL]" in line or "Error" in line]
        print(f"  --- errors in {log.name} (last {lines}) ---", *wanted[-lines:], sep="\n  ", flush=True)


def print_log_tails(folder: Path, lines: int = 15) -> None:
    """On failure, the end of each process's log, before the temp dir (and the logs) are deleted."""
    for log in sorted(folder.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        print(f"--- {log.name} ---", *tail, sep="\n", file=sys.stderr)


if __name__ == "__main__":
    run_benchmark(main)
