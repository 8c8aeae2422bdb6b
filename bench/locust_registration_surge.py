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
import os
import sys
import uuid
from pathlib import Path

from locust import FastHttpUser, constant, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.locust_common import bounded_loopback_run  # noqa: E402
from tests.support.load import company_payload  # noqa: E402

REGISTRATIONS = int(os.environ.get("DPD_LOAD_REGISTRATIONS", "500"))
TAG = os.environ.get("DPD_LOAD_TAG", "locust")
_numbers = itertools.count()
bounded_loopback_run(REGISTRATIONS)


def registrant_email(number: int, tag: str = TAG) -> str:
    return f"surge{number}.{tag}@locust.example.in"


class Registrant(FastHttpUser):
    """One organisation registering the moment registration opens; it leaves once it has."""

    wait_time = constant(0)

    @task
    def register(self):
        number = next(_numbers)
        if number >= REGISTRATIONS:
            raise StopUser()
        payload = company_payload(registrant_email(number), number, f"Surge {number} Aerospace Private Limited")
        with self.client.post("/api/v1/registrations", json=payload, headers={"Idempotency-Key": str(uuid.uuid4())},
                              name="POST /api/v1/registrations", catch_response=True) as answer:
            if answer.status_code != 201:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
