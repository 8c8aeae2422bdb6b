"""The registration opening surge as a locust scenario: many registrants at once, each submitting
its organisation and delegates once (with an Idempotency-Key), bounded in count and in time.

    locust -f bench/locust_registration_surge.py --headless --host http://127.0.0.1:8001 \
        --users 50 --spawn-rate 50 --run-time 60s --csv .run/surge

Loopback only (the host must be 127.0.0.1/localhost/[::1]). Settings, from the environment:
- DPD_LOAD_REGISTRATIONS: how many registrations in all (default 500); the run ends once every
  one is answered, or at --run-time, whichever comes first;
- DPD_LOAD_TAG: goes into every email address (surge<N>.<tag>@locust.example.in, N from 0), so
  a test can find exactly these registrants afterwards;
- DPD_LOAD_REPORT: a file to write the figures to as JSON when the run ends (requests,
  failures, throughput, p50/p95/p99/max in ms).
tests/e2e/test_load.py runs a bounded version and checks that nothing was lost or doubled.
"""
from __future__ import annotations

import itertools
import json
import os
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import gevent
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.registrations import gstin, registration_payload  # noqa: E402

REGISTRATIONS = int(os.environ.get("DPD_LOAD_REGISTRATIONS", "500"))
TAG = os.environ.get("DPD_LOAD_TAG", "locust")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_numbers = itertools.count()
_answered = itertools.count(1)


def registrant_email(number: int, tag: str = TAG) -> str:
    return f"surge{number}.{tag}@locust.example.in"


@events.test_start.add_listener
def refuse_other_hosts(environment, **_):
    host = urlparse(environment.host or "").hostname
    if host not in LOOPBACK:
        raise SystemExit(f"refusing to load {environment.host!r}: this scenario targets loopback only")


@events.init.add_listener
def stop_when_all_answered(environment, **_):
    def count(**_):
        if next(_answered) == REGISTRATIONS:
            gevent.spawn(environment.runner.quit)
    environment.events.request.add_listener(count)


@events.quitting.add_listener
def write_report(environment, **_):
    report = os.environ.get("DPD_LOAD_REPORT")
    if not report:
        return
    total = environment.stats.total
    elapsed = max(total.last_request_timestamp - total.start_time, 1e-3) if total.num_requests else 0
    Path(report).write_text(json.dumps({
        "requests": total.num_requests, "failures": total.num_failures,
        "per_second": round(total.num_requests / elapsed, 1) if elapsed else 0.0,
        **{f"p{int(q * 100)}_ms": total.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99)},
        "max_ms": round(total.max_response_time or 0)}))


class Registrant(FastHttpUser):
    """One organisation registering the moment registration opens; it leaves once it has."""

    wait_time = constant(0)

    @task
    def register(self):
        number = next(_numbers)
        if number >= REGISTRATIONS:
            raise StopUser()
        payload = registration_payload(registrant_email(number), name=f"Surge {number} Aerospace Private Limited")
        payload["organisation"]["gstin"] = gstin(pan=f"AABC{'TUVW'[number % 4]}{number % 10000:04d}F")
        with self.client.post("/api/v1/registrations", json=payload, headers={"Idempotency-Key": str(uuid.uuid4())},
                              name="POST /api/v1/registrations", catch_response=True) as answer:
            if answer.status_code != 201:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
