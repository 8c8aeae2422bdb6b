"""Public write limits: a client over its limit is refused with 429, and the counters stay
right when many threads of one web process count at once."""
from __future__ import annotations

import sys
import threading

import pytest
from flask import Flask

from shared.rate_limits import PublicWriteLimits


def limited_app(limit: str) -> Flask:
    app = Flask(__name__)
    limits = PublicWriteLimits(limit, "memory://")
    app.add_url_rule("/write", "write", limits.guard(lambda: ("stored", 201)), methods=["POST"])
    return app


def test_a_client_over_its_limit_is_refused_and_told_when_to_retry():
    client = limited_app("3/minute").test_client()
    statuses = [client.post("/write").status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    refused = client.post("/write")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "at most 3 per 1 minute" in refused.get_json()["message"]


@pytest.fixture
def frequent_thread_switches():
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads interleave between almost every bytecode, as on a busy server
    yield
    sys.setswitchinterval(interval)


def test_many_threads_counting_at_once_never_fail_and_lose_no_count(frequent_thread_switches):
    threads, hits_each = 8, 1000
    app = limited_app(f"{threads * hits_each}/hour")  # exactly what they send: one more is over
    failures, statuses = [], []

    def send():
        client = app.test_client()
        for _ in range(hits_each):
            try:
                statuses.append(client.post("/write").status_code)
            except Exception as error:  # noqa: BLE001 - the test reports any failure of the limiter
                failures.append(error)

    workers = [threading.Thread(target=send) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    assert statuses == [201] * (threads * hits_each)
    assert app.test_client().post("/write").status_code == 429
