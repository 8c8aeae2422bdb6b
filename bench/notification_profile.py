"""Where a notification email's CPU goes: the consumer and the dispatcher profiled in-process.

Usage (from the repo root): .venv/bin/python bench/notification_profile.py [--events 3000] [--top 25]

On fresh local infrastructure (as bench/notification_throughput.py), N verification events
are produced onto `identity.events`; then, in this process and on its main thread, under
cProfile with a per-thread CPU clock:
1. the worker's consumer (as `services.notification.worker.components` builds it) applies the
   backlog until every event is processed (a watcher thread stops it);
2. the worker's dispatcher sends every queued email to the SMTP sink.
Each phase prints its CPU per email and the functions with the most cumulative and own time.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import argparse  # noqa: E402
import secrets  # noqa: E402
import threading  # noqa: E402


from bench.harness import (  # noqa: E402
    describe_machine, local_infrastructure, platform_env, profile_cpu, run_benchmark, stop_on_sigterm)
from bench.notification_throughput import CONSUMED_TOPICS, produce_backlog  # noqa: E402
from services.notification.bootstrap import bootstrap  # noqa: E402
from services.notification.manage import migrate  # noqa: E402
from services.notification.worker import components  # noqa: E402
from shared.kafka import ensure_topics, new_producer  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--top", type=int, default=25, help="functions listed per phase and order")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    stop_on_sigterm()
    print(f"machine: {describe_machine()}")
    with local_infrastructure(smtp=True) as infra:
        env = platform_env(infra, topic_prefix=f"profile-{secrets.token_hex(3)}.", databases_for=("notification",))
        migrate(env)
        wiring = bootstrap(env)
        ensure_topics(wiring.kafka, CONSUMED_TOPICS)
        produce_backlog(wiring.kafka, args.events)
        producer = new_producer(wiring.kafka, client_id="notification-profile")
        try:
            parts = {component.name: component for component in components(wiring, producer)}
            consumer = next(c for name, c in parts.items() if name.startswith("consumer:"))
            dispatcher = parts["dispatcher"]
            profile_cpu("consume", args.events, "email", lambda: consume_all(consumer, wiring.engine, args.events),
                        top=args.top)
            profile_cpu("dispatch", args.events, "email", lambda: dispatch_all(dispatcher), top=args.top)
        finally:
            producer.close(timeout=10)
            wiring.engine.dispose()
    return 0


def consume_all(consumer, engine, count: int) -> None:
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.1):
            with engine.connect() as connection:
                if connection.exec_driver_sql("SELECT count(*) FROM processed_events").scalar() >= count:
                    stop.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    consumer.run(stop)
    watcher.join()


def dispatch_all(dispatcher) -> None:
    while dispatcher.send_due():
        pass


if __name__ == "__main__":
    run_benchmark(main)
