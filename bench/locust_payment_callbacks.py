"""A burst of payment callbacks as a locust scenario: the gateway's webhooks for many paid orders
fired at billing at once, repeated and out of order, as Razorpay delivers them (at least once,
in no guaranteed order).

    locust -f bench/locust_payment_callbacks.py --headless --host http://127.0.0.1:8004 \
        --users 32 --spawn-rate 32 --run-time 60s

The callbacks are not made here: the gateway simulator made and signed them when the buyers
paid (`tests.support.load.PaymentBurst` prepares buyers, orders, payments and this file), so
each is byte for byte what the gateway would send. Each user takes the next one and POSTs it to
billing's webhook; every answer must be 200 with what became of the callback (applied,
duplicate, flagged, ignored).

Loopback only (the host must be 127.0.0.1/localhost/[::1]). Settings, from the environment:
- DPD_LOAD_CALLBACKS: the JSON file of callbacks in firing order, each
  {"event": ..., "body": the raw body, "headers": {...}}; the run ends once every one is
  answered, or at --run-time, whichever comes first;
- DPD_LOAD_REPORT: a file to write the figures to as JSON when the run ends (requests,
  failures, throughput, p50/p95/p99/max in ms, and the count of each outcome billing answered).
tests/e2e/test_load.py runs a bounded version and checks that nothing was lost or doubled.
"""
from __future__ import annotations

import itertools
import json
import os
import sys
from collections import Counter
from pathlib import Path

from locust import FastHttpUser, constant, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.locust_common import bounded_loopback_run  # noqa: E402

WEBHOOK_PATH = "/api/v1/gateway/razorpay/webhook"
CALLBACKS = json.loads(Path(os.environ["DPD_LOAD_CALLBACKS"]).read_text())
_next = itertools.count()
_outcomes: Counter[str] = Counter()
bounded_loopback_run(len(CALLBACKS), lambda: {"outcomes": dict(_outcomes)})


class Gateway(FastHttpUser):
    """One of the gateway's delivery connections: it sends callbacks back to back until none are left."""

    wait_time = constant(0)

    @task
    def deliver(self):
        number = next(_next)
        if number >= len(CALLBACKS):
            raise StopUser()
        callback = CALLBACKS[number]
        with self.client.post(WEBHOOK_PATH, data=callback["body"].encode(), name=f"webhook {callback['event']}",
                              headers={"Content-Type": "application/json", **callback["headers"]},
                              catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
                return
            _outcomes[answer.json()["outcome"]] += 1
