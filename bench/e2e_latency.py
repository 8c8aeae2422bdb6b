"""End-to-end latency of the first slice: from a registration's HTTP 201 to its confirmation email.

Usage (from the repo root): .venv/bin/python bench/e2e_latency.py [--rate 40] [--duration 60] [--repeat 3]

The path measured: POST /api/v1/registrations (registration web, 2 gunicorn workers)
commits the registration and its outbox row -> the registration worker's relay publishes
it to Kafka -> the notification worker consumes it and queues the confirmation email (the
first email a registrant gets: "Confirm your email to complete the registration...") ->
its dispatcher sends it over SMTP -> the SMTP sink stores it in a Maildir. All of it runs
here on loopback, in separate processes, against fresh Kafka, durable PostgreSQL and SMTP.

The load is open-loop: request i is sent at start + i/rate whatever the earlier ones are
doing, so a slow service shows up as latency instead of quietly lowering the load. An email's
arrival is the moment a watcher, polling the Maildir's new/ every 5 ms, first sees its file;
the delivery stamp in the file's Maildir name bounds that watcher's own lag, which is printed.
Before the measured runs a few registrations warm the pipeline (connections, consumer group).
With --repeat the runs share one started platform, one after the other.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import argparse  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from email.parser import BytesHeaderParser  # noqa: E402

import requests  # noqa: E402

from bench.harness import (  # noqa: E402
    Infrastructure, describe_machine, local_infrastructure, percentile, platform_env, postgres_durability, print_runs,
    run_benchmark, stop_on_sigterm)
from services.notification.manage import migrate as migrate_notification  # noqa: E402
from services.registration.manage import migrate as migrate_registration  # noqa: E402
from shared.localinfra.ports import wait_until  # noqa: E402
from shared.testing.fixtures import ServiceProcesses  # noqa: E402
from tests.support.editions import open_edition  # noqa: E402
from tests.support.registrations import registration_payload  # noqa: E402

WEB_WORKERS = 2
WEB_THREADS = 8
CLIENT_THREADS = 64  # far more than the service's workers x threads: the client never limits the rate
POLL_SECONDS = 0.005
WARMUP_REGISTRATIONS = 20
DRAIN_TIMEOUT_SECONDS = 120  # after the last request, how long the stragglers may take
EMAIL_DOMAIN = "bench.example.in"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=40.0, help="registrations per second (default 40)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of sending per run (default 60)")
    parser.add_argument("--repeat", type=int, default=1, help="runs; the median of each figure is printed")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    stop_on_sigterm()
    print(f"machine: {describe_machine()}")
    with local_infrastructure(smtp=True) as infra:
        print(f"PostgreSQL: {postgres_durability(infra.postgres)}")
        env = platform_env(infra, databases_for=("registration", "notification"))  # the two services run here
        migrate_registration(env)
        migrate_notification(env)
        open_edition(env)  # registrations are accepted only while an edition is open
        runs = measure(infra, env, args)
    print()
    print_runs(runs)
    return 0 if all(run["emails delivered"] == run["sent"] for run in runs) else 1


def measure(infra: Infrastructure, env: dict[str, str], args: argparse.Namespace) -> list[dict[str, float]]:
    """Start the slice's processes and the Maildir watcher, warm up, run; stop them all whatever happens."""
    processes = ServiceProcesses(env, log_dir=infra.root)
    watcher = MaildirWatcher(infra.smtp.maildir)
    watcher_thread = threading.Thread(target=watcher.run, name="maildir-watcher", daemon=True)
    try:
        processes.worker("registration")
        processes.worker("notification")
        url = processes.web("registration", workers=WEB_WORKERS, threads=WEB_THREADS)
        watcher_thread.start()
        print(f"slice up: registration web ({WEB_WORKERS} gunicorn workers x {WEB_THREADS} threads), "
              f"registration worker, notification worker; {args.rate:g}/s for {args.duration:g} s per run", flush=True)
        warm_up(url, watcher)
        return [report(run, one_run(url, watcher, run_emails(run, args), args.rate), watcher)
                for run in range(1, args.repeat + 1)]
    except Exception:
        print_log_tails(infra.root)
        raise
    finally:
        watcher.stop.set()
        processes.stop_all()


def run_emails(run: int, args: argparse.Namespace) -> list[str]:
    return [f"run{run}.{i}@{EMAIL_DOMAIN}" for i in range(round(args.rate * args.duration))]


@dataclass
class Sent:
    """One registration request: when it was due, when it left, when its answer came back (monotonic s)."""

    email: str
    due: float
    started: float = 0.0
    answered: float = 0.0
    status: int = 0


@dataclass(frozen=True)
class Arrival:
    seen: float  # monotonic, when the watcher first saw the file
    lag: float  # seconds between the SMTP sink's delivery stamp and that first sight


