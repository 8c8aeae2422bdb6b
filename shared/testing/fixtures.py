"""pytest fixtures for every service's tests (a plugin: tests/conftest.py loads it).

One Kafka broker, one PostgreSQL server and one SMTP server per test run; tests are kept
apart by a unique topic prefix (so unique topics and consumer groups) and fresh databases,
never by restarting servers. Every process a test starts is stopped when it ends.
"""
from __future__ import annotations

import os
import secrets
import signal
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from shared.auth import ORGANISER, PARTICIPANT, TokenIssuer, load_private_key, write_new_key_pair
from shared.config import KafkaSettings
from shared.localinfra.kafka import KafkaBroker
from shared.localinfra.postgres import PostgresServer
from shared.localinfra.process import ServerProcess
from shared.localinfra.smtp import Mailbox, SmtpSink
from shared.testing.environment import platform_environment

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("registration", "matchmaking", "notification", "billing")

# Durability is not under test here; speed is welcome.
_FAST_POSTGRES = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def pytest_configure(config):
    """A SIGTERM (a CI timeout, a killed terminal) unwinds like Ctrl-C, so fixtures stop their servers."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupt)


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory) -> Iterator[KafkaBroker]:
    with KafkaBroker(tmp_path_factory.mktemp("kafka")) as broker:
        yield broker


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory) -> Iterator[PostgresServer]:
    with PostgresServer(tmp_path_factory.mktemp("postgres"), settings=_FAST_POSTGRES) as server:
        yield server


@pytest.fixture(scope="session")
def smtp_server(tmp_path_factory) -> Iterator[SmtpSink]:
    with SmtpSink(tmp_path_factory.mktemp("mail"), reject_recipients=r"^bounce[^@]*@") as sink:
        yield sink


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    return smtp_server.mailbox


@pytest.fixture
def run_id() -> str:
    """Unique per test: prefixes its topics, consumer groups, databases and email addresses."""
    return "t" + secrets.token_hex(4)


@pytest.fixture
def kafka_settings(kafka_broker, run_id) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=kafka_broker.bootstrap_servers, topic_prefix=f"{run_id}.",
                         replication_factor=1)


@pytest.fixture
def service_database(postgres_server, run_id) -> Iterator[Callable[[str], str]]:
    """`service_database("registration")`: a fresh database and role for that service; its URL."""
    created = []

    def make(service: str) -> str:
        name = f"{run_id}_{service}"
        created.append(name)
        return postgres_server.ensure_database(name, owner=name, password=secrets.token_hex(8))

    yield make
    for name in created:
        postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def signing_keys(tmp_path_factory) -> tuple[Path, Path]:
    """The token signing key pair of this test run: (private, public) PEM files."""
    folder = tmp_path_factory.mktemp("keys")
    write_new_key_pair(folder / "signing.pem", folder / "signing.pub.pem")
    return folder / "signing.pem", folder / "signing.pub.pem"


@pytest.fixture
def platform_env(kafka_settings, smtp_server, service_database, signing_keys) -> dict[str, str]:
    """The environment a deployment of all four services would have, pointed at this test's resources
    (built by `shared.testing.environment.platform_environment`, which the benchmarks use too)."""
    return platform_environment(
        kafka_bootstrap_servers=kafka_settings.bootstrap_servers, topic_prefix=kafka_settings.topic_prefix,
        databases=service_database, smtp_host=smtp_server.host, smtp_port=smtp_server.port,
        signing_keys=signing_keys)


class ServiceProcesses:
    """Starts a service's web or worker process as a real subprocess; stops them all at the end."""

    def __init__(self, env: dict[str, str], log_dir: Path):
        self._env = {**os.environ, **env, "PYTHONPATH": str(PROJECT_ROOT), "PYTHONUNBUFFERED": "1"}
        self._log_dir = log_dir
        self._started: list[ServerProcess] = []

    def web(self, service: str, *, workers: int = 1, threads: int = 8, extra_env: dict | None = None) -> str:
        """Start `service`'s gunicorn on its port from the platform's environment; returns its base URL
        once /healthz answers."""
        env = {**self._env, f"{service.upper()}_WEB_WORKERS": str(workers),
               f"{service.upper()}_WEB_THREADS": str(threads), **(extra_env or {})}
        process = self._spawn(f"{service}-web", [sys.executable, "-m", "gunicorn", "-c",
                                                 f"services/{service}/gunicorn.conf.py"], env)
        base_url = env[f"{service.upper()}_PUBLIC_URL"]
        process.wait_ready(lambda: _answers(f"{base_url}/healthz"), timeout=60)
        return base_url

    def worker(self, service: str, *, extra_env: dict | None = None) -> ServerProcess:
        process = self._spawn(f"{service}-worker", [sys.executable, "-m", f"services.{service}.worker"],
                              {**self._env, **(extra_env or {})})
        return process

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> ServerProcess:
        log_file = self._log_dir / f"{name}-{len(self._started)}.log"
        process = ServerProcess(name, log_file)
        with open(log_file, "ab") as log:
            process.spawn(argv, env=env, cwd=PROJECT_ROOT, stdout=log, stderr=log)
        self._started.append(process)
        return process

    def stop_all(self) -> None:
        """All asked at once, then each waited for: they stop side by side, not one after another."""
        for process in reversed(self._started):
            process.ask_to_stop()
        for process in reversed(self._started):
            process.stop(timeout=20)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def services(platform_env, tmp_path) -> Iterator[ServiceProcesses]:
    processes = ServiceProcesses(platform_env, tmp_path)
    try:
        yield processes
    finally:
        processes.stop_all()



class TokenMaker:
    """Signs tokens the way the identity service does, for tests of who may do what."""

    def __init__(self, private_key_file: Path):
        self._issuer = TokenIssuer(load_private_key(private_key_file), timedelta(hours=1))

    def organiser(self, *roles: str, subject: str | None = None) -> str:
        return self._issuer.issue(kind=ORGANISER, subject=subject or str(uuid.uuid4()),
                                  name=f"Test {'/'.join(roles)}", roles=frozenset(roles))[0]

    def participant(self, registration_id: str | None = None, subject: str | None = None) -> str:
        return self._issuer.issue(kind=PARTICIPANT, subject=subject or str(uuid.uuid4()), name="Test participant",
                                  registration_id=registration_id or str(uuid.uuid4()))[0]


@pytest.fixture(scope="session")
def tokens(signing_keys) -> TokenMaker:
    return TokenMaker(signing_keys[0])
