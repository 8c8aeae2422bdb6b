"""The platform keeps its promises when things break during a registration surge: workers killed
with SIGKILL, the Kafka broker stopped, one broker of a three-node cluster killed, PostgreSQL
restarted. After each: every registrant registered once, confirmed, emailed once per step, known
to matchmaking, notification and billing, and `python -m ops consistency` finds nothing missing.

Bounded for CI (`DPD_FAULT_REGISTRANTS` registrants at `DPD_FAULT_RATE` per second, 40 at 5/s by
default); a long run raises both, e.g. `DPD_FAULT_REGISTRANTS=1000 DPD_FAULT_RATE=25 ./dpd test tests/e2e/test_faults.py`.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import requests

from shared.localinfra.kafka import KafkaBroker, KafkaCluster
from shared.localinfra.ports import wait_until
from shared.localinfra.postgres import PostgresServer
from shared.testing.environment import platform_environment
from shared.testing.fixtures import SERVICES, ServiceProcesses
from tests.support.load import (
    RegistrationLoad, expect_each_registered_once, expect_every_registrant_through, expect_one_email_each, summary,
    wait_until_idle)
from tests.support.platform import Platform
from tests.support.registrations import registration_payload

REGISTRANTS = int(os.environ.get("DPD_FAULT_REGISTRANTS", "40"))
RATE = float(os.environ.get("DPD_FAULT_RATE", "5"))
PIPELINE = ("registration", "matchmaking", "notification", "billing")


@contextmanager
def running_platform(env: dict, log_dir, signing_keys) -> Iterator[Platform]:
    """Every service migrated (its tables and topics), registration's web process and the workers
    of every service that hears of a registration."""
    processes = ServiceProcesses(env, log_dir)
    try:
        platform = Platform(processes, env, signing_keys)
        platform.migrate(*SERVICES)
        platform.start(webs=("registration",), workers=PIPELINE, web_workers=2)
        yield platform
    finally:
        processes.stop_all()


def surge_through(platform: Platform, mailbox, run_id: str, fault: Callable[[RegistrationLoad], None], *,
                  resent_copies_allowed: bool = False, catch_up_seconds: float = 120) -> dict:
    """The surge, with `fault` injected once a quarter of it is in; then every promise checked."""
    load = RegistrationLoad(platform, run_id, count=REGISTRANTS, rate=RATE).start()
    wait_until(lambda: load.progress() >= REGISTRANTS // 4, 120, message="the surge never got going")
    fault(load)
    registrants = load.finish()

    expect_every_registrant_through(registrants)
    wait_until_idle(platform, PIPELINE, catch_up_seconds)
    expect_each_registered_once(platform, registrants)
    expect_one_email_each(mailbox, registrants, "Confirm your email", catch_up_seconds,
                          resent_copies_allowed=resent_copies_allowed)
    expect_one_email_each(mailbox, registrants, "Registration received", catch_up_seconds,
                          resent_copies_allowed=resent_copies_allowed)

    approved = requests.post(platform.url("registration", "/api/v1/registrations/bulk-approve"),
                             json={"registration_ids": [r.registration_id for r in registrants]},
                             headers=platform.organiser("vetting"), timeout=60)
    assert [r.get("status") for r in approved.json()["results"]] == ["approved"] * REGISTRANTS, approved.text
    expect_one_email_each(mailbox, registrants, "approved", catch_up_seconds,
                          resent_copies_allowed=resent_copies_allowed)
    platform.consistency_report()
    assert platform.count("matchmaking", "SELECT count(*) FROM organisations WHERE status = 'approved'") == REGISTRANTS
    return summary(registrants)


def test_workers_killed_one_after_another_lose_and_double_nothing(platform_env, tmp_path, signing_keys, mailbox,
                                                                 run_id):
    with running_platform(platform_env, tmp_path, signing_keys) as platform:
        def kill_each_worker(load: RegistrationLoad) -> None:
            for worker in PIPELINE:
                before = load.progress()
                platform.kill_worker(worker)  # SIGKILL, mid-stream
                wait_until(lambda: load.progress() >= min(REGISTRANTS, before + max(2, REGISTRANTS // 10)), 120,
                           message="registrations stopped while a worker was down")
                platform.start_worker(worker)

        answers = surge_through(platform, mailbox, run_id, kill_each_worker)
    assert set(answers) <= {200, 201}, answers


@pytest.fixture
def own_broker(tmp_path) -> Iterator[KafkaBroker]:
    """A broker of this test's own, since the test stops it (others keep the session's broker)."""
    with KafkaBroker(tmp_path / "kafka", extra_properties={"broker.session.timeout.ms": 3000}) as broker:
        yield broker


def environment(*, kafka: str, run_id: str, databases, smtp_server, signing_keys, **overrides) -> dict:
    return {**platform_environment(kafka_bootstrap_servers=kafka, topic_prefix=f"{run_id}.", databases=databases,
                                   smtp_host=smtp_server.host, smtp_port=smtp_server.port, signing_keys=signing_keys),
            **overrides}


def test_the_broker_stopped_and_restarted_mid_surge_loses_nothing(own_broker, service_database, smtp_server,
                                                                   signing_keys, tmp_path, mailbox, run_id):
    env = environment(kafka=own_broker.bootstrap_servers, run_id=run_id, databases=service_database,
                      smtp_server=smtp_server, signing_keys=signing_keys)
    with running_platform(env, tmp_path, signing_keys) as platform:
        def restart_broker(load: RegistrationLoad) -> None:
            own_broker.stop()
            before = load.progress()
            ready = requests.get(platform.url("registration", "/readyz"), timeout=10)
            assert ready.status_code == 503 and ready.json()["checks"] == {"database": "up", "kafka": "down"}
            # Registrations go on meanwhile: their events wait in the outbox.
            wait_until(lambda: load.progress() >= min(REGISTRANTS, before + 3), 60,
                       message="registration stopped taking registrations while the broker was down")
            own_broker.start()

        answers = surge_through(platform, mailbox, run_id, restart_broker)
    assert set(answers) <= {200, 201}, answers


@pytest.fixture
def cluster(tmp_path) -> Iterator[KafkaCluster]:
    with KafkaCluster(tmp_path / "cluster", size=3, min_insync_replicas=2) as three_brokers:
        yield three_brokers
        for broker in three_brokers.brokers:
            broker.kill()  # its data is not needed again: no controlled shutdown to wait for


def test_one_broker_of_three_killed_mid_surge_loses_nothing(cluster, service_database, smtp_server, signing_keys,
                                                           tmp_path, mailbox, run_id):
    env = environment(kafka=cluster.bootstrap_servers, run_id=run_id, databases=service_database,
                      smtp_server=smtp_server, signing_keys=signing_keys, KAFKA_REPLICATION_FACTOR="3")
    with running_platform(env, tmp_path, signing_keys) as platform:
        def kill_a_broker(load: RegistrationLoad) -> None:
            cluster.brokers[0].kill()  # stays down to the end: two in-sync replicas are enough

        # Clients find the partitions' new leaders only as their metadata refreshes: allow minutes.
        answers = surge_through(platform, mailbox, run_id, kill_a_broker, catch_up_seconds=300)
        assert not cluster.brokers[0].is_running() and all(b.is_running() for b in cluster.brokers[1:])
    assert set(answers) <= {200, 201}, answers


@pytest.fixture
def own_postgres(tmp_path) -> Iterator[PostgresServer]:
    with PostgresServer(tmp_path / "postgres", settings={"fsync": "off", "synchronous_commit": "off"}) as server:
        yield server


def test_postgresql_restarted_mid_surge_answers_503_then_recovers(own_postgres, kafka_broker, smtp_server,
                                                                  signing_keys, tmp_path, mailbox, run_id):
    env = environment(kafka=kafka_broker.bootstrap_servers, run_id=run_id, smtp_server=smtp_server,
                      signing_keys=signing_keys,
                      databases=lambda s: own_postgres.ensure_database(s, owner=s, password=secrets.token_hex(8)))
    outage: dict = {}
    with running_platform(env, tmp_path, signing_keys) as platform:
        def restart_postgres(load: RegistrationLoad) -> None:
            own_postgres.stop()
            ready = requests.get(platform.url("registration", "/readyz"), timeout=10)
            outage["readyz"] = (ready.status_code, ready.json())
            refused = requests.post(platform.url("registration", "/api/v1/registrations"), timeout=15,
                                    json=registration_payload(f"during-outage.{run_id}@load.example.in"))
            outage["write"] = (refused.status_code, refused.json(), refused.headers.get("Retry-After"))
            wait_until(lambda: sum(503 in r.answers for r in load.registrants) >= 2, 60,
                       message="no registrant met the outage")
            own_postgres.start()
            wait_until(lambda: requests.get(platform.url("registration", "/readyz"), timeout=10).status_code == 200,
                       60, message="registration never became ready again")

        answers = surge_through(platform, mailbox, run_id, restart_postgres, resent_copies_allowed=True)
    assert outage["readyz"] == (503, {"status": "not_ready", "checks": {"database": "down", "kafka": "up"}})
    assert outage["write"][0] == 503 and outage["write"][1]["error"] == "service_unavailable" and outage["write"][2]
    assert 503 in answers and set(answers) <= {200, 201, 503, "no answer"}, answers
