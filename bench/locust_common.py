"""What every locust scenario of the platform does besides its requests: it loads loopback only,
stops once its bounded count of requests is answered (or at --run-time), and writes its figures
as JSON to DPD_LOAD_REPORT when it ends (requests, failures, throughput, p50/p95/p99/max in ms,
and whatever the scenario adds).

A scenario calls `bounded_loopback_run(count, extra_figures)` once, at import.
"""
from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import gevent
from locust import events

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def bounded_loopback_run(requests_in_all: int, extra_figures: Callable[[], dict] = dict) -> None:
    answered = itertools.count(1)

    @events.test_start.add_listener
    def refuse_other_hosts(environment, **_):
        host = urlparse(environment.host or "").hostname
        if host not in LOOPBACK:
            raise SystemExit(f"refusing to load {environment.host!r}: this scenario targets loopback only")

    @events.init.add_listener
    def stop_when_all_answered(environment, **_):
        def count(**_):
            if next(answered) == requests_in_all:
                gevent.spawn(environment.runner.quit)
        environment.events.request.add_listener(count)

    @events.quitting.add_listener
    def write_report(environment, **_):
        report = os.environ.get("DPD_LOAD_REPORT")
        if report:
            Path(report).write_text(json.dumps(figures(environment.stats.total) | extra_figures()))


def figures(total) -> dict:
    """Locust's totals as the platform's reports give them."""
    elapsed = max(total.last_request_timestamp - total.start_time, 1e-3) if total.num_requests else 0
    return {"requests": total.num_requests, "failures": total.num_failures,
            "per_second": round(total.num_requests / elapsed, 1) if elapsed else 0.0,
            **{f"p{int(q * 100)}_ms": total.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99)},
            "max_ms": round(total.max_response_time or 0)}
