"""Public write limits: a client over its limit is refused with 429 and told when to retry;
the window slides; the counters stay right when many threads of one web process count at once."""
from __future__ import annotations

import sys
import threading

import pytest
from flask import Flask

from shared.rate_limits import PublicWriteLimits


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def limited_app(limit: str, clock=None) -> Flask:
    app = Flask(__name__)
    limits = PublicWriteLimits(limit, "memory://", **({"clock": clock} if clock else {}))
    app.add_url_rule("/write", "write", limits.guard(lambda: ("stored", 201)), methods=["POST"])
    return app


def post_from(client, address: str) -> int:
    return client.post("/write", environ_base={"REMOTE_ADDR": address}).status_code


def test_a_client_over_its_limit_is_refused_and_told_what_the_limit_is():
    client = limited_app("3/minute").test_client()
    statuses = [client.post("/write").status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    refused = client.post("/write")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 80  # at most (1 + 1/3) minutes: the sliding window below
    assert "at most 3 per 1 minute" in refused.get_json()["message"]


def test_retry_after_says_when_the_sliding_window_admits_again():
    clock = Clock(600.0)  # the start of a minute
    client = limited_app("3/minute", clock).test_client()
    assert [post_from(client, "10.0.0.1") for _ in range(3)] == [201, 201, 201]
    refused = client.post("/write", environ_base={"REMOTE_ADDR": "10.0.0.1"})
    # Next minute, the 3 hits of this one weigh 3 x (share of it still within the last 60 s).
    # Room for one more when that is 2: 20 s into the next minute, 80 s from now.
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "80"
    clock.now = 600.0 + 79.5
    assert post_from(client, "10.0.0.1") == 429
    clock.now = 600.0 + 80.5
    assert post_from(client, "10.0.0.1") == 201
    assert post_from(client, "10.0.0.1") == 429  # the window slid by one hit's worth, not reset


def test_each_address_has_its_own_count():
    client = limited_app("2/minute", Clock(0.0)).test_client()
    assert [post_from(client, "10.0.0.1") for _ in range(3)] == [201, 201, 429]
    assert [post_from(client, "10.0.0.2") for _ in range(2)] == [201, 201]


def test_a_long_quiet_spell_starts_afresh():
    clock = Clock(0.0)
    client = limited_app("2/minute", clock).test_client()
    assert [post_from(client, "10.0.0.1") for _ in range(3)] == [201, 201, 429]
    clock.now = 125.0  # two windows later: nothing of the old count weighs any more
    assert [post_from(client, "10.0.0.1") for _ in range(3)] == [201, 201, 429]


def test_every_limit_of_several_is_applied():
    client = limited_app("5/minute;6/hour", Clock(0.0)).test_client()
    assert [post_from(client, "10.0.0.1") for _ in range(6)] == [201] * 5 + [429]


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