class MaildirWatcher:
    """Records when each message first appears in the Maildir's new/, keyed by envelope recipient.

    Like a mail reader, it moves what it has seen to cur/, so each poll lists only new
    arrivals and the poll stays cheap however many emails a run delivers.
    """

    # mailbox.Maildir names a file "<seconds>.M<microseconds>P<pid>Q<n>.<host>" from time.time() at delivery.
    _STAMP = re.compile(r"(\d+)\.M(\d+)P")

    def __init__(self, maildir: Path):
        self.maildir = maildir
        self.stop = threading.Event()
        self.arrivals: dict[str, list[Arrival]] = {}  # recipient (casefolded) -> every copy, first first

    def run(self) -> None:
        while not self.stop.wait(POLL_SECONDS):
            self.poll()

    def poll(self) -> None:
        names = os.listdir(self.maildir / "new")
        seen, seen_wall = time.monotonic(), time.time()
        for name in names:
            path = self.maildir / "new" / name
            with open(path, "rb") as file:
                recipient = str(BytesHeaderParser().parse(file)["X-Delivered-To"]).casefold()
            os.rename(path, self.maildir / "cur" / f"{name}:2,S")
            self.arrivals.setdefault(recipient, []).append(Arrival(seen, seen_wall - self._delivery_stamp(name)))

    def _delivery_stamp(self, name: str) -> float:
        seconds, microseconds = self._STAMP.match(name).groups()
        return int(seconds) + int(microseconds) / 1e6

    def delivered(self, emails: list[str]) -> int:
        return sum(email.casefold() in self.arrivals for email in emails)


def warm_up(url: str, watcher: MaildirWatcher) -> None:
    """A few unmeasured registrations through the whole path; stop here if the service refuses them."""
    sent = one_run(url, watcher, [f"warmup{i}@{EMAIL_DOMAIN}" for i in range(WARMUP_REGISTRATIONS)], rate=10)
    if not any(s.status == 201 for s in sent):
        raise RuntimeError(f"the warm-up registrations were all refused ({status_summary(sent)})")


def one_run(url: str, watcher: MaildirWatcher, emails: list[str], rate: float) -> list[Sent]:
    """Send one registration per email at `rate`, then wait (bounded) for the emails of those created."""
    sent = send_paced(url, emails, rate)
    created = [s.email for s in sent if s.status == 201]
    try:
        wait_until(lambda: watcher.delivered(created) == len(created), timeout=DRAIN_TIMEOUT_SECONDS,
                   interval=0.1, message=lambda: f"{watcher.delivered(created)} of {len(created)} emails arrived")
    except TimeoutError as error:
        print(f"warning: {error}", flush=True)
    return sent


def send_paced(url: str, emails: list[str], rate: float) -> list[Sent]:
    """Open-loop: request i is handed to the pool at start + i/rate, never waiting for earlier answers."""
    sessions = threading.local()
    start = time.monotonic() + 0.1
    sent = [Sent(email, due=start + i / rate) for i, email in enumerate(emails)]

    def post(request: Sent) -> None:
        if not hasattr(sessions, "session"):
            sessions.session = requests.Session()
        request.started = time.monotonic()
        try:
            response = sessions.session.post(f"{url}/api/v1/registrations", timeout=30,
                                             json=registration_payload(request.email))
            request.status = response.status_code
        except requests.RequestException:
            request.status = -1
        request.answered = time.monotonic()

    # Requests are submitted only when due, so on exit (Ctrl-C included) the pool has few left to finish.
    with ThreadPoolExecutor(max_workers=CLIENT_THREADS, thread_name_prefix="client") as pool:
        for request in sent:
            time.sleep(max(0.0, request.due - time.monotonic()))
            pool.submit(post, request)
    return sent


def report(run: int, sent: list[Sent], watcher: MaildirWatcher) -> dict[str, float]:
    """The run's figures in milliseconds; 201 -> email only for registrations that got both."""
    created = [s for s in sent if s.status == 201]
    arrivals = {s.email: watcher.arrivals.get(s.email.casefold(), []) for s in created}
    e2e = [(arrivals[s.email][0].seen - s.answered) * 1000 for s in created if arrivals[s.email]]
    http = [(s.answered - s.started) * 1000 for s in created]
    window = max(s.answered for s in created) - sent[0].started if created else float("nan")
    lags = [copies[0].lag * 1000 for copies in arrivals.values() if copies]
    figures = {
        "sent": len(sent), "201 responses": len(created), "emails delivered": len(e2e),
        "duplicate emails": sum(max(0, len(a) - 1) for a in arrivals.values()),
        "achieved rate /s": len(created) / window,
        "send lag p99 ms": percentile([(s.started - s.due) * 1000 for s in sent], 99),
        "HTTP p50 ms": percentile(http, 50), "HTTP p95 ms": percentile(http, 95), "HTTP p99 ms": percentile(http, 99),
        "e2e p50 ms": percentile(e2e, 50), "e2e p95 ms": percentile(e2e, 95), "e2e p99 ms": percentile(e2e, 99),
        "e2e max ms": max(e2e, default=float("nan")),
        "watch lag p50 ms": percentile(lags, 50), "watch lag p99 ms": percentile(lags, 99),
        "load avg 1 min": os.getloadavg()[0],  # noise: other work on the machine shows up here
    }
    print(f"run {run}: {len(created)}/{len(sent)} created ({status_summary(sent)}), {len(e2e)} emails; 201->email p50 "
          f"{figures['e2e p50 ms']:.0f} ms, p99 {figures['e2e p99 ms']:.0f} ms, max {figures['e2e max ms']:.0f} ms",
          flush=True)
    return figures


def status_summary(sent: list[Sent]) -> str:
    """E.g. "201: 2398, 503: 2"; -1 is no answer at all."""
    return ", ".join(f"{status}: {n}" for status, n in sorted(Counter(s.status for s in sent).items()))


def print_log_tails(folder: Path, lines: int = 15) -> None:
    """On failure, the end of each service's log, before the temp dir (and the logs) are deleted."""
    for log in sorted(folder.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        print(f"--- {log.name} ---", *tail, sep="\n", file=sys.stderr)


if __name__ == "__main__":
    run_benchmark(main)
